"""Guards against Whisper's known failures on debates.

* text in silence, applause or music: segments the model itself thinks are not speech, and
  words whose sound is far quieter than the session's speech;
* known subtitle-credit lines Whisper learnt from French subtitled video;
* repetition loops ("merci merci merci merci...", "qu'il y a une fois qu'il y a une fois...").

Loops are first decoded again by the engine (Whisper's gzip-ratio test and temperature
fallback, in ``engines``); what still repeats is cut here, as a last resort.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from pipeline.session.artifacts.transcript import Segment, Word

CREDIT_LINES = re.compile(
    r"sous-titr\w*\s+(réalisé|fait|par|:)|amara\.org|merci d'avoir regardé|abonnez-vous"
    r"|n'oubliez pas de vous abonner|sous titres réalisés|^\W*(www\.)?\S+\.(com|fr|org)\W*$",
    re.IGNORECASE,
)
"""Credit lines Whisper learnt from subtitled video; a segment that merely mentions
subtitling or a website is kept."""
MAX_REPEATS = 3
MAX_LOOP_WORDS = 10
"""Longest phrase looked for in loops."""
NO_SPEECH_LIMIT = 0.6
LOGPROB_LIMIT = -1.0
QUIET_RATIO = 0.05
"""A word quieter than this fraction of typical speech is not speech. At 0.1 it dropped the
first words of a quiet speaker (a recording at 18 % of the programme's level); at 0.05 the
real programme lost no word and the demo's silences stay empty."""
SHORT_SEGMENT_WORDS = 2
SHORT_SEGMENT_MIN_PROBABILITY = 0.2  # a lone, unsure word or two is an invention


COMPRESSION_RATIO_LIMIT = 2.4
"""Whisper's own tests of a decoded window (its fallback thresholds): text that compresses
better than this is a loop; a mean log-probability under LOGPROB_LIMIT is a guess."""


def passes_whisper_tests(segment: Segment) -> bool:
    """Whether a segment decoded without the fallback would have been kept by Whisper."""
    data = segment.text.encode("utf-8")
    ratio = len(data) / max(1, len(zlib.compress(data)))
    return ratio <= COMPRESSION_RATIO_LIMIT and (segment.avg_logprob or 0) >= LOGPROB_LIMIT


def loops(segment: Segment) -> bool:
    """Whether a phrase repeats more than MAX_REPEATS times in a row in ``segment`` (a loop
    short enough to pass the compression test: "Val de Saône" four times)."""
    return len(collapse_repetitions(segment.words)) < len(segment.words)


def is_credit_line(text: str) -> bool:
    return bool(CREDIT_LINES.search(text))


def collapse_repetitions(words: list[Word]) -> list[Word]:
    """Keep at most MAX_REPEATS consecutive copies of the same phrase of 1 to MAX_LOOP_WORDS
    words."""
    kept: list[Word] = []
    for word in words:
        kept.append(word)
        for size in range(1, MAX_LOOP_WORDS + 1):
            window = size * (MAX_REPEATS + 1)
            if len(kept) < window:
                continue
            tail = [_norm(w.text) for w in kept[-window:]]
            phrase = tail[:size]
            if all(tail[i : i + size] == phrase for i in range(0, window, size)):
                del kept[-size:]
                break
    return kept


def _norm(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def speech_level(audio, rate: int, block_seconds: int = 60) -> float:
    """Typical loudness of speech in the recording: the 90th percentile of 50-ms RMS.

    ``audio`` is anything sliceable to numpy (an array, a RecordingSound); it is read block
    by block so a long recording never sits in memory.
    """
    hop = rate // 20
    block = hop * 20 * block_seconds
    rms = []
    for first in range(0, len(audio), block):
        piece = audio[first : first + block]
        frames = len(piece) // hop
        if frames:
            rms.append(np.sqrt(np.mean(piece[: frames * hop].reshape(frames, hop) ** 2, axis=1)))
    if not rms:
        return 0.0
    return float(np.percentile(np.concatenate(rms), 90))


AUDIBLE_CONTEXT_MS = 150
"""A word is judged with the sound around it: Whisper gives a short word ("s'", "en") a few
milliseconds, often between two loud syllables. Judged on its own window, 7 real words of the
real set were dropped as silent (word error rate up by 0.02 to 0.17 on five recordings)."""


def audible(word: Word, audio: np.ndarray, rate: int, level: float, origin_ms: int) -> bool:
    """Whether there is sound where the word is (an invention in silence has none)."""
    first = max(0, (word.start_ms - AUDIBLE_CONTEXT_MS - origin_ms) * rate // 1000)
    last = max(first + 1, (word.end_ms + AUDIBLE_CONTEXT_MS - origin_ms) * rate // 1000)
    piece = audio[first:last]
    return len(piece) > 0 and float(np.sqrt(np.mean(piece**2))) >= QUIET_RATIO * level


def clean_segment(segment: Segment) -> Segment | None:
    """None when the whole segment is not to be trusted; else with repetition loops cut."""
    if is_credit_line(segment.text) or not re.search(r"\w", segment.text):
        return None  # a credit line, or nothing but punctuation ("? ?")
    if (segment.no_speech_prob or 0) > NO_SPEECH_LIMIT and (
        segment.avg_logprob or 0
    ) < LOGPROB_LIMIT:
        return None
    words = collapse_repetitions(segment.words)
    if not words:
        return None
    if len(words) <= SHORT_SEGMENT_WORDS and (
        sum(w.probability for w in words) / len(words) < SHORT_SEGMENT_MIN_PROBABILITY
    ):
        return None
    return segment.with_words(words)
