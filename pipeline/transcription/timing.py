"""Word times from the sound itself: a word does not start in, or stretch over, a pause.

Whisper's word timestamps come from attention and tend to swallow the pause after a word (or
before the first word of a sentence). Each word is trimmed to where its sound really is.
"""

from __future__ import annotations

import numpy as np

from pipeline.session.artifacts.transcript import Word

FRAME_MS = 10
MARGIN_MS = 20
QUIET_FRACTION = 0.1
MAX_ONSET_SHIFT_MS = 1000
PAUSE_FRAMES = 30
"""A quiet stretch this long (300 ms) inside a word is a pause, not part of the word."""
MIN_SOUND_FRAMES = 6
"""A loud run shorter than 60 ms (a click, a breath) is not where a word is."""
LONGEST_WORD_MS = 2500
"""A word still held over this much unbroken sound once tightened is not where Whisper says:
it lost its place and stretched the word over speech it skipped (on the real programme, a
6-s sentence after music hidden under one word). The longest real word seen in the real set
lasts 2.4 s, an exclamation."""
MISSED_SPEECH_MS = 500
"""Sound this long with no word on it may be speech the model skipped (uncovered_sound)."""
MISSED_JOIN_FRAMES = 100
"""Skipped stretches less than a second apart are looked at again together."""
ONSET_GAP_FRAMES = 10
"""Quiet frames bridged when looking for a word's onset (a stop consonant's closure)."""


def _loud_frames(audio: np.ndarray, rate: int, level: float) -> np.ndarray:
    hop = rate * FRAME_MS // 1000
    frames = len(audio) // hop
    rms = np.sqrt(np.mean(audio[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    return rms >= QUIET_FRACTION * level


def _runs(loud: np.ndarray, bridge: int) -> list[tuple[int, int]]:
    """(first, last+1) frame runs of loud frames, bridging quiet gaps of ``bridge`` frames."""
    runs: list[tuple[int, int]] = []
    for frame in np.flatnonzero(loud):
        if runs and frame - runs[-1][1] <= bridge:
            runs[-1] = (runs[-1][0], int(frame) + 1)
        else:
            runs.append((int(frame), int(frame) + 1))
    return runs


def tighten(words: list[Word], audio: np.ndarray, rate: int, level: float, origin_ms: int):
    """Words with start and end moved in to the first and last loud 10-ms frame they hold
    (plus a small margin); a word with no loud frame at all is left as it is. A word that
    holds a pause (Whisper stretching the last word of a sentence over it and over what
    follows) ends at the pause."""
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
        runs = _runs(loud[first:last], PAUSE_FRAMES)
        # the first run long enough to be speech (a click before a pause is not the word)
        run_first, run_last = next(
            (r for r in runs if r[1] - r[0] >= MIN_SOUND_FRAMES),
            max(runs, key=lambda r: r[1] - r[0]),
        )
        start = origin_ms + (first + run_first) * FRAME_MS - MARGIN_MS
        end = origin_ms + (first + run_last) * FRAME_MS + MARGIN_MS
        start = max(word.start_ms, start)
        end = min(word.end_ms, end)
        tightened.append(word.model_copy(update={"start_ms": start, "end_ms": max(end, start + 1)}))
    return tightened


def split_at_lost_words(words: list[Word]) -> list[list[Word]]:
    """The words in runs, without those longer than LONGEST_WORD_MS: the sound such a word
    hides is left uncovered, so the second look hears it again (``uncovered_sound``)."""
    runs: list[list[Word]] = [[]]
    for word in words:
        if word.end_ms - word.start_ms > LONGEST_WORD_MS:
            runs.append([])
        else:
            runs[-1].append(word)
    return [run for run in runs if run]


def snap_onsets(words: list[Word], audio: np.ndarray, rate: int, level: float, origin_ms: int):
    """Words that start after a pause moved back to where their sound starts.

    Whisper often places the first word of a sentence a few hundred ms late (squeezing it
    against the next words). When the sound the word starts in began earlier, with no break
    longer than a stop consonant's closure (100 ms), and after the previous word, the start
    moves back to that onset (at most MAX_ONSET_SHIFT_MS).
    """
    if level <= 0 or not len(audio) or not words:
        return words
    loud = _loud_frames(audio, rate, level)
    snapped: list[Word] = []
    for word in words:
        floor = snapped[-1].end_ms if snapped else word.start_ms - MAX_ONSET_SHIFT_MS
        floor = max(floor, word.start_ms - MAX_ONSET_SHIFT_MS, origin_ms)
        frame = (word.start_ms - origin_ms) // FRAME_MS
        if word.start_ms - floor < FRAME_MS or not 0 <= frame < len(loud) or not loud[frame]:
            snapped.append(word)
            continue
        first_allowed = (floor - origin_ms + FRAME_MS - 1) // FRAME_MS
        probe = frame
        while probe > first_allowed:
            probe -= 1
            if loud[probe]:
                frame = probe
            elif frame - probe > ONSET_GAP_FRAMES:
                break  # a real pause: the sound before it is not this word's
        start = max(floor, origin_ms + frame * FRAME_MS - MARGIN_MS)
        snapped.append(word.model_copy(update={"start_ms": min(start, word.start_ms)}))
    return snapped


def uncovered_sound(
    words: list[Word], audio: np.ndarray, rate: int, level: float, origin_ms: int
) -> list[tuple[int, int]]:
    """(start, end) ms of stretches of sound that no word covers, at least MISSED_SPEECH_MS
    long: where Whisper skipped a sentence (it does, after stretching a word over a pause).
    They may be applause too; the engine's VAD and the guards sort that out."""
    if level <= 0 or not len(audio):
        return []
    loud = _loud_frames(audio, rate, level)
    covered = np.zeros(len(loud), dtype=bool)
    for word in words:
        first = max(0, (word.start_ms - origin_ms) // FRAME_MS)
        covered[first : max(first, (word.end_ms - origin_ms) // FRAME_MS + 1)] = True
    found = []
    missed = loud & ~covered
    for first, last in _runs(missed, MISSED_JOIN_FRAMES):
        if np.count_nonzero(missed[first:last]) * FRAME_MS >= MISSED_SPEECH_MS:
            found.append((origin_ms + first * FRAME_MS, origin_ms + last * FRAME_MS))
    return found
