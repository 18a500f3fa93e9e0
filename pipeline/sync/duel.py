"""Which of two places a recording was made at, when the sound there is the same.

Repeated sound (a looped recording, a jingle, a quote read twice) fits several places alike:
their correlation heights differ by less than their noise. Two places are then compared on
what differs between them: lined up on each other to a fraction of a sample, they share the
repeated sound and differ only by what never repeats (the room's own noise, a cough), which
the recording carries from the true place only. Window by window, a likelihood ratio says
which place it was more likely recorded at; the share of windows won, against a coin toss,
says how clearly.
"""

from __future__ import annotations

import math

import numpy as np

Line = tuple[float, float]
"""A placement: reference_time - target_time = offset + drift x target_time (seconds)."""
COMPARE_PARTS = 4  # two places are compared on 1-s parts of a 4-s window: over 4 s a clock
# 100 ppm fast moves the sound by 3 samples, enough to blur what tells the places apart
COMPARE_BAND_HZ = 16.0  # ...band by band, each with the camera's own response and noise


def margin(wins: float, compared: int) -> float:
    """How many standard deviations of a coin toss ``wins`` of ``compared`` lies above 0.5."""
    return (wins - 0.5) * 2 * math.sqrt(compared)


def duel(
    reference: np.ndarray, target: np.ndarray, one: Line, another: Line, starts: list[int],
    window: int, rate: int,
) -> tuple[float, int]:  # fmt: skip
    """The share of the target's windows (``window`` samples from each of ``starts``) where
    it is likelier recorded at ``one``'s place than at ``another``'s, and how many windows
    voted (a window outside either overlap says nothing)."""
    votes = [_closer(reference, target, start, window, one, another, rate) for start in starts]
    cast = [vote for vote in votes if vote != 0.0]
    if not cast:
        return 0.5, 0
    return sum(vote > 0 for vote in cast) / len(cast), len(cast)


def _closer(
    reference: np.ndarray, target: np.ndarray, start: int, window: int, kept: Line,
    other: Line, rate: int,
) -> float:  # fmt: skip
    """Above 0 when the target's window at ``start`` is likelier recorded at ``kept``'s place
    than at ``other``'s, below 0 when less likely, 0 when the window lies outside either.

    The window is compared in parts short enough for a drifting clock not to move its sound
    (``COMPARE_PARTS``). In each, the reference at both places is lined up on the kept one's
    sound to a fraction of a sample and brought to its level, so that what both share (the
    repeated sound) is the same in both and only what never repeats (the room's own noise, a
    cough) differs; the target is lined up on it too. Band by band, the target is taken as
    that sound through the camera's response plus the camera's own noise, both estimated on
    what the places share; the sum of the log-likelihood ratios of the two places is returned.
    The target carries the true place's own noise, not the other's; on a recording of a
    recording nothing differs but the recorders' own hiss, and the signs fall like a coin."""
    part = window // COMPARE_PARTS
    omega = 2 * np.pi * np.fft.rfftfreq(part)
    band = max(1, int(COMPARE_BAND_HZ * part / rate))
    total = 0.0
    for first in range(start, start + part * COMPARE_PARTS, part):
        here = _spectrum_at(reference, first, part, kept, rate, omega)
        there = _spectrum_at(reference, first, part, other, rate, omega)
        if here is None or there is None:
            return 0.0
        there = there * np.exp(1j * omega * _lag_between(here, there, omega))
        level = float(np.vdot(here, here).real) / max(float(np.vdot(there, there).real), 1e-30)
        there = there * math.sqrt(level)
        piece = np.fft.rfft(target[first : first + part])
        piece = piece * np.exp(-1j * omega * _lag_between(piece, here, omega))
        total += _log_likelihood_ratio(piece, here, there, band)
    return total


def _spectrum_at(
    reference: np.ndarray, first: int, length: int, placement: Line, rate: int,
    omega: np.ndarray,
) -> np.ndarray | None:  # fmt: skip
    """The spectrum of the reference where ``placement`` puts the target's samples
    ``first``..``first + length``, to a fraction of a sample; None outside the reference."""
    middle = (first + length / 2) / rate
    offset, drift = placement
    position = first + (offset + drift * middle) * rate
    begin = int(round(position))
    if begin < 0 or begin + length > len(reference):
        return None
    return np.fft.rfft(reference[begin : begin + length]) * np.exp(1j * omega * (position - begin))


def _log_likelihood_ratio(
    piece: np.ndarray, here: np.ndarray, there: np.ndarray, band: int
) -> float:
    """log p(piece | recorded here) - log p(piece | recorded there), spectra lined up, under
    piece = response x sound + noise with a complex response and a Gaussian noise per band of
    ``band`` bins, both fitted on the sound the two places share (their mean)."""
    usable = (len(piece) - 1) // band * band  # without the DC bin
    p, a, b = (x[1 : 1 + usable].reshape(-1, band) for x in (piece, here, there))
    shared = (a + b) / 2
    response = (p * np.conj(shared)).sum(axis=1) / ((np.abs(shared) ** 2).sum(axis=1) + 1e-30)
    response = response[:, None]
    noise = (np.abs(p - response * shared) ** 2).mean(axis=1) + 1e-30
    misfit = np.abs(p - response * b) ** 2 - np.abs(p - response * a) ** 2
    return float((misfit.sum(axis=1) / noise).sum())


def _lag_between(x: np.ndarray, y: np.ndarray, omega: np.ndarray) -> float:
    """The shift in samples (a few at most, to a fraction) by which ``y`` is to be advanced
    to line up with ``x`` (spectra of equal lengths): the peak of their cross-correlation
    within 3 samples, refined by Newton's method on its continuous form."""
    cross = x * np.conj(y)
    correlation = np.fft.irfft(cross)  # correlation[k] peaks where x[n + k] = y[n]
    near = np.concatenate([correlation[-3:], correlation[:4]])  # k = -3..3
    shift = 3 - parabolic_peak(near, int(np.argmax(near[1:-1])) + 1)
    for _ in range(4):
        turned = cross * np.exp(-1j * omega * shift)
        slope = float((omega * turned.imag).sum())
        curvature = float(-(omega**2 * turned.real).sum())
        if curvature >= 0:
            break
        shift = float(np.clip(shift - slope / curvature, shift - 0.5, shift + 0.5))
    return shift


def parabolic_peak(correlation: np.ndarray, index: int) -> float:
    """Sub-sample peak position by a parabola through the peak and its neighbours."""
    if 0 < index < len(correlation) - 1:
        a, b, c = correlation[index - 1], correlation[index], correlation[index + 1]
        denominator = a - 2 * b + c
        if denominator:
            return index + 0.5 * (a - c) / denominator
    return float(index)
