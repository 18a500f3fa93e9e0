"""Lower thirds on a film's timeline: when each is shown and how high its box reaches, so
the render draws them and the subtitles keep clear of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from pipeline.session import Session
from pipeline.session.cuelist import CueList
from pipeline.timeline.text_fit import (
    REFERENCE_HEIGHT,
    REFERENCE_WIDTH,
    TextDoesNotFit,
    box_border,
    line_height,
    lower_third_layout,
)
from pipeline.timeline.timemap import TimeMap

UNFITTING_TOP = 0.5
"""Where captions go while a lower third too long to draw is due (``capture render`` refuses
it at its cue list's line; subtitles are built before and must not fail on it)."""


@dataclass(frozen=True)
class LowerThirdOnFilm:
    start_s: float
    end_s: float
    name: str
    detail: str
    cue_index: int
    """Its place in the cue list's ``lower_thirds`` (to point at its line)."""

    @cached_property
    def top(self) -> float:
        """The top of its highest box, as a fraction of the frame height from the bottom
        (laid out at 1080p: every size of the film scales that layout; computed once, as each
        caption shown with it asks)."""
        try:
            lines = lower_third_layout(self.name, self.detail, REFERENCE_WIDTH, REFERENCE_HEIGHT)
        except TextDoesNotFit:  # the render refuses it at its line; keep captions clear
            return UNFITTING_TOP
        highest = lines[-1]
        top = highest.from_bottom + line_height(highest.font, highest.size)
        return (top + box_border(highest.size)) / REFERENCE_HEIGHT


def lower_thirds(
    cue_list: CueList,
    session: Session,
    timemap: TimeMap,
    others: Mapping[str, Session] | None = None,
) -> list[LowerThirdOnFilm]:
    """Each lower third on the film's timeline, cut at the end of its clip; those whose
    moment is not in the film are left out. A lower third in another session (``others``,
    by folder name) names one of that session's people."""
    sessions = {None: session, **(others or {})}
    placed = []
    for cue_index, item in enumerate(cue_list.lower_thirds):
        span = timemap.span_showing(item.at)
        if span is None:
            continue
        start = span.to_output(max(item.at, span.session_start_ms)) / 1000
        end = min(start + item.duration, span.to_output(span.session_end_ms) / 1000)
        named = sessions.get(item.session)
        person = next((p for p in named.people if p.name == item.speaker), None) if named else None
        known = (person.role, person.organisation) if person else ()
        detail = ", ".join(x for x in known if x)
        placed.append(LowerThirdOnFilm(start, end, item.speaker, detail, cue_index))
    return placed
