"""Lower thirds: a speaker's name and role over the picture, for a few seconds.

The words come from session.yaml and the cue list, so they are somebody's text: they reach
drawtext only as text files (``textfile=``, with ``expansion=none`` so "%{...}" is shown as
written), in a fresh temporary folder whose path holds only safe characters. The filtergraph
itself carries nothing but that path, numbers and fixed names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.render.text_layout import (
    REFERENCE_HEIGHT,
    REFERENCE_WIDTH,
    TextDoesNotFit,
    box_border,
    line_height,
    lower_third_layout,
    one_line,
)
from pipeline.session import Session
from pipeline.session.cuelist import CueList
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


def lower_thirds(cue_list: CueList, session: Session, timemap: TimeMap) -> list[LowerThirdOnFilm]:
    """Each lower third on the film's timeline, cut at the end of its clip; those whose
    moment is not in the film are left out."""
    people = {p.name: p for p in [session.facilitator, *session.speakers] if p is not None}
    placed = []
    for cue_index, item in enumerate(cue_list.lower_thirds):
        span = timemap.span_showing(item.at)
        if span is None:
            continue
        start = span.to_output(max(item.at, span.session_start_ms)) / 1000
        end = min(start + item.duration, span.to_output(span.session_end_ms) / 1000)
        person = people.get(item.speaker)
        known = (person.role, person.organisation) if person else ()
        detail = ", ".join(x for x in known if x)
        placed.append(LowerThirdOnFilm(start, end, item.speaker, detail, cue_index))
    return placed


def drawtext_chain(items: list[LowerThirdOnFilm], folder: Path, width: int, height: int) -> str:
    """Filters (",drawtext=...") drawing ``items``, each laid out by ``lower_third_layout``;
    their text files go into ``folder`` (from ``runner.filter_safe_tempdir``)."""
    chain = []
    for index, item in enumerate(items):
        lines = lower_third_layout(item.name, item.detail, width, height)
        for number, line in enumerate(lines):
            path = folder / f"lower-{index}-{number}.txt"
            path.write_text(one_line(line.text), encoding="utf-8")
            chain.append(
                f",drawtext=fontfile={line.font}:textfile={path}:expansion=none:"
                f"fontsize={line.size}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw="
                f"{box_border(line.size)}:x={round(width * 0.1) + box_border(line.size)}:"
                f"y=h-{line.from_bottom}-th:enable='between(t,{item.start_s:.3f},{item.end_s:.3f})'"
            )
    return "".join(chain)
