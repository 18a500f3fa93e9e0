"""Times in cue lists: seconds (12.5), HH:MM:SS.mmm, HH:MM:SS,mmm (as subtitle files and the
subtitle checker write them), or HH:MM:SS:FF (frames at the film's rate, which the
recordings give)."""

from __future__ import annotations

import re
from collections.abc import Callable

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)(?:[.,](\d{1,3}))?$")
_FRAMES = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d):(\d{2})$")


LONGEST_S = 100 * 3600
"""No session lasts longer: a larger time is a typo (and 1e308 s overflows)."""


FrameRate = Callable[[], float]
"""The film's frame rate, asked for only when a time is given in frames."""


def parse_time_ms(value: object, frame_rate: FrameRate | None = None) -> int:
    """Milliseconds on the session clock; ValueError with the accepted forms otherwise.
    A time in frames needs ``frame_rate``."""
    ms = _parse_time_ms(value, frame_rate)
    if ms > LONGEST_S * 1000:
        raise ValueError(f"{value!r} is past {LONGEST_S // 3600} hours: not a time in a session")
    return ms


def _parse_time_ms(value: object, frame_rate: FrameRate | None) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a time, not true/false")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite time")
        if value < 0:
            raise ValueError("must not be negative")
        return round(min(value, LONGEST_S + 1) * 1000)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return round(min(float(text), LONGEST_S + 1) * 1000)
        match = _CLOCK.match(text)
        if match:
            hours, minutes, seconds, millis = match.groups()
            fraction = int((millis or "0").ljust(3, "0"))
            return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + fraction
        match = _FRAMES.match(text)
        if match:
            hours, minutes, seconds, frames = (int(g) for g in match.groups())
            if frame_rate is None:
                raise ValueError(f"{text!r} counts frames, and the film's frame rate is not known "
                                 "here: give the time as HH:MM:SS.mmm")  # fmt: skip
            fps = frame_rate()
            if frames >= fps:
                raise ValueError(f"frame {frames} does not exist at {fps:g} fps")
            return ((hours * 60 + minutes) * 60 + seconds) * 1000 + round(frames * 1000 / fps)
    raise ValueError(
        f"{value!r} is not a time: use seconds (754.2), HH:MM:SS.mmm (00:12:34.200 or "
        "00:12:34,200) or HH:MM:SS:FF (00:12:34:05)"
    )


def on_frame(ms: int, fps: int) -> int:
    """``ms`` moved to the nearest frame start: films cut on whole frames."""
    return int(ms * fps / 1000 + 0.5) * 1000 // fps  # halves up, not to even


def clock(ms: int, separator: str = ",") -> str:
    """12345678 -> '03:25:45,678' (SRT) or with '.' (WebVTT, transcripts, messages)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def format_time_ms(ms: int) -> str:
    """HH:MM:SS.mmm, the form ``parse_time_ms`` reads back (for messages a user may paste
    into a cue list)."""
    return clock(max(0, round(ms)), ".")


def smpte_seconds(timecode: str | None, frame_rate: str | None) -> float | None:
    """A SMPTE timecode ("18:30:04:12", ";" for drop frame) at ``frame_rate`` ("25/1") in
    seconds, or None when either is missing or unreadable."""
    if not timecode or not frame_rate:
        return None
    parts = timecode.replace(";", ":").split(":")
    try:
        hours, minutes, seconds, frames = (int(p) for p in parts)
        num, _, den = frame_rate.partition("/")
        fps = round(int(num) / int(den or 1))
    except ValueError:
        return None
    return hours * 3600 + minutes * 60 + seconds + frames / max(1, fps)
