"""Lower thirds: a speaker's name and role over the picture, for a few seconds.

The words come from session.yaml and the cue list, so they are somebody's text: they reach
drawtext only as text files (``textfile=``, with ``expansion=none`` so "%{...}" is shown as
written), in a fresh temporary folder whose path holds only safe characters. The filtergraph
itself carries nothing but that path, numbers and fixed names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.session import Session
from pipeline.timeline.cuelist import CueList
from pipeline.timeline.timemap import TimeMap

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class LowerThirdOnFilm:
    start_s: float
    end_s: float
    name: str
    detail: str


def lower_thirds(cue_list: CueList, session: Session, timemap: TimeMap) -> list[LowerThirdOnFilm]:
    """Each lower third on the film's timeline, cut at the end of its clip; those whose
    moment is not in the film are left out."""
    people = {p.name: p for p in [session.facilitator, *session.speakers] if p is not None}
    placed = []
    for item in cue_list.lower_thirds:
        span = timemap.span_showing(item.at)
        if span is None:
            continue
        start = span.to_output(max(item.at, span.session_start_ms)) / 1000
        end = min(start + item.duration, span.to_output(span.session_end_ms) / 1000)
        person = people.get(item.speaker)
        known = (person.role, person.organisation) if person else ()
        detail = ", ".join(x for x in known if x)
        placed.append(LowerThirdOnFilm(start, end, item.speaker, detail))
    return placed


def drawtext_chain(items: list[LowerThirdOnFilm], folder: Path, height: int) -> str:
    """Filters (",drawtext=...") drawing ``items``; their text files go into ``folder``
    (from ``runner.filter_safe_tempdir``)."""
    if not items:
        return ""
    size = max(10, round(height * 0.045))
    margin = round(height * 0.1)  # inside the title-safe area
    chain = []
    for index, item in enumerate(items):
        lines = [(item.name, BOLD_FONT, size, margin + round(size * 1.5))]
        if item.detail:
            lines.append((item.detail, FONT, round(size * 0.8), margin))
        else:
            lines[0] = (item.name, BOLD_FONT, size, margin)
        for number, (text, font, font_size, from_bottom) in enumerate(lines):
            path = folder / f"lower-{index}-{number}.txt"
            path.write_text(text.replace("\r", " ").replace("\n", " "), encoding="utf-8")
            chain.append(
                f",drawtext=fontfile={font}:textfile={path}:expansion=none:"
                f"fontsize={font_size}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw="
                f"{max(2, font_size // 4)}:x={round(height * 16 / 9 * 0.1)}:"
                f"y=h-{from_bottom}-th:enable='between(t,{item.start_s:.3f},{item.end_s:.3f})'"
            )
    return "".join(chain)
