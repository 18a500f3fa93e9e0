"""The subtitle rules of GUIDE §3, in numbers (French, 25 fps)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubtitleRules:
    max_line_chars: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    """Reading speed limit, characters per second (spaces and punctuation counted)."""
    target_cps: float = 15.0
    min_duration_ms: int = 834  # 5/6 s, rounded up to the millisecond
    max_duration_ms: int = 7000
    fps: float = 25.0
    min_gap_frames: int = 2
    max_tail_ms: int = 500
    """A cue ends at most this long after its last word."""
    long_pause_ms: int = 1200
    """A silence this long is never inside a cue."""

    @property
    def min_gap_ms(self) -> int:
        return round(self.min_gap_frames * 1000 / self.fps)


RULES = SubtitleRules()


def reading_chars(lines: list[str]) -> int:
    """Characters a viewer reads: lines joined by one space (the break counts as a space)."""
    return len(" ".join(lines))
