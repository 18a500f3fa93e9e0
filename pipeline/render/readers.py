"""Which ffmpeg input decodes each cut of a film: one input per source file and kind, read
forward, conformed once (picture: progressive, scaled and padded, square pixels, 4:2:0;
sound: 48 kHz stereo) and shared by the cuts of that file through a tree of
``split``/``asplit``, so a full version of 300 clips opens a few decoders and scalers, not
300, and its memory does not grow with its clips.

Each cut then takes its own span by timestamp: the picture goes through its own ``fps``
from the cut's start, so frame 0 is the source frame nearest that start, as with an input
of its own (a missing first frame repeated from the second before, never shifted); the
sound, resampled once, is cut to the exact sample.

A cut that goes back in its file, or starts more than ``MAX_SKIP_S`` after the input's last
cut, gets an input of its own sought just before it: decoding minutes nobody sees costs more
than one more decoder. Pictures between an input's cuts are decoded but never conformed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.runner import Arg
from pipeline.timeline.model import SourceCut

SAMPLE_RATE = 48_000

PREROLL_S = 1.0
"""Seek this much before a cut, and keep this much of the picture before each cut: a demuxer
may land on the keyframe after the target (MPEG-TS does), and a source may hold no frame
right at the cut (a slide recording writes one when the screen changes)."""

MAX_SKIP_S = 60.0
"""The longest stretch of a file an input decodes between two of its cuts."""

MARGIN_S = 0.2
"""What each cut keeps after its end, so its last frames are whole."""

TIMECODE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

SINGLE_THREADED_FROM = 24
"""Inputs from which each decoder runs on one thread: every input's decoder is opened at
the start and keeps its frame-thread buffers; with few inputs the threads make films faster."""


@dataclass(frozen=True)
class Conform:
    """What every piece of the film is made into."""

    fps: int
    width: int
    height: int


@dataclass
class _Reader:
    number: int
    path: Path
    kind: str
    seek_s: float
    end_s: float
    interlaced: bool
    session_s_at_seek: float | None
    """The session clock at the seek point (previews burn it in), if known."""
    spans: list[tuple[float, float]] = field(default_factory=list)
    """Each cut's start and end, seconds after the seek point."""


@dataclass(frozen=True)
class CutStream:
    """Where a cut's frames come from: a label of the graph (holding the cut's span and what
    it keeps around it), and the cut's start in that stream, seconds after its seek point."""

    label: str
    offset_s: float

    def up_to(self, seconds: float) -> str:
        """A trim keeping the second before this cut and ``seconds`` of it."""
        start = max(0.0, self.offset_s - PREROLL_S)
        return f"trim=start={start:.6f}:end={self.offset_s + seconds:.6f}"


@dataclass
class Readers:
    """The film's inputs, planned cut by cut in the order the film plays them."""

    conform: Conform
    timecode: bool = False
    """Burn the session clock into the picture (previews)."""
    _readers: list[_Reader] = field(default_factory=list)

    def take(self, cut: SourceCut, kind: str, session_ms: int | None = None) -> CutStream:
        """The stream holding ``cut``; ``session_ms`` is the session clock at its start."""
        reader = self._reusable(cut, kind, session_ms)
        if reader is None:
            preroll = min(cut.start_s, PREROLL_S)
            number = len(self._readers)
            seek = cut.start_s - preroll
            at_seek = None if session_ms is None else session_ms / 1000 - preroll
            reader = _Reader(number, cut.path, kind, seek, cut.start_s, cut.interlaced, at_seek)
            self._readers.append(reader)
        reader.end_s = cut.start_s + cut.duration_s
        label = f"[r{reader.number}o{len(reader.spans)}]"
        offset = cut.start_s - reader.seek_s
        reader.spans.append((offset, offset + cut.duration_s))
        return CutStream(label, offset)

    def _reusable(self, cut: SourceCut, kind: str, session_ms: int | None) -> _Reader | None:
        """The input of the same file whose last cut ends closest before ``cut``."""
        fitting = [
            reader
            for reader in self._readers
            if reader.path == cut.path
            and reader.kind == kind
            and reader.end_s <= cut.start_s <= reader.end_s + MAX_SKIP_S
            and self._same_clock(reader, cut, session_ms)
        ]
        return max(fitting, key=lambda reader: reader.end_s, default=None)

    def _same_clock(self, reader: _Reader, cut: SourceCut, session_ms: int | None) -> bool:
        """Whether the burnt clock, the input's own time plus its session time at the seek
        point, still shows ``cut``'s session time within half a frame: a drift-corrected
        recording runs slower or faster than the session."""
        if not self.timecode or session_ms is None or reader.session_s_at_seek is None:
            return True
        shown = reader.session_s_at_seek + (cut.start_s - reader.seek_s)
        return abs(shown - session_ms / 1000) <= 0.5 / self.conform.fps

    def __len__(self) -> int:
        return len(self._readers)

    def inputs(self) -> list[Arg]:
        """The inputs, numbered from 0 in this order, each sought ahead of its first cut."""
        threads = ["-threads", "1"] if len(self._readers) >= SINGLE_THREADED_FROM else []
        arguments: list[Arg] = []
        for reader in self._readers:
            other = "-vn" if reader.kind == "audio" else "-an"
            length = reader.end_s - reader.seek_s + 0.5
            arguments += [other, *threads, "-ss", f"{reader.seek_s:.6f}", "-t", f"{length:.6f}"]
            arguments += ["-i", reader.path]
        return arguments

    def chains(self) -> list[str]:
        """Each input conformed and split to its cuts' labels."""
        return [self._chain(reader) for reader in self._readers]

    def _chain(self, reader: _Reader) -> str:
        number = reader.number
        if reader.kind == "audio":
            conformed = (
                f"[{number}:a:0]aresample={SAMPLE_RATE}:async=1:first_pts=0,"
                f"aformat=sample_fmts=fltp:channel_layouts=stereo"
            )
            return ";".join(_fan_out(conformed, reader, "a"))
        c = self.conform
        spans = _any_of([f"between(t,{a:.6f},{b:.6f})" for a, b in _merged(reader.spans)])
        deinterlace = ",bwdif=mode=send_frame:deint=interlaced" if reader.interlaced else ""
        conformed = (
            f"[{number}:v:0]select='{spans}'{deinterlace},"
            f"scale={c.width}:{c.height}:force_original_aspect_ratio=decrease,"
            f"pad={c.width}:{c.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p"
            f"{self._burnt_clock(reader)}"
        )
        return ";".join(_fan_out(conformed, reader, ""))

    def _burnt_clock(self, reader: _Reader) -> str:
        """The session clock drawn top right (previews), ``HH:MM:SS.mmm`` as cue lists take
        it: each picture's own time on the input plus the session time at the seek point,
        so a repeated frame shows its own time. Nothing if the font is missing."""
        if not self.timecode or reader.session_s_at_seek is None:
            return ""
        if not Path(TIMECODE_FONT).is_file():
            return ""
        size = max(10, self.conform.height // 18)
        return (
            f",drawtext=fontfile={TIMECODE_FONT}:"
            f"text='%{{pts\\:hms\\:{reader.session_s_at_seek:.6f}}}':fontsize={size}:"
            f"fontcolor=white:box=1:boxcolor=black@0.6:x=w-tw-{size}:y={size}"
        )


def _kept(reader: _Reader, first: int, last: int, prefix: str) -> str:
    """A trim keeping what cuts ``first``..``last`` need: from a second before the first one
    (its opening frame may lie there) to a little after the last one; "a" for sound."""
    start = max(0.0, reader.spans[first][0] - PREROLL_S)
    end = reader.spans[last][1] + MARGIN_S
    return f"{prefix}trim=start={start:.6f}:end={end:.6f}"


def _fan_out(source: str, reader: _Reader, prefix: str) -> list[str]:
    """Chains taking ``source`` (a stream ending in a filter, no label yet) to each cut's label
    through a balanced tree of ``split``s, each branch trimmed to what its cuts need: a
    frame is handed to the branches around its time, a few per level, not to every cut of
    the input (libavfilter looks through all its filters for each hand-over, so handing each
    frame to hundreds of cuts made a long full version slower than one input per cut)."""
    chains: list[str] = []
    count = 0

    def label_of(first: int, last: int) -> str:
        nonlocal count
        if first == last:
            return f"[r{reader.number}o{first}]"
        count += 1
        return f"[r{reader.number}t{count}]"

    def branch(head: str, first: int, last: int) -> None:
        """``head`` (a filter chain) delivers cuts ``first``..``last`` (``first < last``);
        a single cut's label is a split's output itself, its own span kept by its chain."""
        middle = (first + last) // 2
        left, right = label_of(first, middle), label_of(middle + 1, last)
        chains.append(f"{head},{prefix}split=2{left}{right}")
        for label, (a, b) in ((left, (first, middle)), (right, (middle + 1, last))):
            if a != b:
                branch(f"{label}{_kept(reader, a, b, prefix)}", a, b)

    if len(reader.spans) == 1:
        chains.append(f"{source},{prefix}null[r{reader.number}o0]")
    else:
        branch(source, 0, len(reader.spans) - 1)
    return chains


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans with what each cut keeps around it, overlapping ones merged, in order."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        start, end = max(0.0, start - PREROLL_S), end + MARGIN_S
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _any_of(terms: list[str]) -> str:
    """The terms summed as a balanced tree: ffmpeg's expression parser refuses deep nesting,
    and a flat sum of a few hundred terms nests as deep as it is long."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return f"({_any_of(terms[:middle])}+{_any_of(terms[middle:])})"
