"""The cycle's search index, built at publish time and searched in the browser with no
server: every paragraph of every published transcript, its words reduced to their French
stem (Snowball, the stemmer Sphinx and Lucene use) with accents and case folded.

The browser needs no stemmer of its own: the index carries every word form seen with its
stem (``forms``), so a visitor's "agricole", "agricoles" or "AGRICOLE" finds the same
paragraphs; a word never said matches the forms it begins. It is a script assigning one
global, not JSON fetched, so it also works from ``file://``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+", re.UNICODE)
"""Letters and digits: "2040" and "PAT" are searched like any word."""
STOP_WORDS = frozenset(
    """a au aux avec ce ces c d dans de des du elle en et eux il ils je j l la le les leur
    lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa
    se ses son sur t ta te tes toi ton tu un une vos votre vous y est sont ete etre avoir
    ont a as ai cette cet ca""".split()
)
"""Folded French function words: in the text shown, never in the index."""


@dataclass(frozen=True)
class Passage:
    session: int
    """Index into the sessions listed with the index."""
    start_s: float
    speaker: str | None
    text: str


def fold(text: str) -> str:
    """Lower case, accents and ligatures folded: "Œuvre Économique" → "oeuvre economique"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


def stem(word: str) -> str:
    """The folded Snowball French stem of one word (stemmed before folding: the algorithm
    reads accents)."""
    return fold(_stemmer().stemWord(word.lower()))


def words(text: str) -> list[str]:
    """The words of a text as written (elisions split: "l'agriculture" → "l", "agriculture")."""
    return WORD.findall(text)


def build_index(sessions: list[dict], passages: list[Passage]) -> dict:
    """``{"sessions", "passages", "stems", "forms", "stop_words"}``: passages as [session,
    start, speaker, text]; ``stems`` maps a stem to the passages holding it; ``forms`` a
    folded word to its stem; ``stop_words`` the words a query skips (never indexed)."""
    stems: dict[str, list[int]] = {}
    forms: dict[str, str] = {}
    for number, passage in enumerate(passages):
        for word in words(passage.text):
            folded = fold(word)
            if folded in STOP_WORDS or len(folded) < 2:
                continue
            if folded not in forms:  # each form stemmed once (Snowball is the slow part)
                forms[folded] = stem(word)
            found = stems.setdefault(forms[folded], [])
            if not found or found[-1] != number:
                found.append(number)
    return {
        "sessions": sessions,
        "passages": [[p.session, round(p.start_s, 3), p.speaker, p.text] for p in passages],
        "stems": dict(sorted(stems.items())),
        "forms": dict(sorted(forms.items())),
        "stop_words": sorted(STOP_WORDS),
    }
