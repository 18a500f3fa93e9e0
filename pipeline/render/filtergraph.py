"""The ffmpeg arguments that assemble a Timeline: the cuts are read from a few inputs sought a
second ahead of them (``render/readers.py``: the cost follows the film's length, not the
sources', and the memory not its number of clips), then cut by timestamps: a demuxer may
land after its target (MPEG-TS seeks to the next keyframe), so pictures and sound are placed
by their own times, a missing first frame repeated and missing sound filled with silence,
never shifted. Each piece is conformed (frame rate, size, square pixels, progressive,
4:2:0), counted to its exact frames and samples, and joined by concat, or by xfade and
acrossfade where a transition overlaps two pieces. Title cards and credits come from
``render/cards.py``. Only numbers and fixed filter names enter the filtergraph: no user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.runner import Arg
from pipeline.render.cards import card_graph
from pipeline.render.readers import SAMPLE_RATE, Conform, Readers
from pipeline.session.cuelist import TransitionType
from pipeline.timeline.model import Timeline, TimelineCard, TimelineClip, split_units


@dataclass(frozen=True)
class Assembly:
    inputs: list[Arg]
    graph: str
    video_label: str
    audio_label: str


def _clip_chains(
    clip: TimelineClip,
    timeline: Timeline,
    width: int,
    height: int,
    readers: Readers,
    label: str,
    *,
    with_video: bool,
) -> list[str]:
    """One clip's cuts conformed, counted and joined into ``[{label}v]`` and ``[{label}a]``."""
    chains: list[str] = []
    video_labels: list[str] = []
    audio_labels: list[str] = []
    cut_session_ms = clip.session_in_ms
    video_frames = split_units(clip.video, round(clip.duration_s * timeline.fps), timeline.fps)
    pictures = zip(clip.video, video_frames, strict=True) if with_video else ()
    for cut_number, (cut, frames) in enumerate(pictures):
        stream = readers.take(cut, "video", cut_session_ms)
        # its own fps from its start: frame 0 is the source frame nearest the cut; its input
        # ends half a frame before its last frame is due, so fps stops at its input's end
        # and lets its frames go (closed from below, a finished fps keeps two frames to the
        # end: 300 clips held 600 frames)
        chains.append(
            f"{stream.label}{stream.up_to((frames - 0.5) / timeline.fps)},"
            f"setpts=PTS-{stream.offset_s:.6f}/TB,"
            f"fps={timeline.fps}:start_time=0,trim=end_frame={frames},setpts=PTS-STARTPTS"
            f"[{label}v{cut_number}]"
        )
        cut_session_ms += frames * 1000 // timeline.fps
        video_labels.append(f"[{label}v{cut_number}]")
    audio_samples = split_units(clip.audio, round(clip.duration_s * SAMPLE_RATE), SAMPLE_RATE)
    for cut_number, (cut, samples) in enumerate(zip(clip.audio, audio_samples, strict=True)):
        stream = readers.take(cut, "audio")
        first = round(stream.offset_s * SAMPLE_RATE)  # the sound is on the sample clock
        chains.append(
            f"{stream.label}atrim=start_pts={first}:end_pts={first + samples},"
            f"asetpts=PTS-STARTPTS,apad,atrim=end_sample={samples}[{label}a{cut_number}]"
        )
        audio_labels.append(f"[{label}a{cut_number}]")
    if video_labels:
        chains.append(
            f"{''.join(video_labels)}concat=n={len(video_labels)}:v=1:a=0,"
            f"settb=1/{timeline.fps}[{label}v]"
        )
    chains.append(f"{''.join(audio_labels)}concat=n={len(audio_labels)}:v=0:a=1[{label}a]")
    return chains


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
    readers = Readers(Conform(timeline.fps, width, height), timecode=timecode)
    chains: list[str] = []
    cards: list[tuple[int, TimelineCard]] = []
    for number, item in enumerate(timeline.items):
        if isinstance(item, TimelineClip):
            chains += _clip_chains(
                item, timeline, width, height, readers, f"p{number}", with_video=with_video,
            )  # fmt: skip
        else:
            cards.append((number, item))
    inputs = readers.inputs()
    chains = readers.chains() + chains
    index = len(readers)
    for number, card in cards:
        label = f"p{number}"
        if with_video:
            if text_folder is None:
                raise ValueError("cards need a folder for their text files")
            drawn = card_graph(card, index, width, height, timeline.fps, text_folder, label)
            more, graph, index = drawn.inputs, drawn.chains, drawn.next_index
        else:
            more, graph = _silence(card, timeline.fps, index, label)
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
