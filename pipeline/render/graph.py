"""The ffmpeg arguments that assemble a Timeline: every source cut is its own input, sought
at the input a second ahead of the cut (so the cost follows the film's length, not the
sources'), then cut by timestamps: a demuxer may land after its target (MPEG-TS seeks to the
next keyframe), so pictures and sound are placed by their own times, a missing first frame
repeated and missing sound filled with silence, never shifted. Each piece is conformed
(frame rate, size, square pixels, progressive, 4:2:0), counted to its exact frames and
samples, and joined by concat.
Only numbers and fixed filter names enter the filtergraph: no user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.runner import Arg
from pipeline.timeline.model import Timeline

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


def _input(cut, kind: str) -> list[Arg]:
    """One cut as an input, sought before -i (fast) a little ahead of the cut."""
    flags = ["-vn"] if kind == "audio" else ["-an"]
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


def assemble(
    timeline: Timeline,
    width: int,
    height: int,
    *,
    with_video: bool = True,
    timecode: bool = False,
) -> Assembly:
    """The inputs and filtergraph; ``with_video=False`` for the sound alone (loudness pass),
    ``timecode`` to burn the session clock into the picture (previews)."""
    inputs: list[Arg] = []
    chains: list[str] = []
    video_labels: list[str] = []
    audio_labels: list[str] = []
    index = 0
    for clip in timeline.clips:
        clip_frames = round(clip.duration_s * timeline.fps)
        cut_session_ms = clip.session_in_ms
        for cut_number, cut in enumerate(clip.video if with_video else ()):
            inputs += _input(cut, "video")
            # the last cut of the clip takes whatever frames the clip still needs
            frames = (
                round(cut.duration_s * timeline.fps)
                if cut_number < len(clip.video) - 1
                else clip_frames - sum(round(c.duration_s * timeline.fps) for c in clip.video[:-1])
            )
            deinterlace = "bwdif=mode=send_frame:deint=interlaced," if cut.interlaced else ""
            chains.append(
                f"[{index}:v:0]{deinterlace}setpts=PTS-{_preroll(cut):.6f}/TB,"
                f"fps={timeline.fps}:start_time=0,"
                f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
                f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,"
                f"trim=start=0,setpts=PTS-STARTPTS,trim=end_frame={frames}"
                f"{_burnt_timecode(cut_session_ms, timeline.fps, height) if timecode else ''}"
                f"[v{index}]"
            )
            cut_session_ms += frames * 1000 // timeline.fps
            video_labels.append(f"[v{index}]")
            index += 1
        clip_samples = round(clip.duration_s * SAMPLE_RATE)
        for cut_number, cut in enumerate(clip.audio):
            inputs += _input(cut, "audio")
            samples = (
                round(cut.duration_s * SAMPLE_RATE)
                if cut_number < len(clip.audio) - 1
                else clip_samples - sum(round(c.duration_s * SAMPLE_RATE) for c in clip.audio[:-1])
            )
            chains.append(
                f"[{index}:a:0]asetpts=PTS-{_preroll(cut):.6f}/TB,"
                f"aresample={SAMPLE_RATE}:async=1:first_pts=0,aformat=sample_fmts=fltp:"
                f"channel_layouts=stereo,atrim=start=0,apad,atrim=end_sample={samples}"
                f"[a{index}]"
            )
            audio_labels.append(f"[a{index}]")
            index += 1
    if video_labels:
        chains.append(f"{''.join(video_labels)}concat=n={len(video_labels)}:v=1:a=0[video]")
    chains.append(f"{''.join(audio_labels)}concat=n={len(audio_labels)}:v=0:a=1[audio]")
    return Assembly(inputs, ";".join(chains), "[video]", "[audio]")
