"""Speech-recognition engines behind one interface (times in ms from the audio's start).

Both engines see the same speech regions (Silero VAD, shipped with faster-whisper), are forced
to the session's language and get the glossary with every 30-s window. A window whose text
compresses too well (a loop: Whisper's gzip-ratio test) or that the model is unsure of is
decoded again at rising temperatures, Whisper's own fallback; the sampler is seeded before
every call, so the same sound always gives the same words and a resumed run equals an
uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.core.errors import MissingDependencyError
from pipeline.session.artifacts.transcript import Segment, Word

SAMPLE_RATE = 16_000
ENGINE_NAMES = ("faster-whisper", "openai-whisper")
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""Whisper's fallback: measured on the real set, a single temperature of 0 looped on music
("coup de coup de...", 221 words on 22 s) where the fallback writes nothing."""
SEED = 1
DECODING = 4
"""Bumped whenever decoding changes what a chunk gives (part of the checkpoints' run key, so
a resumed run never mixes chunks decoded two ways): 2 = 16-bit input, seeded fallback, the
previous window's text as context; 3 = a fresh start after every break in the speech; 4 = the
last stretch to the last sample, lone words of the second look dropped."""


class Engine(Protocol):
    name: str

    def transcribe(
        self, audio: np.ndarray, *, language: str, hotwords: str | None, fallback: bool = True
    ) -> list[Segment]:
        """Segments with word times, in ms from the start of ``audio`` (mono 16 kHz);
        ``fallback=False`` decodes at temperature 0 only (a quick second look)."""


def as_pcm16(audio: np.ndarray) -> np.ndarray:
    """The sound as 16-bit PCM, back in float32: what Whisper's own loaders (openai-whisper's
    ``load_audio``, faster-whisper's ``decode_audio``) hand the model. Whisper base is so
    sensitive that the rounding alone changed a word in 3 of 22 real recordings."""
    return (np.round(audio * 32768).clip(-32768, 32767) / 32768).astype(np.float32)


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of speech found by Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(audio, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in found]


def _segment(words: list[Word], text: str, avg_logprob: float, no_speech: float):
    return Segment(
        start_ms=words[0].start_ms,
        end_ms=words[-1].end_ms,
        text=text.strip(),
        words=words,
        avg_logprob=round(avg_logprob, 4),
        no_speech_prob=round(no_speech, 4),
    )


def _spoken(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _words(raw: Iterable[tuple[str, float, float, float]]) -> list[Word]:
    """The engine's words, punctuation joined to the word it belongs to. French output puts
    a space before ``?``, ``!`` and ``:``, so Whisper gives them as words of their own, with
    times that often cover the pause after the sentence (a "?" held 0.9 s hid the pause a
    cut was asked in): they are written on the word before (or after, for an opening one)
    and never timed."""
    words: list[Word] = []
    opening = ""
    for text, start, end, probability in raw:
        text = text.strip()
        if not text:
            continue
        if not _spoken(text):
            if words:
                last = words[-1]
                words[-1] = last.model_copy(update={"text": last.text + text})
            else:
                opening += text
            continue
        words.append(
            Word(
                text=opening + text,
                start_ms=round(start * 1000),
                end_ms=round(end * 1000),
                probability=round(float(probability), 4),
            )
        )
        opening = ""
    return words


class FasterWhisperEngine:
    """CTranslate2 Whisper: int8 on CPU, float16 on GPU."""

    name = "faster-whisper"
    options: dict = {
        "vad_filter": True,
        # the previous window's text as context: measured on the 12-minute real programme,
        # 0.288 word error rate against 0.342 without (Whisper skipped sentences); a window
        # that needed a temperature above 0.5 starts afresh, so a loop does not carry over
        "condition_on_previous_text": True,
        "temperature": TEMPERATURES,
    }

    def __init__(self, model_path: Path | str, device: str = "cpu") -> None:
        from faster_whisper import WhisperModel

        compute_type = "float16" if device == "cuda" else "int8"
        self.model = WhisperModel(str(model_path), device=device, compute_type=compute_type)

    def transcribe(
        self, audio: np.ndarray, *, language: str, hotwords: str | None, fallback: bool = True
    ) -> list[Segment]:
        import ctranslate2

        ctranslate2.set_random_seed(SEED)  # the fallback samples: same sound, same words
        segments, _ = self.model.transcribe(
            as_pcm16(audio),
            language=language,
            word_timestamps=True,
            hotwords=hotwords or None,  # given with every window, unlike initial_prompt
            **{**self.options, **({} if fallback else {"temperature": 0.0})},
        )
        result = []
        for segment in segments:
            words = _words((w.word, w.start, w.end, w.probability) for w in segment.words or [])
            if words:
                result.append(
                    _segment(words, segment.text, segment.avg_logprob, segment.no_speech_prob)
                )
        return result


class OpenAIWhisperEngine:
    """OpenAI's reference Whisper (PyTorch): for a GPU or an existing Whisper cache.

    ``model`` is a name (``base``, ``large-v3``..., downloaded by openai-whisper when online)
    or the path of a ``.pt`` checkpoint.
    """

    name = "openai-whisper"

    def __init__(self, model: Path | str, device: str = "cpu") -> None:
        try:
            import whisper
        except ImportError as error:
            raise MissingDependencyError(
                "the openai-whisper engine is not installed: pip install 'capture[openai-whisper]'"
                " (with torch==2.13.0 first on a CPU-only machine)"
            ) from error
        self.model = whisper.load_model(str(model), device=device)
        self.fp16 = device == "cuda"

    def transcribe(
        self, audio: np.ndarray, *, language: str, hotwords: str | None, fallback: bool = True
    ) -> list[Segment]:
        import torch

        audio = as_pcm16(audio)
        segments = []
        for first, last in speech_regions(audio):
            torch.manual_seed(SEED)
            # one call per speech region: openai-whisper's own clip_timestamps can loop on
            # a window forever when word times pull the seek back
            offset = first
            piece = audio[int(first * SAMPLE_RATE) : int(last * SAMPLE_RATE)]
            result = self.model.transcribe(
                piece,
                language=language,
                task="transcribe",
                temperature=TEMPERATURES if fallback else 0.0,
                word_timestamps=True,
                condition_on_previous_text=True,  # as the faster-whisper engine
                initial_prompt=hotwords or None,
                carry_initial_prompt=bool(hotwords),  # the glossary in every window
                fp16=self.fp16,
                verbose=None,
            )
            for segment in result["segments"]:
                words = _words(
                    (w["word"], w["start"] + offset, w["end"] + offset, w["probability"])
                    for w in segment.get("words", [])
                )
                if words:
                    segments.append(
                        _segment(
                            words,
                            segment["text"],
                            segment["avg_logprob"],
                            segment["no_speech_prob"],
                        )
                    )
        return segments
