"""Where each moment of the session clock lands in a film made of clips."""

from __future__ import annotations

from dataclasses import dataclass

LEAD_TOLERANCE_MS = 2500
"""Half the longest transition (5 s)."""


@dataclass(frozen=True)
class Span:
    """A clip on the map. Within a transition the first half belongs to the clip going out
    and the second to the one coming in (``session_start_ms``..``session_end_ms``), but the
    whole clip is heard, fading (``heard_start_ms``..``heard_end_ms``): captions follow
    what is heard."""

    session_start_ms: int
    session_end_ms: int
    output_start_ms: int
    heard_start_ms: int | None = None
    heard_end_ms: int | None = None

    @property
    def heard_from_ms(self) -> int:
        return self.session_start_ms if self.heard_start_ms is None else self.heard_start_ms

    @property
    def heard_until_ms(self) -> int:
        return self.session_end_ms if self.heard_end_ms is None else self.heard_end_ms

    def to_output(self, session_ms: int) -> int:
        return self.output_start_ms + session_ms - self.session_start_ms


@dataclass(frozen=True)
class TimeMap:
    """Session moments to film moments, one span per clip (``timeline/pieces.py`` builds
    the map of a film with cards and transitions)."""

    spans: tuple[Span, ...]

    @classmethod
    def from_clips(cls, clips: list[tuple[int, int]]) -> TimeMap:
        """Clips laid end to end with plain cuts."""
        spans, cursor = [], 0
        for start, end in clips:
            spans.append(Span(start, end, cursor))
            cursor += end - start
        return cls(tuple(spans))

    @classmethod
    def identity(cls, end_ms: int) -> TimeMap:
        return cls((Span(0, end_ms, 0),))

    def span_showing(self, session_ms: int) -> Span | None:
        """The span holding ``session_ms``, else the one starting just after it: a moment
        set at a clip's start may lie a rounding or half a transition before its span (a
        clip that comes in through a crossfade starts half of it later on the map)."""
        for span in self.spans:
            if span.session_start_ms <= session_ms < span.session_end_ms:
                return span
        for span in self.spans:
            if span.session_start_ms - LEAD_TOLERANCE_MS <= session_ms < span.session_start_ms:
                return span
        return None

    def to_output(self, session_ms: int) -> int | None:
        """Where ``session_ms`` shows in the film (None if it does not)."""
        span = self.span_showing(session_ms)
        if span is None:
            return None
        return span.to_output(max(session_ms, span.session_start_ms))
