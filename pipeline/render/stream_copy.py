"""A film assembled without re-encoding its picture, when nothing has to be drawn on it.

A film qualifies when it has no title card, credits, transition or lower third, and every
cut comes from H.264 4:2:0 progressive, upright, constant-rate MP4/MOV at the film's frame
rate and size (what the cameras of one session usually record). Cut points rarely fall on
keyframes, so each cut becomes up to three pieces: its head up to the first keyframe and
its tail from the last one are re-encoded (exact frames, the source's profile and level),
the whole GOPs between are copied bit for bit. Each piece is stored in NUT (a header that
always probes, even for a two-frame piece, which MPEG-TS does not) with its parameter sets
repeated in-band at every keyframe, so the re-encoded and the camera's pictures can follow
each other in one stream; the concat demuxer joins them with each piece's exact length.

The sound is always rendered: it comes from the recorder, through the two-pass loudness
normalisation. The result is checked at copy speed: its packet headers must hold every
frame, and only the re-encoded stretches, with the copied pictures that follow each of
them, are decoded (a strict decode: a picture that refers to one the copy left out fails
it). If the check fails, the caller falls back to a full render.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.core.errors import MediaError
from pipeline.core.media_integrity import stream_extents
from pipeline.core.presets import SMART_CUT
from pipeline.core.probe import VideoStream, probe
from pipeline.core.runner import Arg, OutputFile, ffprobe_json, run_ffmpeg
from pipeline.timeline.model import SourceCut, Timeline, TimelineCard, split_units

COPYABLE_CONTAINERS = ("mov", "mp4")
X264_PROFILES = {"High": "high", "Main": "main", "Constrained Baseline": "baseline",
                 "Baseline": "baseline"}  # fmt: skip


@dataclass(frozen=True)
class SourceFormat:
    stream: VideoStream
    level: int
    start_time: float


@dataclass(frozen=True)
class CopySegment:
    """Frames ``[first, first + frames)`` of a cut (counted from the cut's start), copied
    or re-encoded."""

    cut: SourceCut
    first: int
    frames: int
    copy: bool
    keyframe_s: float = 0.0
    """File time of the keyframe a copied piece starts on."""


def why_not_copy(
    timeline: Timeline, width: int, height: int, has_overlays: bool, max_level: int = 41
) -> tuple[str | None, dict[Path, SourceFormat]]:
    """(None, the sources' formats) when the film can be assembled by copy, else (the
    reason, {}). ``max_level`` is the preset's H.264 level × 10 (a copied picture keeps
    the camera's)."""
    if any(isinstance(item, TimelineCard) for item in timeline.items):
        return "it has a title card or credits", {}
    if timeline.needs_transitions:
        return "it has transitions", {}
    if has_overlays:
        return "it has lower thirds", {}
    formats: dict[Path, SourceFormat] = {}
    for clip in timeline.clips:
        for cut in clip.video:
            if cut.path in formats:
                continue
            info = probe(cut.path)
            stream = info.primary_video
            containers = set(info.container.split(","))
            problem = None
            if stream is None:
                problem = "has no picture"
            elif not containers & set(COPYABLE_CONTAINERS):
                problem = f"is {info.container}, not MP4/MOV"
            elif stream.codec != "h264" or stream.profile not in X264_PROFILES:
                problem = f"is {stream.codec} {stream.profile or ''}".rstrip()
            elif stream.pix_fmt != "yuv420p" or stream.interlaced or cut.interlaced:
                problem = "is not progressive 8-bit 4:2:0"
            elif stream.rotation or stream.variable_frame_rate:
                problem = "is rotated or variable-rate"
            elif stream.frame_rate != Fraction(timeline.fps):
                problem = f"runs at {stream.frame_rate} fps, not {timeline.fps}"
            elif (stream.width, stream.height) != (width, height):
                problem = f"is {stream.width}x{stream.height}, not {width}x{height}"
            if problem:
                return f"{cut.path.name} {problem}", {}
            raw = ffprobe_json(cut.path, ["-select_streams", "v:0", "-show_entries",
                                          "stream=level:format=start_time"])  # fmt: skip
            level = int((raw.get("streams") or [{}])[0].get("level") or 40)
            start = float((raw.get("format") or {}).get("start_time") or 0.0)
            if level > max_level:
                return f"{cut.path.name} is H.264 level {level / 10}, above the preset's", {}
            formats[cut.path] = SourceFormat(stream, level, start)
    kinds = {(f.stream.profile, f.stream.width, f.stream.height) for f in formats.values()}
    if len(kinds) > 1:
        return "its sources differ in profile or size", {}
    return None, formats


class OpenGop(MediaError):
    """Pictures after a keyframe refer to the GOP before it: no clean copy starts there."""


def first_frame(cut: SourceCut, fps: int) -> int:
    """The source frame a cut starts on: a sync offset puts cut points between frames, and
    the nearest frame is the one the render would show (``fps`` picks the nearest)."""
    return round(cut.start_s * fps)


def keyframes(cut: SourceCut, start_time: float, fps: int) -> dict[int, float]:
    """Keyframes inside the cut: {frame number from the cut's first frame: file time}.
    Packets are read in decode order; a keyframe followed by a picture shown before it
    (an open GOP) raises ``OpenGop``."""
    origin = first_frame(cut, fps)
    frames = round(cut.duration_s * fps)
    low, high = origin / fps + start_time - 1, (origin + frames) / fps + start_time + 1
    data = ffprobe_json(
        cut.path,
        ["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
         "-read_intervals", f"{max(0.0, low):.6f}%{high:.6f}"],
    )  # fmt: skip
    packets = [
        (float(p["pts_time"]), "K" in p.get("flags", ""))
        for p in data.get("packets", [])
        if p.get("pts_time") not in (None, "N/A")
    ]
    found: dict[int, float] = {}
    for index, (pts, key) in enumerate(packets):
        if not key:
            continue
        following = []
        for later, later_key in packets[index + 1 :]:
            if later_key:
                break
            following.append(later)
        if following and min(following) < pts:
            raise OpenGop(f"open GOP at {pts - start_time:.3f} s", path=cut.path)
        number = round((pts - start_time) * fps) - origin
        if 0 <= number < frames:
            found[number] = pts - start_time
    return dict(sorted(found.items()))


def plan_pieces(cut: SourceCut, frames: int, keys: dict[int, float]) -> list[CopySegment]:
    """Head (re-encoded) up to the first keyframe, whole GOPs copied, tail re-encoded from
    the last keyframe; a cut with fewer than two keyframes is re-encoded whole."""
    if len(keys) < 2:
        return [CopySegment(cut, 0, frames, copy=False)]
    numbers = list(keys)
    first, last = numbers[0], numbers[-1]
    pieces = []
    if first > 0:
        pieces.append(CopySegment(cut, 0, first, copy=False))
    pieces.append(CopySegment(cut, first, last - first, copy=True, keyframe_s=keys[first]))
    pieces.append(CopySegment(cut, last, frames - last, copy=False))
    return pieces


def _piece_args(piece: CopySegment, source: SourceFormat, fps: int, target: Path) -> list[Arg]:
    if piece.copy:
        # a hair past the keyframe: the seek goes back to the keyframe itself
        return ["-ss", f"{piece.keyframe_s + 0.001:.6f}", "-i", piece.cut.path, "-map", "0:v:0",
                "-c:v", "copy", "-frames:v", str(piece.frames), "-bsf:v", "h264_mp4toannexb",
                "-f", "nut", OutputFile(target)]  # fmt: skip
    # half a frame early: an exact seek keeps the first frame at or after it, the one wanted
    start = (first_frame(piece.cut, fps) + piece.first - 0.5) / fps
    level = f"{source.level // 10}.{source.level % 10}"
    return ["-ss", f"{max(0.0, start):.6f}", "-i", piece.cut.path, "-map", "0:v:0",
            "-frames:v", str(piece.frames), "-c:v", SMART_CUT.codec, *SMART_CUT.args(),
            "-profile:v", X264_PROFILES[source.stream.profile or "High"], "-level:v", level,
            "-pix_fmt", "yuv420p", "-r", str(fps), "-bsf:v", "dump_extra=freq=keyframe",
            "-f", "nut", OutputFile(target)]  # fmt: skip


DECODED_AFTER_S = 2.0
"""How much of the copied picture after a re-encoded stretch is decoded too: the camera's
GOP that follows a junction (its pictures must not need the GOP the copy left out)."""


@dataclass(frozen=True)
class FrameWindow:
    """Frames ``[first, first + frames)`` of the film, to be decoded by the check."""

    first: int
    frames: int


@dataclass(frozen=True)
class CopiedPicture:
    """The pieces' concat list, how many frames were copied or re-encoded, and the stretches
    of the film the check decodes (re-encoded pieces and the copied GOP after each)."""

    concat_list: Path
    copied_frames: int
    encoded_frames: int
    decoded: tuple[FrameWindow, ...] = ()


def windows_to_decode(
    pieces: list[tuple[int, int, bool]], total: int, fps: int
) -> tuple[FrameWindow, ...]:
    """From (first film frame, frames, copied) pieces: each re-encoded piece with the next
    DECODED_AFTER_S of picture, overlapping windows merged."""
    after = round(DECODED_AFTER_S * fps)
    merged: list[FrameWindow] = []
    for first, frames, copied in pieces:
        if copied:
            continue
        end = min(total, first + frames + after)
        if merged and first <= merged[-1].first + merged[-1].frames:
            last = merged[-1]
            merged[-1] = FrameWindow(last.first, max(end, last.first + last.frames) - last.first)
        else:
            merged.append(FrameWindow(first, end - first))
    return tuple(merged)


def concat_line(name: str) -> str:
    """A concat-list entry for a file in the list's own folder (``safe=1`` accepts it)."""
    return "file '" + name.replace("'", "'\\''") + "'\n"


def copy_picture(
    timeline: Timeline, formats: dict[Path, SourceFormat], folder: Path
) -> CopiedPicture:
    """Every cut's pieces written into ``folder`` and a concat list joining them."""
    fps = timeline.fps
    lines, copied, encoded = ["ffconcat version 1.0\n"], 0, 0
    number = 0
    placed: list[tuple[int, int, bool]] = []
    for clip in timeline.clips:
        counts = split_units(clip.video, round(clip.duration_s * fps), fps)
        for cut, frames in zip(clip.video, counts, strict=True):
            source = formats[cut.path]
            for piece in plan_pieces(cut, frames, keyframes(cut, source.start_time, fps)):
                name = f"piece-{number:05d}.nut"
                run_ffmpeg(_piece_args(piece, source, fps, folder / name),
                           label="copying" if piece.copy else "re-encoding a cut")  # fmt: skip
                lines += [concat_line(name), f"duration {piece.frames / fps:.6f}\n"]
                placed.append((copied + encoded, piece.frames, piece.copy))
                copied += piece.frames if piece.copy else 0
                encoded += 0 if piece.copy else piece.frames
                number += 1
    concat_list = folder / "pieces.ffconcat"
    concat_list.write_text("".join(lines), encoding="utf-8")
    windows = windows_to_decode(placed, copied + encoded, fps)
    return CopiedPicture(concat_list, copied, encoded, windows)


def decoded_frames(path: Path, window: FrameWindow, fps: int, folder: Path) -> int:
    """Frames a strict decode of ``window`` of ``path``'s picture yields (a decoding error
    raises); the per-frame checksums go to a file in ``folder``. The seek lands on the
    keyframe before the window and decodes from there."""
    sums = folder / "frames.md5"
    start = (window.first - 0.5) / fps
    run_ffmpeg(["-xerror", "-ss", f"{max(0.0, start):.6f}", "-i", path, "-map", "0:v:0",
                "-frames:v", str(window.frames), "-f", "framemd5", OutputFile(sums)],
               label="checking the assembled picture")  # fmt: skip
    lines = sums.read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line and not line.startswith("#"))


def check_frames(output: Path, picture: CopiedPicture, timeline: Timeline, folder: Path) -> None:
    """Every frame in the packet headers, and the re-encoded stretches and the junctions
    after them decodable: the copied GOPs between were decodable in the camera's file and
    are the same bytes."""
    extents = stream_extents(output)
    video = probe(output, check_vfr=False).primary_video
    packets = extents[video.index].packets if video and video.index in extents else 0
    if packets != timeline.frames:
        raise MediaError(
            f"assembled by copy, it holds {packets} frames instead of {timeline.frames}",
            path=output,
        )
    for window in picture.decoded:
        found = decoded_frames(output, window, timeline.fps, folder)
        if found != window.frames:
            at = window.first / timeline.fps
            raise MediaError(
                f"assembled by copy, {found} of {window.frames} frames decode from {at:.3f} s",
                path=output,
            )
