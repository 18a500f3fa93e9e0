"""``SITE/<slug>/manifest.json`` and ``SITE/manifest.json``: everything published, for a CMS
(files with sizes and hashes, durations, renditions), and what the next publish needs to
know to redo nothing that has not changed (``inputs``)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

MANIFEST_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PublishedFile(_Model):
    path: str
    """Relative to the session's folder in the site."""
    bytes: int
    sha256: str

    @classmethod
    def of(cls, folder: Path, path: Path) -> PublishedFile:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(path=path.relative_to(folder).as_posix(), bytes=path.stat().st_size,
                   sha256=digest.hexdigest())  # fmt: skip

    def intact(self, folder: Path) -> bool:
        """Still there with the size it was published with."""
        path = folder / self.path
        return path.is_file() and path.stat().st_size == self.bytes


class Rendition(_Model):
    name: str
    width: int
    height: int
    bitrate_kbps: int
    """Measured over the whole file."""
    bytes_per_minute: int = 0
    """What a viewer downloads per minute watched (the footprint of a view: the file's
    bytes for a whole one)."""
    file: PublishedFile
    codec: Literal["h264", "av1"] = "h264"
    codecs: str | None = None
    """An AV1 rendition's RFC 6381 codecs (``av01.0.08M.08``), for the page's ``<source
    type>``: browsers that cannot play it take the H.264 one."""


class Listening(_Model):
    """The film's audio-only rendition (AAC-LC in ``.m4a``)."""

    bitrate_kbps: int
    bytes_per_minute: int
    file: PublishedFile
    chapters: str | None = None
    """A digest of the chapters and title written into it (the file is rewritten when they
    change)."""


class Still(_Model):
    time_s: float
    file: PublishedFile


class Film(_Model):
    name: str
    label: str
    duration_s: float
    inputs: str
    """Hash of what the encoded files depend on (master, preset, code version)."""
    renditions: list[Rendition]
    listening: Listening | None = None
    """The audio-only rendition, when the render made one."""
    hls_master: PublishedFile
    hls_files: list[PublishedFile]
    poster: Still | None
    poster_source: str | None = None
    """"session" (session.yaml's poster) or "auto" (chosen from the film)."""
    thumbnails_vtt: PublishedFile
    sprites: list[PublishedFile]
    captions: PublishedFile
    captions_reviewed: bool
    srt: PublishedFile
    chapters: PublishedFile
    transcript_txt: PublishedFile


class QuoteStill(_Model):
    text: str
    session_ms: int
    film: str
    film_inputs: str
    """The film's ``inputs`` when the still was taken (a new master means a new still)."""
    time_s: float
    """The moment in the film (what links point to)."""
    still: PublishedFile
    still_time_s: float | None = None
    """Where the still was taken: the sharpest frame showing a face in the quote's first
    seconds (None: at ``time_s``)."""
    speaker: str | None = None
    """Who says it, as the cue list names them (None: the transcript's speaker)."""


class PublishedPerson(_Model):
    name: str
    role: str | None = None
    organisation: str | None = None
    website: str | None = None

    @property
    def detail(self) -> str:
        """Role and organisation, as shown under the name ("maraîcher, Ferme des Trois
        Rivières"); empty when neither is given."""
        return ", ".join(x for x in (self.role, self.organisation) if x)


class PublishedDocument(_Model):
    title: str
    file: PublishedFile


class ImageSize(_Model):
    width: int
    height: int
    file: PublishedFile


class PublishedPhoto(_Model):
    caption: str | None = None
    credit: str | None = None
    file: PublishedFile
    """The photo as the photographer gave it (download, print)."""
    width: int | None = None
    height: int | None = None
    sizes: list[ImageSize] = []
    """Web sizes, smallest first (``publish/gallery.py``)."""


class PublishedLink(_Model):
    title: str
    url: str


class PublishedRestitution(_Model):
    """The written restitution: its page, its print-ready PDF and what they say (JSON, read
    by the cycle's document)."""

    page: PublishedFile
    pdf: PublishedFile
    content: PublishedFile
    pages: int
    lowest_dpi: int | None = None
    """The lowest resolution of an image as printed (None: no image)."""
    digest: str
    """Of what the PDF was made from (the PDF is laid out again only when it changes)."""


class PublishedSocialClip(_Model):
    """A quote as a clip for social networks (``capture social``), for the communication
    team: not shown on the pages."""

    quote: str
    format: str
    width: int
    height: int
    duration_s: float
    integrated_lufs: float
    file: PublishedFile
    poster: PublishedFile


class PublishedSlideshow(_Model):
    """The photos as a film (``publish/published_slideshow.py``)."""

    file: PublishedFile
    captions: PublishedFile
    """Each photo's caption and credit at its time (WebVTT)."""
    duration_s: float
    photos: int


class SessionManifest(_Model):
    version: int = MANIFEST_VERSION
    slug: str
    title: str
    kind: str = "rencontre"
    date: date
    start_time: str | None = None
    place: str | None = None
    theme: str | None = None
    published_at: datetime
    page: str = "index.html"
    facilitator: PublishedPerson | None = None
    speakers: list[PublishedPerson] = []
    films: list[Film]
    poster: str | None = None
    """The session's poster (relative path), for the site index."""
    ambiance: list[Still] = []
    quotes: list[QuoteStill] = []
    documents: list[PublishedDocument] = []
    photos: list[PublishedPhoto] = []
    links: list[PublishedLink] = []
    credits: dict[str, str] = {}
    turns: PublishedFile | None = None
    """The full version's transcript by paragraph, with speakers and times (JSON): what the
    cycle's search and speaker pages read."""
    restitution: PublishedRestitution | None = None
    social: list[PublishedSocialClip] = []
    slideshow: PublishedSlideshow | None = None
    origin: str | None = None
    """A digest of the session folder's path (not the path: the manifest is public), so a
    second session with the same slug is recognised as another one."""


CYCLE_FILM_FOLDER = "cycle/synthese"
"""Where the cycle's synthesis film is published, inside the site."""


class CycleFilmManifest(_Model):
    """The cycle's synthesis film on the site's home (``publish/cycle_film.py``)."""

    version: int = MANIFEST_VERSION
    title: str
    date: date
    place: str | None = None
    published_at: datetime
    film: Film
    sessions: list[str] = []
    """The folders of the sessions its clips are cut from."""
    origin: str | None = None


class SiteEntry(_Model):
    slug: str
    title: str
    kind: str = "rencontre"
    date: date
    theme: str | None = None
    poster: str | None = None
    duration_s: float | None = None
    manifest: str


class SiteManifest(_Model):
    version: int = MANIFEST_VERSION
    generated_at: datetime
    sessions: list[SiteEntry]
    site_config: dict | None = None
    """The cycle's site.yaml as last published (all of it is shown on the pages), kept for a
    publish made from a session folder that has no site.yaml beside it."""
    cycle_documents: list[PublishedDocument] = []
    cycle_logos: list[PublishedFile | None] = []
    """site.yaml's partners' logos in the site, in the partners' order."""
    cycle_cover: PublishedFile | None = None
    """The podcast's cover in the site."""
    cycle_restitution: PublishedFile | None = None
    """The cycle's printed restitution (every Rencontre's, with a table of contents)."""
    cycle_restitution_digest: str | None = None


def read_site_manifest(path: Path) -> SiteManifest | None:
    """The site's own manifest (None: absent or not capture's)."""
    if not path.is_file():
        return None
    try:
        return SiteManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


_Versioned = TypeVar("_Versioned", "SessionManifest", "CycleFilmManifest")


def _read_versioned(path: Path, model: type[_Versioned]) -> _Versioned | None:
    if not path.is_file():
        return None
    try:
        found = model.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return found if found.version == MANIFEST_VERSION else None


def read_session_manifest(path: Path) -> SessionManifest | None:
    """A session's manifest, or None when absent, unreadable or from another version (the
    session is then published whole again)."""
    return _read_versioned(path, SessionManifest)


def read_cycle_film_manifest(path: Path) -> CycleFilmManifest | None:
    """The cycle film's manifest, or None when absent, unreadable or from another version
    (the film is then published whole again)."""
    return _read_versioned(path, CycleFilmManifest)
