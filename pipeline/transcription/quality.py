"""Measuring a transcript against a known script (the sample Rencontre's truth).

Used by the tests and ``make bench`` to compare the pipeline with the raw engine: both texts
are normalised the same way (case, punctuation, apostrophes, hyphens) before jiwer counts
word errors.
"""

from __future__ import annotations

import re
import unicodedata

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


def raw_engine_text(model_path: str, audio, language: str) -> str:
    """What plain faster-whisper makes of ``audio`` with its defaults (the reference the
    pipeline is measured against): same model, language forced, nothing else."""
    from faster_whisper import WhisperModel

    model = WhisperModel(model_path, device="cpu", compute_type="int8")
    segments, _ = model.transcribe(audio, language=language, word_timestamps=True)
    return " ".join(s.text.strip() for s in segments)
