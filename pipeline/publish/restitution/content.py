"""What a Rencontre's restitution says, gathered from its published folder in the site (the
manifest: quotes and their stills, people, films, photos, links, credits; the transcript's
turns: who speaks at a quote) and the team's synthesis. Kept beside the pages as
``restitution.json``, so the cycle's document is made from the site alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pipeline.publish.manifest import PublishedPerson, QuoteStill, SessionManifest
from pipeline.publish.page_context import default_rendition
from pipeline.publish.pages import clock_text, duration_text, french_date
from pipeline.subtitles.french import NBSP, typography

RESTITUTION_FOLDER = "restitution"
"""In the session's folder of the site: ``index.html``, the PDF and ``restitution.json``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Moment(_Model):
    """A moment of a published session: the page itself (``fragment`` empty), a time on it
    (``#t=0:33``) or a film file at a time. Addresses are made when a document is laid out,
    from the site's address then (a base_url set or changed later applies to every one)."""

    slug: str
    fragment: str

    @property
    def relative(self) -> str:
        """From the restitution page: ``../index.html#t=0:33`` (works from ``file://``)."""
        on_page = self.fragment.startswith("#") or not self.fragment
        return f"../index.html{self.fragment}" if on_page else f"../{self.fragment}"

    def url(self, base_url: str | None) -> str | None:
        return f"{base_url.rstrip('/')}/{self.slug}/{self.fragment}" if base_url else None

    def printed(self, base_url: str | None) -> str | None:
        """The address as printed under its QR code: without its scheme."""
        url = self.url(base_url)
        return url.split("://", 1)[1] if url else None


class PrintedQuote(_Model):
    text: str
    speaker: str | None
    detail: str | None
    """Role and organisation."""
    still: str
    """Relative to the session's folder in the site."""
    still_alt: str
    """Who, and when (the quote itself follows the image: not read twice)."""
    time: str
    film_label: str
    moment: Moment


class PrintedImage(_Model):
    file: str
    caption: str | None = None
    credit: str | None = None


class PrintedPerson(_Model):
    name: str
    detail: str | None
    website: str | None


class PrintedFilm(_Model):
    label: str
    duration: str


class Restitution(_Model):
    slug: str
    title: str
    kind: str
    date_text: str
    start_time: str | None
    place: str | None
    theme: str | None
    synthesis: str | None
    """The team's synthesis (Markdown), laid out at each document's heading level."""
    quotes: list[PrintedQuote]
    people: list[PrintedPerson]
    photos: list[PrintedImage]
    ambiance: list[PrintedImage]
    films: list[PrintedFilm]
    links: list[tuple[str, str]]
    credits: list[str]
    page: Moment
    """The session page."""
    images: str
    """A digest of every image's bytes (a new still or photo under the same name is seen)."""


def _detail(person: PublishedPerson | None) -> str | None:
    return (person.detail or None) if person else None


def _speaker_at(turns: list[dict], seconds: float) -> str | None:
    spoken = [t for t in turns if float(t["start_s"]) <= seconds + 0.5]
    return spoken[-1].get("speaker") if spoken else None


def no_widow(text: str) -> str:
    """The last two words held together, so a printed quote never ends on a word alone."""
    head, space, last = text.rpartition(" ")
    return f"{head}{NBSP}{last}" if space and len(last) < 20 else text


def _quote(q: QuoteStill, manifest: SessionManifest, turns: list[dict],
           people: dict[str, PublishedPerson]) -> PrintedQuote:  # fmt: skip
    speaker = q.speaker or (_speaker_at(turns, q.time_s) if q.film == "full" else None)
    time = clock_text(q.time_s)
    film = next(f for f in manifest.films if f.name == q.film)
    if q.film == "full":
        fragment = f"#t={time}"
    else:
        fragment = f"{default_rendition(film).file.path}#t={q.time_s:.1f}"
    return PrintedQuote(
        text=no_widow(typography(q.text)), speaker=speaker,
        detail=_detail(people.get(speaker)) if speaker else None,
        still=q.still.path, still_alt=f"{speaker or 'La Rencontre'}, à {time}",
        time=time, film_label=film.label, moment=Moment(slug=manifest.slug, fragment=fragment),
    )  # fmt: skip


def _images_digest(manifest: SessionManifest) -> str:
    files = [q.still for q in manifest.quotes] + [p.file for p in manifest.photos]
    files += [s.file for s in manifest.ambiance]
    return hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()


def gather(manifest: SessionManifest, site_folder: Path, synthesis: str | None) -> Restitution:
    """The restitution of the session published in ``site_folder``."""
    turns: list[dict] = []
    if manifest.turns is not None and (site_folder / manifest.turns.path).is_file():
        turns = json.loads((site_folder / manifest.turns.path).read_text(encoding="utf-8"))
    everyone = [p for p in [manifest.facilitator, *manifest.speakers] if p is not None]
    people = {p.name: p for p in everyone}
    films = [PrintedFilm(label=f.label, duration=duration_text(f.duration_s))
             for f in manifest.films]  # fmt: skip
    return Restitution(
        slug=manifest.slug, title=typography(manifest.title), kind=manifest.kind,
        date_text=french_date(manifest.date), start_time=manifest.start_time,
        place=manifest.place, theme=typography(manifest.theme) if manifest.theme else None,
        synthesis=synthesis,
        quotes=[_quote(q, manifest, turns, people) for q in manifest.quotes],
        people=[PrintedPerson(name=p.name, detail=_detail(p), website=p.website)
                for p in everyone],
        photos=[PrintedImage(file=p.file.path, caption=p.caption, credit=p.credit)
                for p in manifest.photos],
        ambiance=[PrintedImage(file=s.file.path, caption=f"La Rencontre à {clock_text(s.time_s)}")
                  for s in manifest.ambiance],
        films=films, links=[(link.title, link.url) for link in manifest.links],
        credits=list(manifest.credits.values()),
        page=Moment(slug=manifest.slug, fragment=""),
        images=_images_digest(manifest),
    )  # fmt: skip
