"""Speech-recognition engines behind one interface (times in ms from the audio's start)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.transcription.transcript import Segment, Word

SAMPLE_RATE = 16_000


class Engine(Protocol):
    name: str

    def transcribe(
        self, audio: np.ndarray, *, language: str, hotwords: str | None
    ) -> list[Segment]:
        """Segments with word times, in ms from the start of ``audio`` (mono 16 kHz)."""


class FasterWhisperEngine:
    """CTranslate2 Whisper: int8 on CPU, float16 on GPU; Silero VAD on."""

    name = "faster-whisper"

    def __init__(self, model_path: Path | str, device: str = "cpu") -> None:
        from faster_whisper import WhisperModel

        compute_type = "float16" if device == "cuda" else "int8"
        self.model = WhisperModel(str(model_path), device=device, compute_type=compute_type)

    def transcribe(
        self, audio: np.ndarray, *, language: str, hotwords: str | None
    ) -> list[Segment]:
        segments, _ = self.model.transcribe(
            audio,
            language=language,
            vad_filter=True,
            word_timestamps=True,
            condition_on_previous_text=False,
            # no sampling fallback: decoding is deterministic, so a resumed run gives the same
            # words as an uninterrupted one; loops and inventions are caught by our guards
            temperature=0.0,
            hotwords=hotwords or None,  # given with every window, unlike initial_prompt
        )
        result = []
        for segment in segments:
            words = [
                Word(
                    text=w.word.strip(),
                    start_ms=round(w.start * 1000),
                    end_ms=round(w.end * 1000),
                    probability=round(w.probability, 4),
                )
                for w in segment.words or []
                if w.word.strip()
            ]
            if not words:
                continue
            result.append(
                Segment(
                    start_ms=words[0].start_ms,
                    end_ms=words[-1].end_ms,
                    text=segment.text.strip(),
                    words=words,
                    avg_logprob=round(segment.avg_logprob, 4),
                    no_speech_prob=round(segment.no_speech_prob, 4),
                )
            )
        return result
