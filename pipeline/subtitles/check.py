"""The rule checker: every cue against GUIDE §3.

Hard rules (a generated cue never breaks them): at most 2 lines of 42 characters, 5/6 s to 7 s
on screen, 2 frames between cues, no overlap, never before its first word. Reading speed is a
target: 15 characters/s wanted (a style note above it), and above 17 the speech is too fast
to read verbatim, which only a person can fix by condensing: such a cue is flagged for the
reviewer, not broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pipeline.core.timecode import clock
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.french import NO_BREAK_AFTER, bare_word
from pipeline.subtitles.rules import SubtitleRules, reading_chars


class Severity(StrEnum):
    HARD = "hard"
    """A hard rule (GUIDE §3): never broken by a generated cue; ``subtitles check`` exits 1."""
    REVIEW = "review"
    """For the reviewer: speech too fast to read verbatim, to condense."""
    STYLE = "style"
    """Style: line balance, break place, typography, reading speed above the target."""


RULE_NAMES = {
    "lines": "nombre de lignes",
    "line length": "longueur de ligne",
    "too short": "durée trop courte",
    "too long": "durée trop longue",
    "gap": "écart entre sous-titres",
    "overlap": "chevauchement",
    "early": "avance sur la parole",
    "reading speed": "vitesse de lecture",
    "balance": "équilibre des lignes",
    "line break": "coupure de ligne",
    "typography": "typographie",
}
"""Each rule's name as the reviewer reads it (the English key is the stable identifier)."""


@dataclass(frozen=True)
class Violation:
    cue: int
    """1-based cue number."""
    start_ms: int
    rule: str
    detail: str
    """In French: the reviewer reads it in the review sheet, the run log and the checker."""
    severity: Severity

    @property
    def hard(self) -> bool:
        return self.severity is Severity.HARD

    @property
    def when(self) -> str:
        return clock(self.start_ms)

    @property
    def rule_name(self) -> str:
        return RULE_NAMES.get(self.rule, self.rule)

    def __str__(self) -> str:
        return f"sous-titre {self.cue} ({self.when}) : {self.rule_name}, {self.detail}"


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _cps(cue: Cue) -> float:
    return reading_chars(list(cue.lines)) * 1000 / max(1, cue.duration_ms)


def _hard(cue: Cue, number: int, rules: SubtitleRules, previous: Cue | None):
    if len(cue.lines) > rules.max_lines:
        yield "lines", f"{len(cue.lines)} lignes (au plus {rules.max_lines})"
    for line in cue.lines:
        if len(line) > rules.max_line_chars:
            yield (
                "line length",
                f"{len(line)} caractères (au plus {rules.max_line_chars}) : « {line} »",
            )
    if cue.duration_ms < rules.min_duration_ms:
        yield "too short", f"{cue.duration_ms} ms (au moins {rules.min_duration_ms} ms)"
    if cue.duration_ms > rules.max_duration_ms:
        yield "too long", f"{cue.duration_ms} ms (au plus {rules.max_duration_ms} ms)"
    if cue.words and cue.start_ms < cue.words[0].start_ms:
        early = cue.words[0].start_ms - cue.start_ms
        yield "early", f"commence {early} ms avant son premier mot"
    if previous is not None and cue.start_ms < previous.end_ms:
        overlap = previous.end_ms - cue.start_ms
        yield "overlap", f"commence {overlap} ms avant la fin du sous-titre {number - 1}"
    elif previous is not None and cue.start_ms - previous.end_ms < rules.min_gap_ms:
        gap = cue.start_ms - previous.end_ms
        yield (
            "gap",
            f"{gap} ms après le sous-titre {number - 1} (au moins {rules.min_gap_frames} images,"
            f" {rules.min_gap_ms} ms)",
        )


def _review(cue: Cue, rules: SubtitleRules):
    cps = _cps(cue)
    if cps > rules.max_cps:
        yield (
            "reading speed",
            f"{_number(cps)} caractères/s (au plus {rules.max_cps:g}) : la parole est trop"
            " rapide pour être lue telle quelle, à condenser",
        )


def _style(cue: Cue, rules: SubtitleRules):
    cps = _cps(cue)
    if rules.target_cps < cps <= rules.max_cps:
        yield "reading speed", f"{_number(cps)} caractères/s (cible {rules.target_cps:g})"
    if len(cue.lines) == 2 and not cue.lines[0].startswith("-"):
        top, bottom = cue.lines
        if len(top) > len(bottom) + 10:
            yield (
                "balance",
                f"ligne du haut bien plus longue que celle du bas ({len(top)} et {len(bottom)})",
            )
        last = top.split()[-1] if top.split() else ""
        if bare_word(last).rstrip(".,;:!?") in NO_BREAK_AFTER and not last.endswith((",", ".")):
            yield (
                "line break",
                f"la ligne du haut finit par « {last} », qui va avec la suite",
            )
    for line in cue.lines:
        if re.search(r"[^ \t\u00a0\u202f;!?][;!?](?=[ \t]|$)|[ \t][;!?:](?=[ \t]|$)", line):
            yield "typography", "une espace insécable avant ; ! ? et :"
            break
        if re.search(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»", line):
            yield "typography", "une espace insécable à l'intérieur des « »"
            break


def check_cues(cues: list[Cue], rules: SubtitleRules) -> list[Violation]:
    """Every cue against the rules: hard rules, what the reviewer must condense, style."""
    found = []
    previous = None
    for number, cue in enumerate(cues, start=1):
        for severity, checks in (
            (Severity.HARD, _hard(cue, number, rules, previous)),
            (Severity.REVIEW, _review(cue, rules)),
            (Severity.STYLE, _style(cue, rules)),
        ):
            found += [Violation(number, cue.start_ms, r, d, severity) for r, d in checks]
        previous = cue
    return found
