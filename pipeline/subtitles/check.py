"""The rule checker: every cue against GUIDE §3, hard rules and style warnings apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.subtitles.cues import Cue, clock
from pipeline.subtitles.french import NO_BREAK_AFTER, bare_word
from pipeline.subtitles.rules import RULES, SubtitleRules, reading_chars


@dataclass(frozen=True)
class Violation:
    cue: int
    """1-based cue number."""
    start_ms: int
    rule: str
    detail: str
    hard: bool

    @property
    def when(self) -> str:
        return clock(self.start_ms)


def _hard(cue: Cue, number: int, rules: SubtitleRules, previous: Cue | None):
    if len(cue.lines) > rules.max_lines:
        yield "lines", f"{len(cue.lines)} lines (at most {rules.max_lines})"
    for line in cue.lines:
        if len(line) > rules.max_line_chars:
            yield (
                "line length",
                f"{len(line)} characters (at most {rules.max_line_chars}): {line!r}",
            )
    cps = reading_chars(list(cue.lines)) * 1000 / max(1, cue.duration_ms)
    if cps > rules.max_cps:
        yield "reading speed", f"{cps:.1f} characters/s (at most {rules.max_cps:g})"
    if cue.duration_ms < rules.min_duration_ms:
        yield "too short", f"{cue.duration_ms} ms (at least {rules.min_duration_ms} ms)"
    if cue.duration_ms > rules.max_duration_ms:
        yield "too long", f"{cue.duration_ms} ms (at most {rules.max_duration_ms} ms)"
    if previous is not None and cue.start_ms - previous.end_ms < rules.min_gap_ms:
        gap = cue.start_ms - previous.end_ms
        yield "gap", f"{gap} ms after cue {number - 1} (at least {rules.min_gap_frames} frames)"


def _style(cue: Cue, rules: SubtitleRules):
    cps = reading_chars(list(cue.lines)) * 1000 / max(1, cue.duration_ms)
    if rules.target_cps < cps <= rules.max_cps:
        yield "reading speed", f"{cps:.1f} characters/s (target {rules.target_cps:g})"
    if len(cue.lines) == 2 and not cue.lines[0].startswith("-"):
        top, bottom = cue.lines
        if len(top) > len(bottom) + 10:
            yield "balance", f"top line much longer than the bottom ({len(top)} vs {len(bottom)})"
        last = top.split()[-1] if top.split() else ""
        if bare_word(last).rstrip(".,;:!?") in NO_BREAK_AFTER and not last.endswith((",", ".")):
            yield "line break", f"the top line ends with {last!r}, which belongs with what follows"
    for line in cue.lines:
        if re.search(r"[^ \t\u00a0\u202f;!?][;!?](?=[ \t]|$)|[ \t][;!?:](?=[ \t]|$)", line):
            yield "typography", "a no-break space goes before ; ! ? and : (French)"
            break
        if re.search(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»", line):
            yield "typography", "a no-break space goes inside « »"
            break


def check_cues(cues: list[Cue], rules: SubtitleRules = RULES) -> list[Violation]:
    found = []
    previous = None
    for number, cue in enumerate(cues, start=1):
        for rule, detail in _hard(cue, number, rules, previous):
            found.append(Violation(number, cue.start_ms, rule, detail, hard=True))
        for rule, detail in _style(cue, rules):
            found.append(Violation(number, cue.start_ms, rule, detail, hard=False))
        previous = cue
    return found
