"""French text for subtitles: where a line may break, and typography.

Line breaks follow the usual French subtitling conventions (GUIDE §3): break after
punctuation and before conjunctions and prepositions; never between an article, a
preposition, a pronoun, an auxiliary or a negation and the word it introduces, nor inside a
name from the glossary.
"""

from __future__ import annotations

import re

ARTICLES = {"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux"}
PREPOSITIONS = {
    "à", "a", "dans", "en", "par", "pour", "sur", "sous", "avec", "sans", "chez", "vers",
    "entre", "contre", "depuis", "pendant", "selon", "jusqu", "jusque", "parmi", "après",
    "avant", "malgré",
}  # fmt: skip
CONJUNCTIONS = {
    "et", "ou", "mais", "donc", "car", "ni", "or", "que", "qu", "qui", "quand", "si",
    "comme", "lorsque", "puisque", "parce", "dont", "où",
}  # fmt: skip
PRONOUNS = {
    "je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "m", "te",
    "t", "se", "s", "lui", "leur", "y", "ce", "c", "ça", "cela",
}  # fmt: skip
DETERMINERS = {
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre",
    "vos", "leurs", "cet", "cette", "ces", "quel", "quelle", "quels", "quelles", "chaque",
    "plusieurs", "certains", "certaines", "tout", "toute", "tous", "toutes",
}  # fmt: skip
AUXILIARIES = {
    "ai", "as", "avons", "avez", "ont", "avait", "avaient", "aura", "suis", "es", "est",
    "sommes", "êtes", "sont", "était", "étaient", "sera", "été", "va", "vais", "vont",
    "peut", "peuvent", "doit", "doivent", "faut",
}  # fmt: skip
NEGATION = {"ne", "n"}
ADVERBS_BEFORE = {"très", "plus", "moins", "si", "trop", "aussi", "assez", "bien"}
NUMBERS = {
    "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "quinze", "vingt", "trente", "quarante", "cinquante", "soixante", "cent", "mille",
    "premier", "première", "dernier", "dernière",
}  # fmt: skip
TITLES = {"m.", "mme", "mme.", "dr", "dr.", "pr", "pr.", "monsieur", "madame"}

NO_BREAK_AFTER = (
    ARTICLES | PREPOSITIONS | PRONOUNS | DETERMINERS | AUXILIARIES | NEGATION | TITLES
    | ADVERBS_BEFORE | NUMBERS | {"que", "qu", "qui", "dont", "si", "et", "ou", "mais", "ni"}
)  # fmt: skip
BREAK_BEFORE = CONJUNCTIONS | PREPOSITIONS


def bare_word(word: str) -> str:
    """'L'alimentation' -> 'l' (the elided head counts), 'Monsieur,' -> 'monsieur,'."""
    word = word.lower().strip('«»"“”()[]')
    head = re.split(r"['’]", word, maxsplit=1)[0] if re.search(r"['’]", word) else word
    return head


def break_penalty(before: str, after: str, protected: set[tuple[str, str]]) -> float:
    """Cost of breaking a line (or a cue) between ``before`` and ``after``: 0 is ideal
    (after a full stop), high values are to be avoided."""
    if (before, after) in protected:
        return 100.0  # inside a glossary name: "Nadia | Benali"
    if before.endswith((".", "?", "!", "…")):
        return 0.0
    if before.endswith((",", ";", ":", "»")):
        return 1.0
    head = bare_word(before)
    if head.rstrip(".,;:!?") in NO_BREAK_AFTER or re.search(r"['’]$", before):
        return 30.0
    if re.fullmatch(r"\d+([.,]\d+)?", head):
        return 20.0  # a number stays with its unit or noun
    if bare_word(after) in BREAK_BEFORE:
        return 3.0
    return 8.0


def protected_pairs(terms: list[str]) -> set[tuple[str, str]]:
    """Adjacent word pairs inside glossary terms (names, places), never to be separated."""
    pairs = set()
    for term in terms:
        words = term.split()
        pairs.update(zip(words, words[1:], strict=False))
    return pairs


NBSP = "\u00a0"
NNBSP = "\u202f"


def typography(text: str) -> str:
    """French typography: a narrow no-break space before ; ! ? and a no-break space before :
    and inside « », straight double quotes turned into « ». Only punctuation that ends a
    word is touched ("?!" stays together; "18:30", "https://", "page?id=3" stay as they are).
    Idempotent."""
    text = re.sub(r'"([^"\n]+)"', r"«\1»", text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(r"[ \u00a0\u202f]*»", NBSP + "»", text)
    end = r"(?=[ \u00a0\u202f»)\]]|$)"
    text = re.sub(rf"(?<=[^\s;!?])[ \u00a0\u202f]*([;!?]+){end}", NNBSP + r"\1", text)
    text = re.sub(rf"(?<=[^\s\d:])[ \u00a0\u202f]*:{end}", NBSP + ":", text)
    return text
