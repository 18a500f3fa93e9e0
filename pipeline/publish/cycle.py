"""What the cycle's pages show, gathered from the site (every published session's manifest
and transcript turns) and from the cycle folder (the sessions not filmed yet)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.publish.manifest import PublishedPerson, SessionManifest, read_session_manifest
from pipeline.publish.search import fold
from pipeline.session import load_session
from pipeline.session.model import slugify
from pipeline.session.siblings import is_cycle_film_folder

log = logging.getLogger(__name__)

KIND_LABELS = {
    "rencontre": "Rencontre",
    "closing": "Séance de clôture",
    "event": "Demi-journée publique",
}


@dataclass(frozen=True)
class Turn:
    start_s: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class PublishedSession:
    folder: str
    """The session's folder in the site (what links point to, whatever the manifest says)."""
    manifest: SessionManifest
    turns: list[Turn]

    @property
    def people(self) -> list[PublishedPerson]:
        facilitator = [self.manifest.facilitator] if self.manifest.facilitator else []
        return [*facilitator, *self.manifest.speakers]

    @property
    def duration_s(self) -> float | None:
        full = next((f for f in self.manifest.films if f.name == "full"), None)
        return full.duration_s if full else None


@dataclass(frozen=True)
class Upcoming:
    slug: str
    title: str
    kind: str
    date: date
    start_time: str | None
    place: str | None
    theme: str | None
    speakers: list[str]


@dataclass
class SpeakerPage:
    slug: str
    person: PublishedPerson
    sessions: list[tuple[PublishedSession, list[Turn]]] = field(default_factory=list)


def _turns(folder: Path, manifest: SessionManifest) -> list[Turn]:
    if manifest.turns is None or not (folder / manifest.turns.path).is_file():
        return []
    try:
        found = json.loads((folder / manifest.turns.path).read_text(encoding="utf-8"))
        return [Turn(float(t["start_s"]), t.get("speaker"), str(t["text"])) for t in found]
    except (ValueError, KeyError, TypeError) as exc:
        raise CaptureError(f"{folder / manifest.turns.path} is damaged ({exc}): publish "
                           f"that session again") from exc  # fmt: skip


def published_sessions(site: Path) -> list[PublishedSession]:
    """Every session published in the site, newest first."""
    found = []
    for path in sorted(site.glob("*/manifest.json")):
        manifest = read_session_manifest(path)
        if manifest is not None:
            found.append(
                PublishedSession(path.parent.name, manifest, _turns(path.parent, manifest))
            )
    found.sort(key=lambda s: s.manifest.date, reverse=True)
    return found


def upcoming_sessions(cycle: Path | None, published: set[str], today: date) -> list[Upcoming]:
    """The cycle folder's sessions dated today or later and not published yet, soonest
    first. A session.yaml that does not load is left out with a warning: it is the next
    Rencontre's draft, and must not stop today's publish."""
    if cycle is None:
        return []
    found = []
    for path in sorted(cycle.glob("*/session.yaml")):
        try:
            loaded = load_session(path.parent)
        except CaptureError as exc:
            log.warning("%s left off the site's calendar: %s", path, exc)
            continue
        if is_cycle_film_folder(loaded):
            continue  # the cycle's synthesis film, not a session
        session = loaded.session
        if session.slug in published or session.date < today:
            continue
        found.append(Upcoming(session.slug, session.title, session.kind, session.date,
                              session.start_time, session.place, session.theme,
                              [p.name for p in session.speakers]))  # fmt: skip
    return sorted(found, key=lambda u: u.date)


def _slugs(names: list[str]) -> dict[str, str]:
    """An address for each name; names that make the same one get ``-2``, ``-3`` in the
    order of the names themselves (not of publishing), so a page keeps its person."""
    taken: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names), key=lambda n: (fold(n), n)):
        base = slugify(name) or "intervenant"
        base = "intervenant-index" if base == "index" else base  # the list's own page
        slug, number = base, 1
        while slug in used:
            number += 1
            slug = f"{base}-{number}"
        used.add(slug)
        taken[name] = slug
    return taken


def speaker_pages(sessions: list[PublishedSession]) -> list[SpeakerPage]:
    """One page per person across the cycle (by name), with the turns they speak in each
    session, oldest session first; a person listed twice in a session (facilitator and
    speaker) counts once."""
    ordered = sorted(sessions, key=lambda s: s.manifest.date)
    slugs = _slugs([p.name for s in ordered for p in s.people])
    pages: dict[str, SpeakerPage] = {}
    for session in ordered:
        seen: set[str] = set()
        for person in session.people:
            if person.name in seen:
                continue
            seen.add(person.name)
            page = pages.setdefault(person.name, SpeakerPage(slugs[person.name], person))
            page.sessions.append((session, [t for t in session.turns if t.speaker == person.name]))
    return sorted(pages.values(), key=lambda p: (fold(p.person.name.split()[-1]), p.slug))
