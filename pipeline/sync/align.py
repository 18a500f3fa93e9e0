"""Placing every recording on the session clock by audio cross-correlation.

Coarse to fine: a whitened (GCC-PHAT) correlation at 1 kHz proposes a few lags anywhere in
the overlap; for each, short windows at 8 kHz along the overlap measure the lag precisely at
many moments, and a robust straight-line fit through them gives the offset (intercept) and
the relative clock drift (slope). The lag whose windows agree best wins; the share of windows
on its line is the confidence, and how clearly it beats the runner-up says whether repeated
sound could have fooled it.

Repeated sound fits several places alike; the contenders are then compared on what differs
between their places (``sync/duel.py``), and the one that wins its closest duel most clearly
is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from pipeline.sync.duel import Line, duel, margin, parabolic_peak

SYNC_RATE = 8000
COARSE_FACTOR = 8  # 1 kHz for the whole-recording search
WINDOW_SECONDS = 4.0
WINDOW_STEP_SECONDS = 2.0
SEARCH_SECONDS = 0.05  # fine search around the guide line
COARSE_CHUNK_SECONDS = 60.0  # coarse search by one-minute chunks of a long target...
COARSE_CHUNKS = 12  # ...this many of them
SAME_PLACEMENT_SECONDS = 0.1
CLEAR_RUNNER_UP = 0.5  # a runner-up with at most half the evidence is no contender...
DISTINCT_SIGMAS = 3.0  # ...else the kept placement must win this clearly, window by window
MAX_CANDIDATES = 4  # placements measured along the whole overlap...
CHUNK_PEAKS = 24  # ...from this many peaks of each coarse chunk (a loop repeats this often)
GUIDE_CHUNK_SECONDS = 30.0  # medium stage: chunks at 1 kHz...
GUIDE_SEARCH_SECONDS = 2.5  # ...searched this far around the coarse lag (2 h at 300 ppm)
MAX_GUIDE_CHUNKS = 120
INLIER_SECONDS = 0.0015
MIN_WINDOWS = 3
MAX_WINDOWS = 400  # a 2-hour recording is measured every ~18 s rather than every 2 s
MIN_DUEL_WINDOWS = math.ceil(DISTINCT_SIGMAS**2)  # fewer votes cannot win by DISTINCT_SIGMAS


@dataclass(frozen=True)
class Alignment:
    """Where ``target`` lies in ``reference``: reference_time = offset + t x (1 + drift)."""

    offset: float
    drift: float
    confidence: float
    """The share of the measured windows that agree with the line."""
    windows: int
    wins: float = 1.0
    """Of the windows both this placement and its closest contender measured, the share where
    the target's sound is likelier recorded here, judged on what differs between the two
    places (0.5: nothing tells them apart, as with a recording of a recording)."""
    compared: int = 0
    """How many of those windows voted (0: none, or no other placement came close)."""
    runner_up: float = 0.0
    """The closest contender's evidence (correlation) as a share of this placement's: 0 when
    no other placement fits at all, above 1 when this one correlates less but is where the
    sound that never repeats agrees."""

    @property
    def distinct(self) -> bool:
        """No other placement comes close: the runner-up has at most ``CLEAR_RUNNER_UP`` of
        the evidence, or the target is likelier here in more windows than chance allows
        (``DISTINCT_SIGMAS`` standard deviations above a coin toss)."""
        if self.runner_up <= CLEAR_RUNNER_UP:
            return True
        return margin(self.wins, self.compared) >= DISTINCT_SIGMAS


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


def coarse_candidates(ref: np.ndarray, tgt: np.ndarray) -> list[float]:
    """Seconds where target may start in reference (possibly negative), most likely first,
    from the two signals decimated to the coarse rate.

    Long targets are searched by a few one-minute chunks, each against the whole reference:
    over a whole two-hour recording a drifting clock would smear the peak over a second, over
    a minute it moves by milliseconds. Each chunk proposes its highest peaks; a lag proposed by
    several chunks (within the drift two hours can build up) ranks first. Several candidates
    are kept because speech can repeat (a jingle, a looped recording, a quote read twice):
    the fine stage decides between them on the whole overlap.
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
    proposals: list[list[tuple[float, float]]] = []
    for start in starts:
        piece = tgt[start : start + size]
        spectrum = reference_spectrum * np.conj(np.fft.rfft(piece, n))
        spectrum /= np.abs(spectrum) + 1e-9
        peaks = _top_lags(np.fft.irfft(spectrum, n), len(ref), len(piece), CHUNK_PEAKS)
        proposals.append([(lag - start / coarse_rate, height) for lag, height in peaks])
    ranked = _ranked(proposals)
    if size != len(tgt) and (not ranked or _support(proposals, ranked[0]) < 2):
        # no two chunks agree: the overlap may lie between them
        whole = _top_lags(_gcc_phat(ref, tgt), len(ref), len(tgt), MAX_CANDIDATES)
        ranked = [lag for lag, _ in whole[:2]] + ranked
    distinct: list[float] = []
    for lag in ranked:
        if all(abs(lag - other) > 0.5 for other in distinct):
            distinct.append(lag)
    return distinct[:MAX_CANDIDATES]


def _support(proposals: list[list[tuple[float, float]]], lag: float) -> int:
    """How many chunks propose ``lag`` (within the drift two hours can build up)."""
    near = GUIDE_SEARCH_SECONDS / 2
    return sum(any(abs(other - lag) <= near for other, _ in chunk) for chunk in proposals)


def _ranked(proposals: list[list[tuple[float, float]]]) -> list[float]:
    """Every proposed lag by the summed height of the chunks' peaks that agree with it (a lag
    all chunks see beats one a single chunk sees higher), each as the median of those peaks."""
    near = GUIDE_SEARCH_SECONDS / 2
    scored = []
    for lag, _ in (p for chunk in proposals for p in chunk):
        agreeing = [
            max((h, o) for o, h in near_lag)
            for chunk in proposals
            if (near_lag := [(o, h) for o, h in chunk if abs(o - lag) <= near])
        ]
        weight = sum(h for h, _ in agreeing)
        scored.append((weight, float(np.median([o for _, o in agreeing]))))
    scored.sort(key=lambda item: item[0], reverse=True)
    return [lag for _, lag in scored]


def _top_lags(
    correlation: np.ndarray, ref_length: int, piece_length: int, count: int
) -> list[tuple[float, float]]:
    """Up to ``count`` peaks (seconds where the piece starts in the reference, height),
    highest first, each half a second or more from a higher one."""
    coarse_rate = SYNC_RATE / COARSE_FACTOR
    n = len(correlation)
    # lags from -(piece_length - 1) to ref_length - 1
    lags = np.concatenate([correlation[n - piece_length + 1 :], correlation[:ref_length]])
    guard = int(0.5 * coarse_rate)
    found = []
    for _ in range(count):
        best = int(np.argmax(lags))
        if not np.isfinite(lags[best]) or lags[best] <= 0:
            break
        found.append(((best - (piece_length - 1)) / coarse_rate, float(lags[best])))
        lags[max(0, best - guard) : best + guard] = -np.inf
    return found


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
        position = parabolic_peak(correlation, int(np.argmax(correlation)))
        times.append(start / coarse_rate)
        lags.append((first + position - start) / coarse_rate)
    if len(times) < MIN_WINDOWS:
        return lag, 0.0
    return _theil_sen(np.array(times), np.array(lags))


def align(reference: np.ndarray, target: np.ndarray, rate: int = SYNC_RATE) -> Alignment | None:
    """Align ``target`` to ``reference`` (mono float32 at ``rate``); None without overlap.

    Every coarse candidate is measured along the whole overlap. When one has clearly the most
    evidence (the sum of its windows' correlation peaks on the fitted line), it is kept; when
    others come close (repeated sound), the contenders are compared two by two on what differs
    between their places (``sync/duel.py``), and the one that beats each other most clearly is kept,
    with the figures of its closest duel."""
    ref_coarse = _decimate(reference, COARSE_FACTOR)
    tgt_coarse = _decimate(target, COARSE_FACTOR)
    fits = [_fit(reference, target, ref_coarse, tgt_coarse, lag, rate)
            for lag in coarse_candidates(ref_coarse, tgt_coarse)]  # fmt: skip
    ranked = sorted((f for f in fits if f is not None), key=lambda f: sum(f[1].values()),
                    reverse=True)  # fmt: skip
    found: list[tuple[Alignment, dict[int, float]]] = []
    for fit in ranked:  # two coarse lags the guide line led to one placement are one
        if all(abs(fit[0].offset - kept.offset) > SAME_PLACEMENT_SECONDS for kept, _ in found):
            found.append(fit)
    if not found:
        return None
    best, heights = found[0]
    if len(found) == 1:
        return best
    if sum(heights.values()) <= 0:  # nothing on any line: too uncertain to compare
        return replace(best, runner_up=1.0)
    shares = [_share(heights, fit[1]) for fit in found]
    contenders = [0] + [i for i in range(1, len(found)) if shares[i] > CLEAR_RUNNER_UP]
    if len(contenders) == 1:
        return replace(best, runner_up=max(shares[1:]))
    duels: dict[tuple[int, int], tuple[float, int]] = {}
    window = int(WINDOW_SECONDS * rate)
    for i in contenders:
        for j in contenders:
            if i < j:
                common = sorted(found[i][1].keys() & found[j][1].keys())
                wins, compared = duel(reference, target, _line(found[i][0]),
                                      _line(found[j][0]), common, window, rate)  # fmt: skip
                duels[i, j], duels[j, i] = (wins, compared), (1.0 - wins, compared)

    def closest(i: int) -> tuple[float, int]:
        """Contender ``i``'s closest duel that had votes: (its margin in standard deviations,
        the opponent); two contenders with no window in common say nothing of each other."""
        decided = [(margin(*duels[i, j]), j) for j in contenders if j != i and duels[i, j][1]]
        return min(decided) if decided else (0.0, next(j for j in contenders if j != i))

    kept = max(contenders, key=lambda i: closest(i)[0])  # a tie goes to the most evidence
    opponent = closest(kept)[1]
    wins, compared = duels[kept, opponent]
    # a contender came close by the leader's measure: the kept one must win its duel clearly
    share = max(_share(found[kept][1], found[opponent][1]), shares[opponent])
    return replace(found[kept][0], wins=wins, compared=compared, runner_up=share)


def _line(placement: Alignment) -> Line:
    return placement.offset, placement.drift


def _share(one: dict[int, float], another: dict[int, float]) -> float:
    """``another`` placement's evidence as a share of ``one``'s, on the windows both measured
    (a placement that overlaps the reference less is not weaker for it); 0 when fewer are
    common than a duel needs to be decided (``MIN_DUEL_WINDOWS``) or ``one`` has none."""
    common = one.keys() & another.keys()
    total = sum(one[w] for w in common)
    if len(common) < MIN_DUEL_WINDOWS or total <= 0:
        return 0.0
    return sum(another[w] for w in common) / total


def _fit(
    reference: np.ndarray, target: np.ndarray, ref_coarse: np.ndarray, tgt_coarse: np.ndarray,
    lag: float, rate: int,
) -> tuple[Alignment, dict[int, float]] | None:  # fmt: skip
    """The line through the fine windows around the coarse ``lag``, and its evidence: each
    measured window's correlation peak when on the line (else 0), by the window's start in
    the target."""
    guide_offset, guide_drift = _guide_line(ref_coarse, tgt_coarse, lag)
    window = int(WINDOW_SECONDS * rate)
    search = int(SEARCH_SECONDS * rate)
    step = max(int(WINDOW_STEP_SECONDS * rate), len(target) // MAX_WINDOWS)
    loudness = float(np.sqrt(np.mean(target**2))) if len(target) else 0.0
    times, lags, heights = [], [], []
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
        index = int(np.argmax(correlation))
        times.append(start / rate)
        lags.append((first + parabolic_peak(correlation, index) - start) / rate)
        heights.append(float(correlation[index]))
    if len(times) < MIN_WINDOWS:
        if not (0 <= lag or -lag < len(target) / rate):
            return None
        return Alignment(lag, 0.0, 0.0, len(times)), {}
    t, measured = np.array(times), np.array(lags)
    intercept, slope = _theil_sen(t, measured)
    residual = np.abs(measured - (intercept + slope * t))
    inliers = residual < INLIER_SECONDS
    if inliers.sum() >= MIN_WINDOWS:
        slope, intercept = np.polyfit(t[inliers], measured[inliers], 1)
    confidence = float(inliers.mean())
    evidence = {round(t[i] * rate): heights[i] if inliers[i] else 0.0 for i in range(len(t))}
    return Alignment(float(intercept), float(slope), confidence, len(times)), evidence
