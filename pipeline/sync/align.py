"""Placing every recording on the session clock by audio cross-correlation.

Coarse to fine: a whitened (GCC-PHAT) correlation of the whole recordings at 1 kHz finds the
lag anywhere in their overlap; short windows at 8 kHz along the overlap then measure the lag
precisely at many moments. A robust straight-line fit through those lags gives the offset
(intercept) and the relative clock drift (slope); the share of windows that agree with the
line is the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SYNC_RATE = 8000
COARSE_FACTOR = 8  # 1 kHz for the whole-recording search
WINDOW_SECONDS = 4.0
WINDOW_STEP_SECONDS = 2.0
SEARCH_SECONDS = 0.05  # fine search around the guide line
COARSE_CHUNK_SECONDS = 60.0  # coarse search by one-minute chunks of a long target...
COARSE_CHUNKS = 12  # ...this many of them
CLEAR_PEAK_RATIO = 1.5
GUIDE_CHUNK_SECONDS = 30.0  # medium stage: chunks at 1 kHz...
GUIDE_SEARCH_SECONDS = 2.5  # ...searched this far around the coarse lag (2 h at 300 ppm)
MAX_GUIDE_CHUNKS = 120
INLIER_SECONDS = 0.0015
MIN_WINDOWS = 3
MAX_WINDOWS = 400  # a 2-hour recording is measured every ~18 s rather than every 2 s


@dataclass(frozen=True)
class Alignment:
    """Where ``target`` lies in ``reference``: reference_time = offset + t x (1 + drift)."""

    offset: float
    drift: float
    confidence: float
    windows: int
    peak_ratio: float


def _gcc_phat(reference: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Whitened cross-correlation; index k is the lag where ``part`` starts at reference[k]
    (negative lags wrap to the end)."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(part))))
    spectrum = np.fft.rfft(reference, n) * np.conj(np.fft.rfft(part, n))
    spectrum /= np.abs(spectrum) + 1e-9
    return np.fft.irfft(spectrum, n)


def _decimate(signal: np.ndarray, factor: int) -> np.ndarray:
    usable = len(signal) - len(signal) % factor
    return signal[:usable].reshape(-1, factor).mean(axis=1)


def _peak(correlation: np.ndarray, index: int) -> float:
    """Sub-sample peak position by a parabola through the peak and its neighbours."""
    if 0 < index < len(correlation) - 1:
        a, b, c = correlation[index - 1], correlation[index], correlation[index + 1]
        denominator = a - 2 * b + c
        if denominator:
            return index + 0.5 * (a - c) / denominator
    return float(index)


def coarse_lag(ref: np.ndarray, tgt: np.ndarray) -> tuple[float, float]:
    """Seconds where target starts in reference (may be negative) and the peak ratio, from
    the two signals decimated to the coarse rate.

    Long targets are searched by a few one-minute chunks, each against the whole reference:
    over a whole two-hour recording a drifting clock would smear the peak over a second, over
    a minute it moves by milliseconds. The chunks' lags agree to within that drift.
    """
    coarse_rate = SYNC_RATE / COARSE_FACTOR
    chunk = int(COARSE_CHUNK_SECONDS * coarse_rate)
    if len(tgt) <= 2 * chunk:
        starts, size = [0], len(tgt)
    else:
        loudness = float(np.sqrt(np.mean(tgt**2)))
        candidates = np.linspace(0, len(tgt) - chunk, 4 * COARSE_CHUNKS).astype(int)
        loud = [c for c in candidates if np.sqrt(np.mean(tgt[c : c + chunk] ** 2)) >= loudness / 2]
        pool = loud or list(candidates)
        picks = np.linspace(0, len(pool) - 1, min(COARSE_CHUNKS, len(pool))).astype(int)
        starts, size = [pool[i] for i in picks], chunk
    n = 1 << int(np.ceil(np.log2(len(ref) + size)))
    reference_spectrum = np.fft.rfft(ref, n)
    found: list[tuple[float, float]] = []
    for start in starts:
        piece = tgt[start : start + size]
        spectrum = reference_spectrum * np.conj(np.fft.rfft(piece, n))
        spectrum /= np.abs(spectrum) + 1e-9
        lag, ratio = _best_lag(np.fft.irfft(spectrum, n), len(ref), len(piece))
        found.append((lag - start / coarse_rate, ratio))
    # chunks that agree (within the drift two hours can build up) are evidence even when each
    # peak alone is modest; chance peaks land anywhere
    groups = [[g for g in found if abs(g[0] - f[0]) <= GUIDE_SEARCH_SECONDS / 2] for f in found]
    best = max(groups, key=lambda g: (len(g), max(r for _, r in g)))
    if len(best) >= 2 or best[0][1] >= CLEAR_PEAK_RATIO:
        return float(np.median([g[0] for g in best])), float(max(r for _, r in best))
    if size == len(tgt):
        return best[0]
    return coarse_lag_whole(ref, tgt)  # the overlap may lie between the chunks


def coarse_lag_whole(ref: np.ndarray, tgt: np.ndarray) -> tuple[float, float]:
    """The whole target against the whole reference (for targets the chunks cannot place)."""
    return _best_lag(_gcc_phat(ref, tgt), len(ref), len(tgt))


def _best_lag(correlation: np.ndarray, ref_length: int, piece_length: int) -> tuple[float, float]:
    """Seconds where the piece starts in the reference, and the peak's ratio to the highest
    peak half a second or more away from it (1 = ambiguous)."""
    coarse_rate = SYNC_RATE / COARSE_FACTOR
    n = len(correlation)
    # lags from -(piece_length - 1) to ref_length - 1
    lags = np.concatenate([correlation[n - piece_length + 1 :], correlation[:ref_length]])
    best = int(np.argmax(lags))
    guard = int(0.5 * coarse_rate)
    others = np.concatenate([lags[: max(0, best - guard)], lags[best + guard :]])
    second = float(others.max()) if len(others) else 0.0
    ratio = float(lags[best]) / second if second > 0 else float("inf")
    return (best - (piece_length - 1)) / coarse_rate, ratio


def _theil_sen(times: np.ndarray, lags: np.ndarray) -> tuple[float, float]:
    """Median of pairwise slopes: robust to the windows that matched the wrong place."""
    i, j = np.triu_indices(len(times), k=1)
    dt = times[j] - times[i]
    keep = dt > 0
    slope = float(np.median((lags[j] - lags[i])[keep] / dt[keep])) if keep.any() else 0.0
    intercept = float(np.median(lags - slope * times))
    return intercept, slope


def _guide_line(ref: np.ndarray, tgt: np.ndarray, lag: float) -> tuple[float, float]:
    """A first line lag(t) = a + b t from 30-s chunks at the coarse rate, so the fine windows
    still find their place after a long recording has drifted by a second."""
    coarse_rate = SYNC_RATE / COARSE_FACTOR
    chunk = int(GUIDE_CHUNK_SECONDS * coarse_rate)
    search = int(GUIDE_SEARCH_SECONDS * coarse_rate)
    step = max(chunk, len(tgt) // MAX_GUIDE_CHUNKS)
    loudness = float(np.sqrt(np.mean(tgt**2))) if len(tgt) else 0.0
    times, lags = [], []
    for start in range(0, max(0, len(tgt) - chunk), step):
        piece = tgt[start : start + chunk]
        if np.sqrt(np.mean(piece**2)) < 0.5 * loudness:
            continue
        expected = int(round(lag * coarse_rate)) + start
        first = expected - search
        if first < 0 or expected + chunk + search > len(ref):
            continue
        correlation = _gcc_phat(ref[first : expected + chunk + search], piece)[: 2 * search + 1]
        position = _peak(correlation, int(np.argmax(correlation)))
        times.append(start / coarse_rate)
        lags.append((first + position - start) / coarse_rate)
    if len(times) < MIN_WINDOWS:
        return lag, 0.0
    return _theil_sen(np.array(times), np.array(lags))


def align(reference: np.ndarray, target: np.ndarray, rate: int = SYNC_RATE) -> Alignment | None:
    """Align ``target`` to ``reference`` (mono float32 at ``rate``); None without overlap."""
    ref_coarse = _decimate(reference, COARSE_FACTOR)
    tgt_coarse = _decimate(target, COARSE_FACTOR)
    lag, peak_ratio = coarse_lag(ref_coarse, tgt_coarse)
    guide_offset, guide_drift = _guide_line(ref_coarse, tgt_coarse, lag)
    window = int(WINDOW_SECONDS * rate)
    search = int(SEARCH_SECONDS * rate)
    step = max(int(WINDOW_STEP_SECONDS * rate), len(target) // MAX_WINDOWS)
    loudness = float(np.sqrt(np.mean(target**2))) if len(target) else 0.0
    times, lags = [], []
    for start in range(0, max(0, len(target) - window), step):
        piece = target[start : start + window]
        if np.sqrt(np.mean(piece**2)) < 0.5 * loudness:
            continue  # room tone: nothing to match
        expected = int(round((guide_offset + guide_drift * start / rate) * rate)) + start
        first = expected - search
        if first < 0 or expected + window + search > len(reference):
            continue  # outside the overlap
        segment = reference[first : expected + window + search]
        correlation = _gcc_phat(segment, piece)[: 2 * search + 1]
        position = _peak(correlation, int(np.argmax(correlation)))
        times.append(start / rate)
        lags.append((first + position - start) / rate)
    if len(times) < MIN_WINDOWS:
        if not (0 <= lag or -lag < len(target) / rate):
            return None
        return Alignment(lag, 0.0, 0.0, len(times), peak_ratio)
    t, measured = np.array(times), np.array(lags)
    intercept, slope = _theil_sen(t, measured)
    residual = np.abs(measured - (intercept + slope * t))
    inliers = residual < INLIER_SECONDS
    if inliers.sum() >= MIN_WINDOWS:
        slope, intercept = np.polyfit(t[inliers], measured[inliers], 1)
    confidence = float(inliers.mean())
    return Alignment(float(intercept), float(slope), confidence, len(times), peak_ratio)
