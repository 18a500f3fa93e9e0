"""Where a quote is said: its words found in the transcript near the cue list's ``at``."""

from __future__ import annotations

from pipeline.core.timecode import clock
from pipeline.session.artifacts.transcript import Word
from pipeline.timeline.quotes import find_quote

SEARCH_BEFORE_MS = 3_000
SEARCH_AFTER_MS = 90_000
LEAD_MS = 300
"""Room before the first word and after the last (a breath, not a cut into the voice)."""
TAIL_MS = 600


def quote_span(text: str, at_ms: int, words: list[Word]) -> tuple[int, int, bool]:
    """(start, end) on the session clock of the words of ``text`` said from about
    ``at_ms``, and whether they were found. When the transcript words them too differently
    to be matched (a quote the editor took from the printed programme, a voice Whisper
    mishears), the quote is taken as said from ``at_ms``, as many words as it has, and the
    caller says so. ValueError when nothing is said there, or the words are said in several
    places."""
    near = [w for w in words if at_ms - SEARCH_BEFORE_MS <= w.start_ms <= at_ms + SEARCH_AFTER_MS]
    if not near:
        raise ValueError(f"nothing is said around {clock(at_ms)} in the transcript")
    try:
        first, after = find_quote(text, near)
    except ValueError as error:
        if "several places" in str(error):
            raise
        following = [w for w in near if w.end_ms > at_ms]
        if not following:
            raise ValueError(f"nothing is said from {clock(at_ms)} in the transcript") from None
        said, found = following[: max(1, len(text.split()))], False
    else:
        said, found = near[first:after], True
    return max(0, said[0].start_ms - LEAD_MS), said[-1].end_ms + TAIL_MS, found
