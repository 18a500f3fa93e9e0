"""The cue list files (``cues/full.yaml``, ``cues/highlights.yaml``): typed and checked.

Clips (by time or by quote, camera, transition into the clip), the opening title card and
closing credits (their text comes from session.yaml), lower thirds, chapters and quotes.
docs/editing.md has a complete example.
"""

from __future__ import annotations

import functools
import posixpath
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pipeline.core.timecode import parse_time_ms
from pipeline.core.validation import LocatedError, StrictModel, validate_loaded
from pipeline.core.yamlio import LoadedYaml, Location, load_yaml
from pipeline.session import LoadedSession

FRAME_RATE = "frame_rate"
"""The validation context's key for the film's frame rate (a callable, asked only when a
time is given in frames)."""


def _time_ms(value: object, info: ValidationInfo) -> int:
    return parse_time_ms(value, (info.context or {}).get(FRAME_RATE))


def _seconds(ms: int) -> float:
    return ms / 1000


TimeMs = Annotated[
    int,
    BeforeValidator(_time_ms),
    PlainSerializer(_seconds, return_type=float, when_used="json"),
]
"""Milliseconds on the session clock, read from any form of time and written as seconds
(the form a cue list is read back from) when dumped as JSON or YAML."""


SessionName = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
"""A session folder beside this one: a plain name, never a path."""


class TransitionType(StrEnum):
    CUT = "cut"
    CROSSFADE = "crossfade"
    DIP = "dip"
    """Through black."""


def _transition_shorthand(value: Any) -> Any:
    """``transition: crossfade`` is ``{type: crossfade}``."""
    return {"type": value} if isinstance(value, str) else value


class Transition(StrictModel):
    """How a clip comes in after what precedes it. A crossfade or a dip overlaps the two by
    ``duration`` seconds, so the film is that much shorter than its clips."""

    type: TransitionType = TransitionType.CUT
    duration: float = Field(default=0.5, gt=0, le=5)


class Clip(StrictModel):
    """A stretch of the session: ``in``/``out`` as times, or ``from``/``to`` as quotes of the
    transcript (the clip starts on the quote's first word, ends after the ``to`` quote's last
    word). Cut points are moved to word boundaries unless ``exact: true``.

    Or a stretch of a recording off the session clock (a vox pop, an interview, a cutaway):
    ``file`` names it in the session folder, ``in``/``out`` are times in that file, and the
    clip shows its picture with its own sound.

    Or a stretch of another session of the cycle (the cycle's synthesis): ``session`` names
    its folder, beside this one, and the times and quotes are that session's."""

    in_ms: TimeMs | None = Field(default=None, alias="in")
    out_ms: TimeMs | None = Field(default=None, alias="out")
    from_quote: str | None = Field(default=None, alias="from", min_length=2, max_length=500)
    to_quote: str | None = Field(default=None, alias="to", min_length=2, max_length=500)
    camera: str | None = None
    audio: str | None = None
    """Whose sound: a camera of session.yaml or the recorder (default: the recorder, else
    the picture's camera)."""
    exact: bool = False
    transition: Annotated[Transition, BeforeValidator(_transition_shorthand)] = Transition()
    file: str | None = Field(default=None, min_length=1, max_length=500)
    """A recording off the session clock, inside the session folder (``extras/vox-pop.mp4``)."""
    session: SessionName | None = None
    """Another session's folder, beside this one (``manger-local-2040``)."""

    @field_validator("file")
    @classmethod
    def _one_spelling(cls, value: str | None) -> str | None:
        """``./extras/a.mp4`` and ``extras/a.mp4`` are the same file (and the same place on
        the clock)."""
        return posixpath.normpath(value.replace("\\", "/")) if value else value

    @model_validator(mode="after")
    def _start_and_end(self) -> Clip:
        if self.file is not None and self.session is not None:
            raise ValueError("a clip is of a `file` or of another `session`, not both")
        if self.file is not None:
            if self.in_ms is None or self.out_ms is None:
                raise ValueError("a clip of a `file` is cut by times in that file: give `in` "
                                 "and `out`, not quotes")  # fmt: skip
            if self.camera is not None or self.audio is not None:
                raise ValueError("a clip of a `file` shows its own picture and sound: no "
                                 "`camera` or `audio`")  # fmt: skip
        if (self.in_ms is None) == (self.from_quote is None):
            raise ValueError("give the start as `in` (a time) or `from` (a quote), not both")
        if (self.out_ms is None) == (self.to_quote is None):
            raise ValueError("give the end as `out` (a time) or `to` (a quote), not both")
        if self.in_ms is not None and self.out_ms is not None and self.out_ms <= self.in_ms:
            raise ValueError("out must come after in")
        return self


LONGEST_CARD_S = 30.0


def _card_shorthand(value: Any) -> Any:
    """``title_card: true`` is a card of the default length; ``false`` is none."""
    if value is True:
        return {}
    if value is False:
        return None
    return value


class Card(StrictModel):
    """The opening title or the closing credits, drawn from session.yaml (title, date, place,
    speakers, credits, funding mention, logos)."""

    duration: float = Field(default=5.0, ge=1, le=LONGEST_CARD_S)


CardOption = Annotated[Card | None, BeforeValidator(_card_shorthand)]


class LowerThird(StrictModel):
    at: TimeMs
    speaker: str
    duration: float = Field(default=4.0, gt=0, le=60)
    session: SessionName | None = None
    """``at`` is on that session's clock, and ``speaker`` one of its people."""


class Chapter(StrictModel):
    at: TimeMs
    title: str
    session: SessionName | None = None
    """``at`` is on that session's clock."""


class Quote(StrictModel):
    at: TimeMs
    text: str
    speaker: str | None = Field(default=None, min_length=1, max_length=200)
    """Who says it, as session.yaml names them (else the transcript's speaker at ``at``)."""
    social: bool = False
    """Made into social clips (vertical and square) by ``capture social``."""


class CueList(StrictModel):
    title_card: CardOption = None
    credits: CardOption = None
    clips: list[Clip] = []
    lower_thirds: list[LowerThird] = []
    chapters: list[Chapter] = []
    quotes: list[Quote] = []
    _source: LoadedYaml | None = PrivateAttr(default=None)

    @property
    def sessions(self) -> set[str]:
        """The other sessions its clips, lower thirds and chapters are cut from."""
        items = [*self.clips, *self.lower_thirds, *self.chapters]
        return {item.session for item in items if item.session is not None}

    def line_of(self, location: Location) -> int | None:
        """The line of a place in the cue list's file (None for one not read from a file)."""
        return self._source.line_of(location) if self._source else None

    @model_validator(mode="after")
    def _clips_do_not_overlap(self) -> CueList:
        """Clips may come in any order (a highlights film reorders moments), but two clips
        showing the same moment twice is a mistake."""
        spans = sorted(
            (
                f"file:{c.file}" if c.file else f"session:{c.session}" if c.session else "",
                c.in_ms,
                c.out_ms,
                i,
            )
            for i, c in enumerate(self.clips)
            if c.in_ms is not None and c.out_ms is not None
        )
        for (clock, _, end, first), (other, start, _, second) in zip(spans, spans[1:],
                                                                     strict=False):  # fmt: skip
            if clock == other and start < end:
                raise LocatedError(
                    ("clips", max(first, second)),
                    f"clips {first + 1} and {second + 1} overlap ({start / 1000:.3f} s)",
                )
        return self


def _frame_rate(loaded: LoadedSession, data: object) -> int:
    """The films' rate, for times given in frames: the session's, or for the cycle's
    synthesis that of the sessions it names (read from the file as it is: the cue list is
    being validated)."""
    from pipeline.session.siblings import folder_film_rate  # siblings reads cue lists

    items = [item for key in ("clips", "lower_thirds", "chapters")
             for item in ((data.get(key) if isinstance(data, dict) else None) or [])]  # fmt: skip
    names = {
        i["session"] for i in items if isinstance(i, dict) and isinstance(i.get("session"), str)
    }
    return folder_film_rate(loaded, names)


def load_cue_list(loaded: LoadedSession, name: str) -> CueList | None:
    """The named cue list, or None when its file does not exist or is empty."""
    path = loaded.folder.cue_list(name)
    if not path.is_file():
        return None
    found = load_yaml(path)
    if found.data is None:
        return None
    rate = functools.cache(lambda: _frame_rate(loaded, found.data))  # once, if frames are used
    cue_list = validate_loaded(found, CueList, context={FRAME_RATE: rate})
    cue_list._source = found
    return cue_list
