"""The cue list files (``cues/full.yaml``, ``cues/highlights.yaml``): typed and checked.

This is the part of the schema the subtitle stage needs (clips, and the sections the sample
writes); the editing stage adds transitions, titles and quote-based cut points.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from pipeline.session import LoadedSession
from pipeline.timeline.timecode import parse_time_ms
from pipeline.validation import StrictModel, validate_loaded
from pipeline.yamlio import load_yaml

TimeMs = Annotated[int, BeforeValidator(parse_time_ms)]
TIMELINES = ("full", "highlights")


class Clip(StrictModel):
    """A stretch of the session: ``in``/``out`` as times, or ``from``/``to`` as quotes of the
    transcript (the clip starts on the quote's first word, ends after the ``to`` quote's last
    word). Cut points are moved to word boundaries unless ``exact: true``."""

    in_ms: TimeMs | None = Field(default=None, alias="in")
    out_ms: TimeMs | None = Field(default=None, alias="out")
    from_quote: str | None = Field(default=None, alias="from", min_length=2, max_length=500)
    to_quote: str | None = Field(default=None, alias="to", min_length=2, max_length=500)
    camera: str | None = None
    exact: bool = False

    @model_validator(mode="after")
    def _start_and_end(self) -> Clip:
        if (self.in_ms is None) == (self.from_quote is None):
            raise ValueError("give the start as `in` (a time) or `from` (a quote), not both")
        if (self.out_ms is None) == (self.to_quote is None):
            raise ValueError("give the end as `out` (a time) or `to` (a quote), not both")
        if self.in_ms is not None and self.out_ms is not None and self.out_ms <= self.in_ms:
            raise ValueError("out must come after in")
        return self


class LowerThird(StrictModel):
    at: TimeMs
    speaker: str
    duration: float = 4.0


class Chapter(StrictModel):
    at: TimeMs
    title: str


class Quote(StrictModel):
    at: TimeMs
    text: str


class CueList(StrictModel):
    clips: list[Clip] = []
    lower_thirds: list[LowerThird] = []
    chapters: list[Chapter] = []
    quotes: list[Quote] = []

    @model_validator(mode="after")
    def _clips_do_not_overlap(self) -> CueList:
        """Clips may come in any order (a highlights film reorders moments), but two clips
        showing the same moment twice is a mistake."""
        spans = sorted(
            (c.in_ms, c.out_ms, i)
            for i, c in enumerate(self.clips)
            if c.in_ms is not None and c.out_ms is not None
        )
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise ValueError(
                    f"clips {first + 1} and {second + 1} overlap ({start / 1000:.3f} s)"
                )
        return self


def load_cue_list(loaded: LoadedSession, name: str) -> CueList | None:
    """The named cue list, or None when its file does not exist or is empty."""
    path = loaded.layout.cues / f"{name}.yaml"
    if not path.is_file():
        return None
    found = load_yaml(path)
    if found.data is None:
        return None
    return validate_loaded(found, CueList)
