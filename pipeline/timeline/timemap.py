"""Where each moment of the session clock lands in a film made of clips."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    session_start_ms: int
    session_end_ms: int
    output_start_ms: int

    def to_output(self, session_ms: int) -> int:
        return self.output_start_ms + session_ms - self.session_start_ms


@dataclass(frozen=True)
class TimeMap:
    """Clips laid end to end after ``lead_in_ms`` (an opening title card)."""

    spans: tuple[Span, ...]

    @classmethod
    def from_clips(cls, clips: list[tuple[int, int]], lead_in_ms: int = 0) -> TimeMap:
        spans, cursor = [], lead_in_ms
        for start, end in clips:
            spans.append(Span(start, end, cursor))
            cursor += end - start
        return cls(tuple(spans))

    @classmethod
    def identity(cls, end_ms: int) -> TimeMap:
        return cls((Span(0, end_ms, 0),))
