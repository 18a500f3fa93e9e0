"""Lower thirds: a speaker's name and role over the picture, for a few seconds.

The words come from session.yaml and the cue list, so they are somebody's text: they reach
drawtext only as text files (``textfile=``, with ``expansion=none`` so "%{...}" is shown as
written), in a fresh temporary folder whose path holds only safe characters. The filtergraph
itself carries nothing but that path, numbers and fixed names.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.timeline.lower_thirds import LowerThirdOnFilm
from pipeline.timeline.text_fit import box_border, lower_third_layout, one_line


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
