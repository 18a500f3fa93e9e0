"""Glossary spelling: near-misses of the session's names, places and acronyms set right.

The glossary is given to the model as hotwords, which helps but does not guarantee the
spelling ("D'Ana Benali" for "Nadia Benali"). After decoding, a run of as many words as a
glossary term is replaced by the term when (1) its most distinctive word (the family name,
the last word of a place) is almost identical and (2) the whole run is close. A short term
(an acronym) only gets its case fixed on an exact match: "pat" becomes "PAT", "pas" stays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.session.artifacts.transcript import Segment, Word, join_words

WHOLE_MIN = 75.0
KEY_WORD_MIN = 85.0
SHORT_TERM = 4
EVERYDAY_SHORT_WORDS = {
    "ce", "ces", "sud", "nord", "est", "eu", "pas", "sol", "cas", "art", "or", "on",
    "en", "un", "une", "le", "la", "les", "de", "du", "des", "et", "ou", "si", "ni", "car",
    "mai", "son", "sa", "ses", "nos", "vos", "fin", "gaz", "air", "eau", "bio", "bus",
}  # fmt: skip
"""Short words that are also acronyms somewhere ("CE", "SUD"): never recased."""


def plain_text(text: str) -> str:
    """Lower case, no accents, words of letters and digits only (for fuzzy matching)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass(frozen=True)
class _Term:
    text: str
    words: tuple[str, ...]
    plain: str
    key: str

    @classmethod
    def of(cls, text: str) -> _Term:
        words = tuple(text.split())
        plain = plain_text(text)
        parts = plain.split()
        # the family name (or the last word of a place) tells terms apart best
        key = parts[-1] if parts and len(parts[-1]) >= 4 else max(parts, key=len, default="")
        return cls(text, words, plain, key)


def _trailing_punctuation(text: str) -> str:
    match = re.search(r"[^\w]+$", text)
    return match.group(0) if match else ""


def _matches(term: _Term, words: list[Word]) -> bool:
    plain = plain_text(" ".join(w.text for w in words))
    if (
        not plain
        or plain == term.plain
        and join_words(words).lstrip("'’").rstrip(".,;:!?") == term.text
    ):
        return False  # already right
    if len(term.plain) <= SHORT_TERM:
        # an acronym ("PAT", "AMAP") in lower case, unless that is an everyday word too
        acronym = sum(c.isupper() for c in term.text) >= 2
        return acronym and plain == term.plain and plain not in EVERYDAY_SHORT_WORDS
    candidates = plain.split()
    if not candidates or not any(
        fuzz.ratio(term.key, c) >= KEY_WORD_MIN for c in candidates + [plain.replace(" ", "")]
    ):
        return False
    return fuzz.ratio(term.plain, plain) >= WHOLE_MIN


def _replace(term: _Term, words: list[Word]) -> list[Word]:
    """The term's words over the time span of ``words`` (split in proportion to length)."""
    start, end = words[0].start_ms, words[-1].end_ms
    tail = _trailing_punctuation(words[-1].text)
    total = sum(len(w) for w in term.words)
    out, cursor = [], start
    for index, text in enumerate(term.words):
        last = index == len(term.words) - 1
        stop = end if last else cursor + (end - start) * len(text) // total
        out.append(
            Word(
                text=text + (tail if last else ""),
                start_ms=cursor,
                end_ms=max(stop, cursor + 1),
                probability=min(w.probability for w in words),
            )
        )
        cursor = stop
    return out


def correct_spelling(segment: Segment, terms: list[str]) -> tuple[Segment, int]:
    """The segment with glossary near-misses replaced, and how many were replaced."""
    glossary = sorted((_Term.of(t) for t in terms if t.strip()), key=lambda t: -len(t.words))
    words = list(segment.words)
    replaced = 0
    index = 0
    while index < len(words):
        for term in glossary:
            size = len(term.words)
            hit = (
                size
                if index + size <= len(words) and _matches(term, words[index : index + size])
                else 0
            )
            if hit:
                first = index
                if words[index].text[:1] in "'’" and index > 0 and len(words[index - 1].text) <= 2:
                    if len(term.words) > 1:
                        first = index - 1  # "D" + "'Ana Benali": the name replaces both
                    else:
                        elided = words[index].text[0]  # "l" + "'amap": l'AMAP
                        term = _Term(elided + term.text, (elided + term.words[0],), "", "")
                replacement = _replace(term, words[first : index + hit])
                words[first : index + hit] = replacement
                index = first
                replaced += 1
                index += len(replacement) - 1
                break
        index += 1
    if not replaced:
        return segment, 0
    return segment.with_words(words), replaced
