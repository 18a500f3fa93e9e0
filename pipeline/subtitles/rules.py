"""The subtitle rules of GUIDE §3, in numbers (French); the gap between cues counts frames
of the film."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import archive_rate


@dataclass(frozen=True)
class SubtitleRules:
    fps: int
    """The film's frame rate, for the gap between cues."""
    max_line_chars: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    """Reading speed limit, characters per second (spaces and punctuation counted)."""
    target_cps: float = 15.0
    min_duration_ms: int = 834  # 5/6 s, rounded up to the millisecond
    max_duration_ms: int = 7000
    min_gap_frames: int = 2
    max_tail_ms: int = 500
    """A cue ends at most this long after its last word."""
    long_pause_ms: int = 1200
    """A silence this long is never inside a cue."""

    @property
    def min_gap_ms(self) -> int:
        return round(self.min_gap_frames * 1000 / self.fps)


def session_rules(loaded: LoadedSession) -> SubtitleRules:
    """The rules at the frame rate of the session's films (``folder_film_rate``)."""
    from pipeline.session.siblings import folder_film_rate  # it reads the cue lists

    return SubtitleRules(folder_film_rate(loaded))


def rules_at(fps: int | None = None) -> SubtitleRules:
    """The rules for a subtitle file checked on its own: at ``fps``, else at the archive
    preset's frame rate (the rate films are made at when nothing says otherwise)."""
    if fps is None:
        fps = archive_rate()
    if fps <= 0:
        raise ValueError(f"a frame rate must be positive, not {fps}")
    return SubtitleRules(fps)


def reading_chars(lines: list[str]) -> int:
    """Characters a viewer reads: lines joined by one space (the break counts as a space)."""
    return len(" ".join(lines))
