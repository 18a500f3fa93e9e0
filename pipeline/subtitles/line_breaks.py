"""Cue text into at most two balanced lines, broken where French allows it."""

from __future__ import annotations

from pipeline.subtitles.french import break_penalty, typography
from pipeline.subtitles.rules import SubtitleRules

BAD_LAYOUT = 1e9
LINE_BREAK_WEIGHT = 1.5


def layout_lines(
    text: str, protected: set[tuple[str, str]], rules: SubtitleRules
) -> tuple[tuple[str, ...], float]:
    """(lines, cost) for ``text``; cost BAD_LAYOUT when it cannot fit the rules.

    One line when it fits; else the break with the lowest cost: a good place to break
    (break_penalty), balanced lines, the lower line the longer one when they differ.
    """
    text = typography(" ".join(text.split()))
    if len(text) <= rules.max_line_chars:
        return (text,), 0.0
    tokens = text.split(" ")
    best: tuple[tuple[str, ...], float] = ((text,), BAD_LAYOUT)
    for index in range(1, len(tokens)):
        top, bottom = " ".join(tokens[:index]), " ".join(tokens[index:])
        if len(top) > rules.max_line_chars or len(bottom) > rules.max_line_chars:
            continue
        cost = LINE_BREAK_WEIGHT * break_penalty(tokens[index - 1], tokens[index], protected)
        if top.count("«") > top.count("»"):
            cost += 10.0  # a short quotation stays on one line
        cost += abs(len(top) - len(bottom)) / 4 + (2.0 if len(top) > len(bottom) + 2 else 0.0)
        if cost < best[1]:
            best = ((top, bottom), cost)
    return best


def dashed(first: str, second: str, rules: SubtitleRules) -> tuple[str, ...] | None:
    """Two speakers in one cue: a dash at the start of each one's line, or None."""
    lines = (f"- {typography(first)}", f"- {typography(second)}")
    return lines if all(len(line) <= rules.max_line_chars for line in lines) else None
