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
    in_ms: TimeMs = Field(alias="in")
    out_ms: TimeMs = Field(alias="out")
    camera: str | None = None
    exact: bool = False

    @model_validator(mode="after")
    def _forward(self) -> Clip:
        if self.out_ms <= self.in_ms:
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


def load_cue_list(loaded: LoadedSession, name: str) -> CueList | None:
    """The named cue list, or None when its file does not exist or is empty."""
    path = loaded.layout.cues / f"{name}.yaml"
    if not path.is_file():
        return None
    found = load_yaml(path)
    if found.data is None:
        return None
    return validate_loaded(found, CueList)
