"""The cue model shared by the segmenter, the formats, the checker and the retimer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class CueWord:
    """A transcript word inside a cue (kept for the review sheet)."""

    text: str
    start_ms: int
    end_ms: int
    probability: float
    speaker: str | None = None


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    words: tuple[CueWord, ...] = field(default=(), compare=False)
    speaker: str | None = field(default=None, compare=False)
    clear_above: float | None = field(default=None, compare=False)
    """Shown above this height (a fraction of the frame's, from its bottom): a lower third
    is on screen below it. None: the usual place."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def moved(self, start_ms: int, end_ms: int) -> Cue:
        return replace(self, start_ms=start_ms, end_ms=end_ms)
