"""The ffmpeg arguments that assemble a Timeline: every source cut is its own input, sought
at the input a second ahead of the cut (so the cost follows the film's length, not the
sources'), then cut by timestamps: a demuxer may land after its target (MPEG-TS seeks to the
next keyframe), so pictures and sound are placed by their own times, a missing first frame
repeated and missing sound filled with silence, never shifted. Each piece is conformed
(frame rate, size, square pixels, progressive, 4:2:0), counted to its exact frames and
samples, and joined by concat, or by xfade and acrossfade where a transition overlaps two
pieces. Title cards and credits come from ``render/cards.py``.
Only numbers and fixed filter names enter the filtergraph: no user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.render.cards import card_graph
from pipeline.runner import Arg
from pipeline.timeline.cuelist import TransitionType
from pipeline.timeline.model import Timeline, TimelineCard, TimelineClip, split_units

SAMPLE_RATE = 48_000
TIMECODE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


@dataclass(frozen=True)
class Assembly:
    inputs: list[Arg]
    graph: str
    video_label: str
    audio_label: str


PREROLL_S = 1.0
"""Seek this much before a cut: a demuxer may land on the keyframe after the target (MPEG-TS
does), so the cut is then found by timestamps inside the filtergraph."""


def _preroll(cut) -> float:
    return min(cut.start_s, PREROLL_S)


SINGLE_THREADED_FROM = 24
"""Inputs from which each decoder runs on one thread: every input's decoder is opened at
the start and keeps its frame-thread buffers, so 300 clips took 2.5 GB at 320x180 (1.4 GB
on one thread each); with few inputs the threads make the film faster."""


def _input(cut, kind: str, single_threaded: bool) -> list[Arg]:
    """One cut as an input, sought before -i (fast) a little ahead of the cut."""
    flags = ["-vn"] if kind == "audio" else ["-an"]
    if single_threaded:
        flags += ["-threads", "1"]
    start = cut.start_s - _preroll(cut)
    length = cut.duration_s + _preroll(cut) + 0.5
    return [*flags, "-ss", f"{start:.6f}", "-t", f"{length:.6f}", "-i", cut.path]


def _timecode(session_ms: int, fps: int) -> str:
    """Session time as an escaped drawtext timecode ("00\\:12\\:34\\:05"): digits only."""
    frames = round(session_ms * fps / 1000)
    seconds, frame = divmod(frames, fps)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return "\\:".join(f"{n:02d}" for n in (hour, minute, second, frame))


def _burnt_timecode(session_ms: int, fps: int, height: int) -> str:
    """The session clock drawn top left (previews), or nothing if the font is missing."""
    if not Path(TIMECODE_FONT).is_file():
        return ""
    size = max(10, height // 18)
    return (
        f",drawtext=fontfile={TIMECODE_FONT}:timecode='{_timecode(session_ms, fps)}':"
        f"rate={fps}:fontsize={size}:fontcolor=white:box=1:boxcolor=black@0.6:x=w-tw-{size}:y={size}"
    )


def _clip_chains(
    clip: TimelineClip,
    timeline: Timeline,
    width: int,
    height: int,
    index: int,
    label: str,
    *,
    with_video: bool,
    timecode: bool,
    single_threaded: bool,
) -> tuple[list[Arg], list[str], int]:
    """One clip's cuts conformed, counted and joined into ``[{label}v]`` and ``[{label}a]``."""
    inputs: list[Arg] = []
    chains: list[str] = []
    video_labels: list[str] = []
    audio_labels: list[str] = []
    cut_session_ms = clip.session_in_ms
    video_frames = split_units(clip.video, round(clip.duration_s * timeline.fps), timeline.fps)
    pictures = zip(clip.video, video_frames, strict=True) if with_video else ()
    for cut_number, (cut, frames) in enumerate(pictures):
        inputs += _input(cut, "video", single_threaded)
        deinterlace = "bwdif=mode=send_frame:deint=interlaced," if cut.interlaced else ""
        chains.append(
            f"[{index}:v:0]{deinterlace}setpts=PTS-{_preroll(cut):.6f}/TB,"
            f"fps={timeline.fps}:start_time=0,"
            f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,"
            f"trim=start=0,setpts=PTS-STARTPTS,trim=end_frame={frames}"
            f"{_burnt_timecode(cut_session_ms, timeline.fps, height) if timecode else ''}"
            f"[{label}v{cut_number}]"
        )
        cut_session_ms += frames * 1000 // timeline.fps
        video_labels.append(f"[{label}v{cut_number}]")
        index += 1
    audio_samples = split_units(clip.audio, round(clip.duration_s * SAMPLE_RATE), SAMPLE_RATE)
    for cut_number, (cut, samples) in enumerate(zip(clip.audio, audio_samples, strict=True)):
        inputs += _input(cut, "audio", single_threaded)
        chains.append(
            f"[{index}:a:0]asetpts=PTS-{_preroll(cut):.6f}/TB,"
            f"aresample={SAMPLE_RATE}:async=1:first_pts=0,aformat=sample_fmts=fltp:"
            f"channel_layouts=stereo,atrim=start=0,apad,atrim=end_sample={samples}"
            f"[{label}a{cut_number}]"
        )
        audio_labels.append(f"[{label}a{cut_number}]")
        index += 1
    if video_labels:
        chains.append(
            f"{''.join(video_labels)}concat=n={len(video_labels)}:v=1:a=0,"
            f"settb=1/{timeline.fps}[{label}v]"
        )
    chains.append(f"{''.join(audio_labels)}concat=n={len(audio_labels)}:v=0:a=1[{label}a]")
    return inputs, chains, index


def _silence(card: TimelineCard, fps: int, index: int, label: str) -> tuple[list[Arg], list[str]]:
    """A card's sound alone (the loudness pass needs no picture)."""
    seconds = card.frames / fps
    inputs: list[Arg] = ["-f", "lavfi", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=stereo:d={seconds:.6f}"]
    chain = (
        f"[{index}:a]aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"atrim=end_sample={round(seconds * SAMPLE_RATE)},asetpts=PTS-STARTPTS[{label}a]"
    )
    return inputs, [chain]


def _joined(timeline: Timeline, suffix: str) -> tuple[list[str], str]:
    """Chains joining the items' ``[pNv]``/``[pNa]`` streams in order: runs of plain cuts by
    one concat, a crossfade by xfade + acrossfade, a dip by xfade through black (the sound
    crossfades). ``suffix`` is "v" (picture) or "a" (sound). Returns the chains and the
    final label."""
    chains: list[str] = []
    group: list[str] = []
    group_frames = 0
    joined = 0

    def flush() -> str:
        nonlocal joined
        if len(group) == 1:
            return group[0]
        joined += 1
        out = f"[j{suffix}{joined}]"
        # xfade wants both inputs on the frame clock, and concat's output is on microseconds
        media = f"v=1:a=0,settb=1/{timeline.fps}" if suffix == "v" else "v=0:a=1"
        chains.append(f"{''.join(group)}concat=n={len(group)}:{media}{out}")
        return out

    for number, item in enumerate(timeline.items):
        stream = f"[p{number}{suffix}]"
        frames = timeline.item_frames(item)
        if not group or not item.overlap_frames:
            group.append(stream)
            group_frames += frames
            continue
        before = flush()
        joined += 1
        out = f"[j{suffix}{joined}]"
        if suffix == "v":
            kind_name = "fadeblack" if item.transition == TransitionType.DIP else "fade"
            offset = (group_frames - item.overlap_frames) / timeline.fps
            chains.append(
                f"{before}{stream}xfade=transition={kind_name}:"
                f"duration={item.overlap_frames / timeline.fps:.6f}:offset={offset:.6f}{out}"
            )
        else:
            samples = item.overlap_frames * SAMPLE_RATE // timeline.fps
            chains.append(f"{before}{stream}acrossfade=ns={samples}:c1=tri:c2=tri{out}")
        group = [out]
        group_frames = group_frames + frames - item.overlap_frames
    final = flush()
    return chains, final


def assemble(
    timeline: Timeline,
    width: int,
    height: int,
    *,
    with_video: bool = True,
    timecode: bool = False,
    text_folder: Path | None = None,
) -> Assembly:
    """The inputs and filtergraph; ``with_video=False`` for the sound alone (loudness pass),
    ``timecode`` to burn the session clock into the picture (previews). Cards draw their
    words from text files written into ``text_folder`` (a filter-safe temporary folder)."""
    inputs: list[Arg] = []
    chains: list[str] = []
    index = 0
    cuts = sum(len(c.audio) + (len(c.video) if with_video else 0) for c in timeline.clips)
    for number, item in enumerate(timeline.items):
        label = f"p{number}"
        if isinstance(item, TimelineClip):
            more, graph, index = _clip_chains(
                item, timeline, width, height, index, label,
                with_video=with_video, timecode=timecode,
                single_threaded=cuts >= SINGLE_THREADED_FROM,
            )  # fmt: skip
        elif with_video:
            if text_folder is None:
                raise ValueError("cards need a folder for their text files")
            card = card_graph(item, index, width, height, timeline.fps, text_folder, label)
            more, graph, index = card.inputs, card.chains, card.next_index
        else:
            more, graph = _silence(item, timeline.fps, index, label)
            index += 1
        inputs += more
        chains += graph
    if with_video:
        video_chains, video = _joined(timeline, "v")
        chains += video_chains
    else:
        video = ""
    audio_chains, audio = _joined(timeline, "a")
    chains += audio_chains
    return Assembly(inputs, ";".join(chains), video, audio)
