"""SRT and WebVTT: writing (pysrt for SRT, a small exact writer for WebVTT) and a strict
reader for both that names the line of every problem.

Reviewers' editors differ (Subtitle Edit, Aegisub, text editors): the reader accepts a BOM,
CRLF line ends, missing or wrong SRT numbers and WebVTT cue identifiers, and refuses what
would silently change the meaning: bad time lines, reversed or overlapping cues, text that
is not UTF-8.
"""

from __future__ import annotations

import html
import io
import math
import re
from pathlib import Path

import pysrt

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.core.fsutil import read_limited
from pipeline.core.timecode import clock
from pipeline.subtitles.cues import Cue


class SubtitleFormatError(CaptureError):
    exit_code = ExitCode.BAD_INPUT


TOP = "{\\an8}"
"""How an SRT cue is kept clear of a lower third: at the top of the frame (the one placement
mark, an ASS override, that SRT players honour)."""

VTT_LINE = 0.053
"""A browser's caption line, as a fraction of the frame height (Chromium's default size)."""


def vtt_line_above(clear_above: float) -> int:
    """The WebVTT line, counted from the bottom (``line:-N``), whose caption ends above
    ``clear_above`` with a line to spare. Lines are the caption's own: larger captions
    chosen by the viewer go higher, never down into what they clear."""
    return math.ceil(clear_above / VTT_LINE) + 2


def to_srt(cues: list[Cue]) -> str:
    items = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index,
                start=pysrt.SubRipTime.from_ordinal(cue.start_ms),
                end=pysrt.SubRipTime.from_ordinal(cue.end_ms),
                text=cue.text if cue.clear_above is None else f"{TOP}{cue.text}",
            )
            for index, cue in enumerate(cues, start=1)
        ]
    )
    out = io.StringIO()
    items.write_into(out, eol="\n")
    return out.getvalue()


def _vtt_text(line: str) -> str:
    """Cue text with & < > escaped, so "-->" or markup in the words can never break it."""
    return html.escape(line, quote=False)


def vtt_cue_text(cue: Cue, *, voices: bool = True) -> str:
    """A cue's text as WebVTT cue text: ``& < >`` escaped, the speaker as a <v Name> span."""
    lines = [_vtt_text(line) for line in cue.lines]
    if voices and cue.speaker:
        name = html.escape(cue.speaker, quote=False).replace(">", "&gt;")
        lines[0] = f"<v {name}>{lines[0]}"
    return "\n".join(lines)


def to_vtt(cues: list[Cue], *, voices: bool = True) -> str:
    """WebVTT; with ``voices``, each cue of a known single speaker is a <v Name> span."""
    parts = ["WEBVTT", ""]
    for index, cue in enumerate(cues, start=1):
        parts.append(str(index))
        above = cue.clear_above
        settings = "" if above is None else f" line:-{vtt_line_above(above)}"
        parts.append(f"{clock(cue.start_ms, '.')} --> {clock(cue.end_ms, '.')}{settings}")
        parts.append(vtt_cue_text(cue, voices=voices))
        parts.append("")
    return "\n".join(parts)


def to_vtt_chapters(chapters: list[tuple[int, int, str]]) -> str:
    """WebVTT chapters (``<track kind="chapters">``): (start ms, end ms, title) each."""
    parts = ["WEBVTT", ""]
    for index, (start, end, title) in enumerate(chapters, start=1):
        parts += [str(index), f"{clock(start, '.')} --> {clock(end, '.')}",
                  _vtt_text(" ".join(title.split())), ""]  # fmt: skip
    return "\n".join(parts)


_TIME = r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)[,.](\d{3})"
_TIME_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SubtitleFormatError(
            f"{path}:{line}: not UTF-8 text (saved as Windows-1252 or Latin-1?): "
            "save the file as UTF-8 and try again"
        ) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_vtt_markup(line: str) -> str:
    """Voice, class and timestamp tags removed, entities decoded."""
    return html.unescape(re.sub(r"</?[A-Za-z][^>]*>|<\d[^>]*>", "", line))


def _strip_srt_markup(line: str) -> str:
    """Editors' formatting (<i>, <font ...>, {\\an8}) removed: captions are plain text here."""
    return re.sub(r"</?(?:i|b|u|font)\b[^>]*>|\{\\[^}]*\}", "", line, flags=re.IGNORECASE)


MAX_SUBTITLE_BYTES = 2_000_000
"""Four hours of dense captions take under 0.5 MB."""
MAX_CUE_CHARACTERS = 500
"""A caption is two lines of at most 42 characters; 500 is a paste gone wrong."""


def read_subtitles(path: Path) -> list[Cue]:
    """Cues of an SRT or WebVTT file; a SubtitleFormatError names the line of any problem."""
    text = _decode(path, read_limited(path, MAX_SUBTITLE_BYTES, "subtitles"))
    lines = text.split("\n")
    vtt = bool(lines) and re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]) is not None
    if path.suffix.lower() == ".vtt" and not vtt:
        raise SubtitleFormatError(f"{path}:1: a WebVTT file starts with 'WEBVTT'")
    cues: list[Cue] = []
    speakers: list[str | None] = []
    number = 1 if vtt else 0
    cue_lines: list[str] = []
    times: tuple[int, int, int] | None = None  # start, end, line number

    def close() -> None:
        nonlocal times, cue_lines
        if times is None:
            return
        start, end, at = times
        if end <= start:
            raise SubtitleFormatError(f"{path}:{at}: the cue ends before it starts")
        if cues and start < cues[-1].end_ms:
            raise SubtitleFormatError(
                f"{path}:{at}: the cue starts at {clock(start)}, before the previous cue "
                f"ends ({clock(cues[-1].end_ms)}): cues overlap or are out of order"
            )
        if not any(line.strip() for line in cue_lines):
            raise SubtitleFormatError(f"{path}:{at}: the cue has no text")
        length = sum(len(line.strip()) for line in cue_lines)
        if length > MAX_CUE_CHARACTERS:
            raise SubtitleFormatError(
                f"{path}:{at}: the cue holds {length} characters: a caption is one or two "
                "lines of at most 42; split it"
            )
        speaker = None
        if vtt:
            voice = re.match(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", cue_lines[0])
            speaker = html.unescape(voice.group(1)).strip() if voice else None
            cue_lines = [_strip_vtt_markup(line) for line in cue_lines]
        else:
            cue_lines = [_strip_srt_markup(line) for line in cue_lines]
        for offset, line in enumerate(cue_lines, start=1):
            if "-->" in line:
                raise SubtitleFormatError(
                    f"{path}:{at + offset}: cue text cannot contain '-->' (it would read as "
                    "a time line): write it another way"
                )
        cues.append(Cue(start, end, tuple(line.strip() for line in cue_lines), speaker=speaker))
        speakers.append(speaker)
        times, cue_lines = None, []

    skipping = vtt  # the WebVTT header block, then NOTE/STYLE/REGION blocks
    for index in range(number, len(lines)):
        line, at = lines[index], index + 1
        if not line.strip():
            close()
            skipping = False
            continue
        if skipping:
            continue
        if times is not None:
            if "-->" in line:
                raise SubtitleFormatError(f"{path}:{at}: a time line inside a cue's text")
            cue_lines.append(line)
            continue
        if vtt and re.match(r"^(NOTE|STYLE|REGION)\b", line):
            skipping = True
            continue
        match = _TIME_LINE.match(line)
        if match:
            groups = match.groups()
            times = (_ms(*groups[:4]), _ms(*groups[4:]), at)
            continue
        if "-->" in line:
            raise SubtitleFormatError(f"{path}:{at}: bad time line {line.strip()!r}")
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        if _TIME_LINE.match(next_line):
            continue  # a cue number (SRT) or identifier (WebVTT)
        if "-->" in next_line:
            raise SubtitleFormatError(f"{path}:{at + 1}: bad time line {next_line.strip()!r}")
        if line.strip().isdigit():
            raise SubtitleFormatError(
                f"{path}:{at + 1}: expected a time line (00:00:01,000 --> 00:00:03,000) after "
                f"cue number {line.strip()}, found {next_line.strip()[:40]!r}"
            )
        raise SubtitleFormatError(
            f"{path}:{at}: expected a cue number or a time line, found {line.strip()[:40]!r}"
        )
    close()
    if not cues:
        raise SubtitleFormatError(f"{path}: no cues in the file")
    return cues
