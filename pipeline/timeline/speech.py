"""What cuts are placed around: the transcript's words in time order, the pauses between them
(wide enough for a cut and its breaths), the frame rate and the session's sound."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.session.artifacts.transcript import Word

BREATH_MS = 60
"""Kept between a cut and the nearest word, on both sides."""


SoundReader = Callable[[int, int], np.ndarray]
"""Mono samples of the session's sound between two session times (ms), at ``rate``: exactly
as many as the span holds, NaN where the recording has none."""


@dataclass(frozen=True)
class SessionSound:
    read: SoundReader
    rate: int


@dataclass(frozen=True)
class Pause:
    """Where a cut may go: after the word before plus a breath, before the word after
    less a breath (``before``/``after`` are None at the transcript's ends)."""

    start_ms: float
    end_ms: float
    """``math.inf`` after the last word."""
    before: Word | None
    after: Word | None


class Pauses:
    """Every stretch between words (in time order) wide enough for a cut and its breaths,
    with the open stretches before the first word and after the last; found near a moment
    by bisection (a 2-hour transcript has some 20,000 words)."""

    def __init__(self, words: Sequence[Word]) -> None:
        self.all: list[Pause] = []
        before: Word | None = None  # of the words so far, the one that ends last
        for after in [*words, None]:
            start = before.end_ms + BREATH_MS if before is not None else 0
            end = after.start_ms - BREATH_MS if after is not None else math.inf
            if end >= start:
                self.all.append(Pause(start, end, before, after))
            if after is not None and (before is None or after.end_ms > before.end_ms):
                before = after  # a word may start before the previous one ends
        self._starts = [p.start_ms for p in self.all]

    def near(self, moment_ms: int, reach_ms: float) -> list[Pause]:
        """The pauses that come within ``reach_ms`` of ``moment_ms``."""
        index = max(0, bisect.bisect_right(self._starts, moment_ms) - 1)
        first = index
        while first > 0 and self.all[first - 1].end_ms >= moment_ms - reach_ms:
            first -= 1
        last = index
        while last + 1 < len(self.all) and self.all[last + 1].start_ms <= moment_ms + reach_ms:
            last += 1
        return [p for p in self.all[first : last + 1]
                if p.start_ms - reach_ms <= moment_ms <= p.end_ms + reach_ms]  # fmt: skip


@dataclass(frozen=True)
class Speech:
    """What cuts and transitions are placed around: the transcript's words (in time order),
    their pauses, the film's frame rate and the sound, when it can be read."""

    words: Sequence[Word]
    fps: int
    sound: SessionSound | None = None
    pauses: Pauses = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pauses", Pauses(self.words))

    @property
    def frame_ms(self) -> float:
        return 1000 / self.fps
