"""Sound events for the captions of the deaf and hard of hearing: applause, found where no
word is heard.

Applause is noise made of many claps: its spectrum is flat (spectral flatness between 300 Hz
and 7 kHz of 0.13 on a real audience, 0.55 on the sample's synthetic applause), where
music, speech and the usual room and street noises are tonal or coloured (0.000 to 0.008
measured on the clips of ``../shared/speech-fr``). A room's own hiss is flat too, so a frame
must also stand well above the chunk's noise floor. Frames near a word are never taken:
claps under speech are not captioned (the words are). Breath and fricatives can be as
flat for a moment: a stretch must last 1.5 s and not be voiced (the median over its 40-ms
frames of the autocorrelation's highest peak between 1 and 12.5 ms: applause 0.13 to 0.35,
speech 0.44 to 0.80).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.5
HOP_S = 0.25
FLATNESS_MIN = 0.1
"""Applause measured 0.13 (real) to 0.55 (synthetic); music, speech, noise ≤ 0.008 in the
median, and the flattest loud half-second of real speech outside its words 0.06."""
ABOVE_FLOOR_DB = 10.0
"""How far above the chunk's noise floor (its 10th percentile half-second) applause is."""
MIN_EVENT_S = 1.5
VOICED_MAX = 0.4
"""Median periodicity above which a flat stretch is taken for speech, not applause."""
MERGE_GAP_S = 0.5
WORD_MARGIN_MS = 200
BAND_HZ = (300.0, 7000.0)
BLOCK_FRAMES = 256


@dataclass(frozen=True)
class SoundSpan:
    start_ms: int
    end_ms: int
    kind: str


def _frames(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start (ms), level (dB) and spectral flatness of each half-second, every quarter."""
    size, hop = int(FRAME_S * rate), int(HOP_S * rate)
    if len(audio) < size:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    starts = np.arange(0, len(audio) - size + 1, hop)
    windows = np.lib.stride_tricks.sliding_window_view(audio, size)
    freqs = np.fft.rfftfreq(size, 1 / rate)
    inside = (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])
    taper = np.hanning(size).astype(np.float32)
    level, flatness = np.empty(len(starts)), np.empty(len(starts))
    for first in range(0, len(starts), BLOCK_FRAMES):  # a block at a time: memory stays small
        chosen = slice(first, first + BLOCK_FRAMES)
        frames = windows[starts[chosen]]
        band = np.abs(np.fft.rfft(frames * taper, axis=1))[:, inside] ** 2 + 1e-12
        flatness[chosen] = np.exp(np.mean(np.log(band), axis=1)) / np.mean(band, axis=1)
        level[chosen] = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    return starts * 1000 // rate, level, flatness


def periodicity(audio: np.ndarray, rate: int) -> float:
    """Median over 40-ms frames of the normalised autocorrelation's highest peak at lags of
    1 to 12.5 ms (pitches of 80 Hz to 1 kHz): near 1 for voiced speech and notes, low for
    noise."""
    size = int(0.04 * rate)
    count = len(audio) // size
    if count == 0:
        return 0.0
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(frames, 2 * size, axis=1)
    correlation = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    energy = correlation[:, :1]
    heard = energy[:, 0] > 1e-9 * size
    if not heard.any():
        return 0.0
    peaks = (correlation[heard, rate // 1000 : rate // 80] / energy[heard]).max(axis=1)
    return float(np.median(peaks))


def applause(
    audio: np.ndarray, rate: int, words: list[tuple[int, int]]
) -> list[SoundSpan]:  # fmt: skip
    """Stretches of applause in ``audio`` (ms from its start), away from ``words`` (their
    start and end in the same ms)."""
    starts, level, flatness = _frames(audio, rate)
    if not len(starts):
        return []
    floor = float(np.percentile(level, 10))
    frame_ms = int(FRAME_S * 1000)
    taken = sorted(words)
    found: list[SoundSpan] = []
    for start, db, flat in zip(starts.tolist(), level, flatness, strict=True):
        end = start + frame_ms
        if flat < FLATNESS_MIN or db < floor + ABOVE_FLOOR_DB:
            continue
        if any(a - WORD_MARGIN_MS < end and start < b + WORD_MARGIN_MS for a, b in taken):
            continue
        if found and start - found[-1].end_ms <= MERGE_GAP_S * 1000:
            found[-1] = SoundSpan(found[-1].start_ms, end, "applause")
        else:
            found.append(SoundSpan(start, end, "applause"))
    return [
        span for span in found
        if span.end_ms - span.start_ms >= MIN_EVENT_S * 1000
        and periodicity(audio[span.start_ms * rate // 1000 : span.end_ms * rate // 1000],
                        rate) < VOICED_MAX
    ]  # fmt: skip
