"""Word times from the sound itself: a word does not start in, or stretch over, a pause.

Whisper's word timestamps come from attention and tend to swallow the pause after a word (or
before the first word of a sentence). Each word is trimmed to where its sound really is.
"""

from __future__ import annotations

import numpy as np

from pipeline.transcription.transcript import Word

FRAME_MS = 10
MARGIN_MS = 20
QUIET_FRACTION = 0.1


def _loud_frames(audio: np.ndarray, rate: int, level: float) -> np.ndarray:
    hop = rate * FRAME_MS // 1000
    frames = len(audio) // hop
    rms = np.sqrt(np.mean(audio[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    return rms >= QUIET_FRACTION * level


def tighten(words: list[Word], audio: np.ndarray, rate: int, level: float, origin_ms: int):
    """Words with start and end moved in to the first and last loud 10-ms frame they hold
    (plus a small margin); a word with no loud frame at all is left as it is."""
    if level <= 0 or not len(audio):
        return words
    loud = _loud_frames(audio, rate, level)
    tightened = []
    for word in words:
        first = max(0, (word.start_ms - origin_ms) // FRAME_MS)
        last = min(len(loud), (word.end_ms - origin_ms) // FRAME_MS + 1)
        inside = np.flatnonzero(loud[first:last])
        if len(inside) == 0 or last <= first:
            tightened.append(word)
            continue
        start = origin_ms + (first + int(inside[0])) * FRAME_MS - MARGIN_MS
        end = origin_ms + (first + int(inside[-1]) + 1) * FRAME_MS + MARGIN_MS
        start = max(word.start_ms, start)
        end = min(word.end_ms, end)
        tightened.append(word.model_copy(update={"start_ms": start, "end_ms": max(end, start + 1)}))
    return tightened
