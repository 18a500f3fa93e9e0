"""Where a quote is said: its words found in the transcript near the cue list's ``at``."""

from __future__ import annotations

from pipeline.core.timecode import clock
from pipeline.session.artifacts.transcript import Word
from pipeline.timeline.resolve import find_quote

SEARCH_BEFORE_MS = 3_000
SEARCH_AFTER_MS = 90_000
LEAD_MS = 300
"""Room before the first word and after the last (a breath, not a cut into the voice)."""
TAIL_MS = 600


def quote_span(text: str, at_ms: int, words: list[Word]) -> tuple[int, int]:
    """(start, end) on the session clock of the words of ``text`` said from about
    ``at_ms``; ValueError names the moment when they are not found there."""
    near = [w for w in words if at_ms - SEARCH_BEFORE_MS <= w.start_ms <= at_ms + SEARCH_AFTER_MS]
    if not near:
        raise ValueError(f"nothing is said around {clock(at_ms)} in the transcript")
    first, after = find_quote(text, near)
    return max(0, near[first].start_ms - LEAD_MS), near[after - 1].end_ms + TAIL_MS
