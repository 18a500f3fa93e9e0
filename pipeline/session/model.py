"""``session.yaml``: one Rencontre, everything about it, validated (``Session``), and
``load_session``, which reads it from its folder."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date as Date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.core.errors import ConfigError, Problem
from pipeline.core.validation import LocatedError, format_location, validate_loaded
from pipeline.core.yamlio import LoadedYaml, Location, load_yaml
from pipeline.session.folder import SESSION_FILE, SessionFolder, resolve_inside

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CAMERA_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


def slugify(text: str) -> str:
    """'Manger local en 2040 ?' -> 'manger-local-en-2040'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


WEB_ADDRESS = re.compile(r"^https?://\S+$")
"""An address that may become a link: no ``javascript:``, no spaces."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


NonEmpty = Annotated[str, Field(min_length=1, max_length=500)]


class Person(_Model):
    name: NonEmpty
    role: str | None = None
    organisation: str | None = None
    website: Annotated[str, Field(pattern=WEB_ADDRESS.pattern, max_length=500)] | None = None
    """Shown on the site's speaker pages (an http(s) address)."""
    channel: Annotated[int, Field(ge=1, le=64)] | None = None
    """Channel of a multitrack recorder that carries this person's microphone (1-based)."""

    @property
    def detail(self) -> str:
        """Role and organisation, as shown under the name ("maraîcher, Ferme des Trois
        Rivières"); empty when neither is given."""
        return ", ".join(x for x in (self.role, self.organisation) if x)


class Speaker(Person):
    pass


class CameraRole(StrEnum):
    WIDE = "wide"
    CLOSE = "close"
    RECORDER = "recorder"


class Camera(_Model):
    name: Annotated[str, Field(pattern=CAMERA_NAME_PATTERN)]
    role: CameraRole
    label: str | None = None
    offset: Annotated[float, Field(ge=-360_000, le=360_000)] | None = None
    """Manual sync offset in seconds on the session clock; overrides audio sync."""


class Source(_Model):
    """A camera card or folder to ingest. It may be anywhere and is only ever read."""

    path: NonEmpty
    camera: str | None = None


class Glossary(_Model):
    names: list[NonEmpty] = []
    places: list[NonEmpty] = []
    acronyms: list[NonEmpty] = []
    terms: list[NonEmpty] = []

    def all_terms(self) -> list[str]:
        return [*self.names, *self.places, *self.acronyms, *self.terms]


class Credits(_Model):
    publisher: str | None = None
    funding: str | None = None
    """Funding mention, shown in the credits and on the site."""
    production: str | None = None
    photo_credits: str | None = None
    legal: str | None = None


class Link(_Model):
    title: NonEmpty
    url: NonEmpty

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str) -> str:
        if not re.match(r"^(https?://|mailto:)", url, re.IGNORECASE):
            raise ValueError("must start with http://, https:// or mailto:")
        return url


class Document(_Model):
    title: NonEmpty
    path: NonEmpty


class Photo(_Model):
    path: NonEmpty
    caption: str | None = None
    credit: str | None = None


class Session(_Model):
    """The typed content of session.yaml."""

    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=80)]
    title: NonEmpty
    kind: Literal["rencontre", "closing", "event"] = "rencontre"
    """A Rencontre of the cycle, its closing session, or the half-day public event: the site
    lists each kind under its own heading."""
    theme: str | None = None
    date: Date
    start_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None
    place: str | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] = "fr"
    facilitator: Person | None = None
    speakers: list[Speaker] = []
    cameras: list[Camera] = []
    sources: list[Source] = []
    glossary: Glossary = Glossary()
    credits: Credits = Credits()
    links: list[Link] = []
    documents: list[Document] = []
    photos: list[Photo] = []
    logos: list[NonEmpty] = []
    poster: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_written_as_a_date(cls, value: Any) -> Any:
        if not isinstance(value, (str, Date)):
            raise ValueError("must be a date like 2026-03-12")
        return value

    @field_validator("sources", mode="before")
    @classmethod
    def _plain_source_paths(cls, value: Any) -> Any:
        """Allow `- ../cards/A` as a shorthand for `- path: ../cards/A`."""
        if isinstance(value, list):
            return [{"path": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Session:
        names = [c.name for c in self.cameras]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise LocatedError(
                    ("cameras", index, "name"), f"camera names must be unique: {name} again"
                )
        for index, source in enumerate(self.sources):
            if source.camera is not None and source.camera not in names:
                raise LocatedError(
                    ("sources", index, "camera"),
                    f"source {source.path!r} names camera {source.camera!r}, which is not in "
                    f"cameras ({', '.join(names) or 'none declared'})",
                )
        on_channel: dict[int, str] = {}
        people: list[tuple[Location, Person | None]] = [(("facilitator",), self.facilitator)]
        people += [(("speakers", i), p) for i, p in enumerate(self.speakers)]
        for where, person in people:
            if person is None or person.channel is None:
                continue
            if person.channel in on_channel:
                raise LocatedError(
                    (*where, "channel"),
                    f"recorder channel {person.channel} is given to both "
                    f"{on_channel[person.channel]} and {person.name}",
                )
            on_channel[person.channel] = person.name
        return self

    def camera(self, name: str) -> Camera | None:
        return next((c for c in self.cameras if c.name == name), None)

    @property
    def people(self) -> list[Person]:
        """The facilitator, then the speakers."""
        return [p for p in [self.facilitator, *self.speakers] if p is not None]

    def session_paths(self) -> list[tuple[Location, str]]:
        """Every path in the file that must stay inside the session folder, with its location."""
        found: list[tuple[Location, str]] = []
        found += [(("documents", i, "path"), d.path) for i, d in enumerate(self.documents)]
        found += [(("photos", i, "path"), p.path) for i, p in enumerate(self.photos)]
        found += [(("logos", i), logo) for i, logo in enumerate(self.logos)]
        if self.poster:
            found.append((("poster",), self.poster))
        return found


@dataclass(frozen=True)
class LoadedSession:
    """A validated session and its folder."""

    session: Session
    folder: SessionFolder
    yaml: LoadedYaml | None = field(default=None, compare=False, repr=False)
    """session.yaml as it was read, with the line of every value (for messages)."""

    @property
    def root(self) -> Path:
        return self.folder.root

    def line_of(self, location: Location) -> int | None:
        """session.yaml's line for ``location`` (or its deepest part that exists)."""
        return self.yaml.line_of(location) if self.yaml is not None else None

    def resolve(self, relative: str) -> Path:
        """A path from session.yaml, inside the session folder (ConfigError otherwise)."""
        try:
            return resolve_inside(self.root, relative)
        except ValueError as exc:
            raise ConfigError(f"{relative!r} {exc}", file=self.folder.session_file) from None

    def source_paths(self) -> list[tuple[Source, Path]]:
        """Sources resolved against the session folder (they may lie outside it)."""
        return [
            (s, Path(os.path.normpath(self.root.absolute() / os.path.expanduser(s.path))))
            for s in self.session.sources
        ]


def load_session(folder: Path) -> LoadedSession:
    """Load and validate ``folder/session.yaml``; a ConfigError lists every problem found.

    The folder is absolute, so files recorded anywhere (MHL, state) never depend on the
    folder capture was started from.
    """
    session_folder = SessionFolder(Path(os.path.abspath(folder)))
    if not session_folder.session_file.is_file():
        raise ConfigError(
            f"no {SESSION_FILE} in {folder} (create one with `capture init {folder}`)",
            file=session_folder.session_file,
        )
    loaded = load_yaml(session_folder.session_file)
    if not isinstance(loaded.data, dict):
        raise ConfigError([Problem(loaded.path, 1, None, "must be a mapping of keys to values")])
    session = validate_loaded(loaded, Session)
    problems = []
    for location, relative in session.session_paths():
        try:
            resolve_inside(folder, relative)
        except ValueError as exc:
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line_of(location),
                    format_location(location),
                    f"{relative!r} {exc}",
                )
            )
    if problems:
        raise ConfigError(problems)
    return LoadedSession(session=session, folder=session_folder, yaml=loaded)
