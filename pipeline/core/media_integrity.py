"""Whether a media file holds all the picture and sound its header promises.

A container's duration is what its header says, not what its packets hold: an MP4 whose
index is at the front and whose data was cut at half still says "28.8 s", and the sound,
interleaved ahead of the picture, may run longer than the picture. The real length of each
stream is the end of its last packet, read with ffprobe (demuxing only, nothing decoded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.probe import MediaInfo
from pipeline.core.runner import ffprobe_lines
from pipeline.core.timecode import format_time_ms

TOLERANCE_S = 0.5
"""A stream may end this much before the length its header gives (an encoder's last audio
frame, a rounding of the container's time base) without being called short."""
TAIL_S = 5.0
"""How far before the promised end the quick check starts reading packets; the whole file
is read only when the tail does not hold them."""


@dataclass(frozen=True)
class StreamExtent:
    """Where one stream's packets end, and how many there are (read from ``from_s`` on)."""

    index: int
    end_s: float
    packets: int


@dataclass(frozen=True)
class ShortStream:
    kind: str
    """``picture`` or ``sound``."""
    real_s: float
    promised_s: float


def stream_extents(path: Path, *, from_s: float | None = None) -> dict[int, StreamExtent]:
    """Every stream's last packet end (pts + duration, seconds) and packet count, from the
    whole file or from ``from_s`` (a seek: the counts then cover the tail only)."""
    ends: dict[int, float] = {}
    counts: dict[int, int] = {}

    def take(line: str) -> None:
        fields = line.split(",")[:4]  # MPEG-TS adds side data after some packets
        if len(fields) < 4:
            return
        try:
            index = int(fields[0])
            time = float(fields[1] if fields[1] not in ("", "N/A") else fields[2])
            length = float(fields[3]) if fields[3] not in ("", "N/A") else 0.0
        except ValueError:
            return  # a packet without any time says nothing about the length
        ends[index] = max(ends.get(index, time + length), time + length)
        counts[index] = counts.get(index, 0) + 1

    args = [
        "-of",
        "csv=p=0",
        "-show_entries",
        "packet=stream_index,pts_time,dts_time,duration_time",
    ]
    if from_s is not None:
        args += ["-read_intervals", f"{max(0.0, from_s):.3f}%"]
    ffprobe_lines(path, args, take)
    return {i: StreamExtent(i, ends[i], counts[i]) for i in ends}


ESTIMATED_LENGTH = {"mp3", "aac"}
"""Raw streams whose header length is a guess from the bit rate (a VBR MP3 without a Xing
header "lasts" a second longer than its frames): nothing to compare with."""


def short_streams(info: MediaInfo) -> list[ShortStream]:
    """The streams of ``info`` whose packets stop before the length the header promises.

    A stream with a length of its own (MP4, MOV) is held to it. Streams without one (MKV,
    MPEG-TS) are held together to the file's length: one of them may legitimately end
    early, but not all of them. Times are on the file's own timeline. The tail of the file is
    read first (a few seconds of packets); only a file whose tail does not hold them is read
    whole to find where each stream really stops."""
    streams = [("picture", s) for s in info.video] + [("sound", s) for s in info.audio]
    if not streams or info.container in ESTIMATED_LENGTH:
        return []
    origin = min(s.start_time or 0.0 for _, s in streams)
    own = [(kind, s) for kind, s in streams if s.duration]
    shared = [(kind, s) for kind, s in streams if not s.duration]
    promised = {s.index: (s.start_time or 0.0) + (s.duration or 0.0) for _, s in own}
    file_end = origin + (info.duration or 0.0)
    if max([*promised.values(), file_end]) <= origin:
        return []

    def short(extents: dict[int, StreamExtent]) -> list[ShortStream]:
        def end(index: int) -> float:
            return extents[index].end_s if index in extents else origin

        found = [
            ShortStream(kind, max(0.0, end(s.index) - origin), promised[s.index] - origin)
            for kind, s in own
            if end(s.index) < promised[s.index] - TOLERANCE_S
        ]
        if shared and max(end(s.index) for _, s in shared) < file_end - TOLERANCE_S:
            found += [
                ShortStream(kind, max(0.0, end(s.index) - origin), file_end - origin)
                for kind, s in shared
            ]
        return found

    tail_from = min([*promised.values(), *([file_end] if shared else [])]) - TAIL_S
    if not short(stream_extents(info.path, from_s=tail_from)):
        return []
    return short(stream_extents(info.path))


def truncation_problem(short: list[ShortStream]) -> str:
    """What the videographer reads about a truncated file: where it really stops."""
    stops = " and ".join(
        f"its {s.kind} stops at {format_time_ms(round(s.real_s * 1000))}" for s in short
    )
    promised = max(s.promised_s for s in short)
    return (
        f"truncated: {stops}, where the file says {format_time_ms(round(promised * 1000))}; "
        "keep the card"
    )
