"""Measuring a transcript against a known script (the sample Rencontre's truth).

Used by the tests and ``make bench`` to compare the pipeline with the raw engine: both texts
are normalised the same way (case, punctuation, apostrophes, hyphens) before jiwer counts
word errors.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import jiwer


def normalise(text: str) -> str:
    """Lower case, no punctuation; elisions and hyphenated words split into words."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[’']", "' ", text)
    text = re.sub(r"[^\w' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def word_error_rate(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def spelled(name: str, text: str) -> bool:
    """Whether ``name`` appears in ``text`` exactly as written (case and accents included)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


class BareEngine:
    """Plain faster-whisper with its own defaults (the reference the pipeline is measured
    against): same model, int8 on CPU, language forced, word times, nothing else."""

    def __init__(self, model_path: str) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(model_path, device="cpu", compute_type="int8")

    def segments(self, sound, language: str) -> list:
        """faster-whisper's segments for ``sound`` (a file path or mono 16-kHz samples)."""
        found, _ = self.model.transcribe(
            str(sound) if isinstance(sound, Path) else sound,
            language=language,
            word_timestamps=True,
        )
        return list(found)


def raw_engine_text(model_path: str, audio, language: str) -> str:
    """What the bare engine makes of ``audio``."""
    return " ".join(s.text.strip() for s in BareEngine(model_path).segments(audio, language))


def longest_repeat(text: str, max_words: int = 10) -> tuple[int, str]:
    """(times, phrase): the most consecutive copies of any phrase of 1 to ``max_words`` words
    in ``text`` (a looping decoder writes the same phrase over and over)."""
    words = normalise(text).split()
    best = (1 if words else 0, words[0] if words else "")
    for size in range(1, max_words + 1):
        for start in range(len(words) - size + 1):
            phrase = words[start : start + size]
            count, position = 1, start + size
            while words[position : position + size] == phrase:
                count, position = count + 1, position + size
            if count > best[0]:
                best = (count, " ".join(phrase))
    return best
