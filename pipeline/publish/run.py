"""``capture publish SESSION --site SITE``: one session's folder in the site, then the site's
index rebuilt from every session's manifest (other sessions are never touched).

Each film's encodes are redone only when its master, the preset or this code changed
(``film.py``); text tracks, documents, pages and the manifest are always rebuilt. Files a
previous publish left and this one no longer lists are removed last, so a killed publish
leaves the previous pages pointing at files that still exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import CaptureError, ConfigError
from pipeline.fsutil import atomic_write_text
from pipeline.presets_loader import load_preset
from pipeline.progress import ProgressReporter
from pipeline.publish import pages
from pipeline.publish.attachments import copy_attachments
from pipeline.publish.film import publish_film
from pipeline.publish.manifest import Link, Person, SessionManifest, read_session_manifest
from pipeline.publish.page_context import session_context
from pipeline.publish.rendered import RenderedFilm, rendered_film
from pipeline.publish.site_index import rebuild_index
from pipeline.publish.stills import ambiance, cue_list_quotes, quote_stills
from pipeline.session import LoadedSession
from pipeline.timeline.cuelist import TIMELINES

RESERVED = {"assets", "manifest.json", "index.html"}
"""Names the site itself uses: no session may take them as its slug."""


@dataclass(frozen=True)
class PublishResult:
    page: Path
    index: Path
    manifest: Path
    encoded: list[str]
    """Films whose renditions were encoded this time (empty: nothing had changed)."""


def _films(loaded: LoadedSession, preset_name: str) -> list[RenderedFilm]:
    films = [f for name in TIMELINES if (f := rendered_film(loaded, name)) is not None]
    if not films or films[0].name != "full":
        raise CaptureError(
            f"no full version in {loaded.layout.renders}: run `capture render {loaded.root} full`"
        )
    wanted = load_preset(preset_name, session_root=loaded.root).audio
    for film in films:
        if not film.preset or film.preset == preset_name:
            continue
        used = load_preset(film.preset, session_root=loaded.root).audio
        if (used.loudness, used.sample_rate) != (wanted.loudness, wanted.sample_rate):
            raise CaptureError(
                f"the {film.name} was rendered with the {film.preset!r} preset, whose loudness "
                f"is not {preset_name!r}'s: its sound is copied into the web renditions. Render "
                f"it again with --preset {preset_name}, or publish with --preset {film.preset}."
            )
    return films


def _person(person) -> Person:
    return Person(name=person.name, role=person.role, organisation=person.organisation)


def _files(node: object) -> list[dict]:
    if isinstance(node, dict):
        own = [node] if {"path", "bytes", "sha256"} <= node.keys() else []
        return own + [f for value in node.values() for f in _files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _files(value)]
    return []


def _remove_unlisted(folder: Path, manifest: SessionManifest) -> None:
    """Files a previous publish left that this one no longer lists (a rung now skipped, a
    removed document, fewer stills)."""
    listed = {f["path"] for f in _files(json.loads(manifest.model_dump_json()))}
    for sub in ("video", "hls", "images", "text", "documents", "photos"):
        for path in sorted((folder / sub).rglob("*"), reverse=True):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in listed:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def publish(
    loaded: LoadedSession, site: Path, *, preset_name: str = "web",
    progress: ProgressReporter | None = None,
) -> PublishResult:  # fmt: skip
    """Publish the session's rendered films, text and documents into ``site``."""
    session = loaded.session
    if session.slug in RESERVED:
        raise ConfigError(f"slug {session.slug!r} is a name the site uses itself: choose another",
                          file=loaded.layout.session_file)  # fmt: skip
    films = _films(loaded, preset_name)
    preset = load_preset(preset_name, session_root=loaded.root)
    site = site.resolve()
    folder = site / session.slug
    folder.mkdir(parents=True, exist_ok=True)
    old = read_session_manifest(folder / "manifest.json")
    old_films = {f.name: f for f in old.films} if old else {}
    published = [publish_film(loaded, film, preset, folder, old_films.get(film.name), progress)
                 for film in films]  # fmt: skip
    entries = [p.entry for p in published]
    documents, photos = copy_attachments(loaded, folder)
    manifest = SessionManifest(
        slug=session.slug, title=session.title, date=session.date, start_time=session.start_time,
        place=session.place, theme=session.theme, published_at=datetime.now(UTC),
        facilitator=_person(session.facilitator) if session.facilitator else None,
        speakers=[_person(s) for s in session.speakers],
        films=entries,
        poster=entries[0].poster.file.path if entries[0].poster else None,
        ambiance=ambiance(films[0], published[0].candidates, folder, old),
        quotes=quote_stills(cue_list_quotes(loaded), list(zip(films, entries, strict=True)),
                            folder, old),
        documents=documents, photos=photos,
        links=[Link(title=link.title, url=link.url) for link in session.links],
        credits={k: v for k, v in session.credits.model_dump().items() if v},
    )  # fmt: skip
    people = [p for p in [session.facilitator, *session.speakers] if p is not None]
    texts = {p.entry.name: p.text for p in published}
    pages.write_assets(site)
    pages.render_page("session.html.j2", folder / "index.html",
                      **session_context(manifest, texts, people))  # fmt: skip
    atomic_write_text(folder / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    _remove_unlisted(folder, manifest)
    index = rebuild_index(site)
    encoded = [p.entry.name for p in published if p.encoded]
    return PublishResult(folder / "index.html", index, folder / "manifest.json", encoded)
