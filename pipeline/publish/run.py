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

from pipeline.core.errors import CaptureError, ConfigError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.jobs import Spread, one_after_another
from pipeline.core.presets import load_preset
from pipeline.core.progress import ProgressReporter
from pipeline.publish import pages
from pipeline.publish.attachments import (
    check_attachments,
    copy_attachments,
    copy_social_clips,
)
from pipeline.publish.cycle_film import publish_cycle_film
from pipeline.publish.film import checked_film_text, publish_film
from pipeline.publish.gallery import with_web_sizes
from pipeline.publish.manifest import (
    PublishedFile,
    PublishedLink,
    PublishedPerson,
    SessionManifest,
    read_session_manifest,
)
from pipeline.publish.ownership import (
    check_session_folder,
    check_site,
    claim_site,
    session_origin,
)
from pipeline.publish.page_context import session_context
from pipeline.publish.published_slideshow import publish_slideshow
from pipeline.publish.rendered import RenderedFilm, check_renditions, rendered_film
from pipeline.publish.restitution.run import (
    RestitutionResult,
    require_published,
    write_session_restitution,
)
from pipeline.publish.restitution.synthesis import read_synthesis
from pipeline.publish.site_config import find_site_config
from pipeline.publish.site_index import effective_config, rebuild_index
from pipeline.publish.stills import ambiance, cue_list_quotes, quote_stills
from pipeline.publish.texttracks import FilmText
from pipeline.publish.unlisted import remove_unlisted
from pipeline.session import FILMS, LoadedSession
from pipeline.session.siblings import SYNTHESIS, is_cycle_film_folder

RESERVED = {"assets", "manifest.json", "index.html", "intervenants", "cycle", "recherche"}
"""Names the site itself uses: no session may take them as its slug."""


@dataclass(frozen=True)
class PublishResult:
    page: Path
    index: Path
    manifest: Path
    encoded: list[str]
    """Films whose renditions were encoded this time (empty: nothing had changed)."""
    restitution: RestitutionResult | None
    """None for the cycle's synthesis (a film on the home page, no session page)."""


def _films(loaded: LoadedSession, preset_name: str) -> list[RenderedFilm]:
    films = [f for name in FILMS if (f := rendered_film(loaded, name)) is not None]
    if not films or films[0].name != "full":
        raise CaptureError(
            f"no full version in {loaded.folder.renders}: run `capture render {loaded.root} full`"
        )
    for film in films:
        check_renditions(loaded, film, preset_name)
    return films


def _person(person) -> PublishedPerson:
    return PublishedPerson(name=person.name, role=person.role, organisation=person.organisation,
                           website=person.website)  # fmt: skip


def _write_turns(text: FilmText, folder: Path) -> PublishedFile:
    """``text/full.turns.json``: the full version's paragraphs (start, end, speaker, text)."""
    path = folder / "text" / "full.turns.json"
    turns = [{"start_s": p.start_ms / 1000, "end_s": p.end_ms / 1000, "speaker": p.speaker,
              "text": p.text} for p in text.paragraphs]  # fmt: skip
    atomic_write_text(path, json.dumps(turns, ensure_ascii=False, indent=1) + "\n")
    return PublishedFile.of(folder, path)


def publish(
    loaded: LoadedSession, site: Path, *, preset_name: str = "web",
    progress: ProgressReporter | None = None, force: bool = False, site_index: bool = True,
    spread: Spread = one_after_another,
) -> PublishResult:  # fmt: skip
    """Publish the session's rendered films, text and documents into ``site`` (and rebuild
    the cycle's pages, unless ``site_index`` is false: ``capture batch`` does it once). Everything
    that can be checked (the site is capture's, the slug is this session's, documents and
    photos exist, every film's subtitles fit it) is checked before any film is encoded.
    Thumbnail sheets and stills are ``spread``'s jobs (``capture batch``: tasks)."""
    if is_cycle_film_folder(loaded):
        made = publish_cycle_film(loaded, site, preset_name=preset_name, progress=progress,
                                  force=force, site_index=site_index, spread=spread)  # fmt: skip
        encoded = [SYNTHESIS] if made.encoded else []
        return PublishResult(made.index, made.index, made.manifest, encoded, None)
    session = loaded.session
    if session.slug in RESERVED:
        raise ConfigError(f"slug {session.slug!r} is a name the site uses itself: choose another",
                          file=loaded.folder.session_file)  # fmt: skip
    site = site.resolve()
    check_site(site, session.slug, force=force)
    folder = site / session.slug
    old = read_session_manifest(folder / "manifest.json")
    check_session_folder(loaded, folder, old, force=force)
    check_attachments(loaded)
    synthesis = read_synthesis(loaded.root)
    quotes = cue_list_quotes(loaded)
    found = find_site_config(loaded.root.parent)
    films = _films(loaded, preset_name)
    texts = {film.name: checked_film_text(loaded, film) for film in films}
    preset = load_preset(preset_name, session_root=loaded.root)
    folder.mkdir(parents=True, exist_ok=True)
    if site_index:  # capture batch claims the site and writes its assets once, first
        claim_site(site)
    cycle, _ = effective_config(site, found, warn=False)
    old_films = {f.name: f for f in old.films} if old else {}
    published = [publish_film(loaded, film, texts[film.name], preset, folder,
                              old_films.get(film.name), spread) for film in films]  # fmt: skip
    entries = [p.entry for p in published]
    documents, photos = copy_attachments(loaded, folder)
    photos = with_web_sizes(folder, photos, old.photos if old else [])
    manifest = SessionManifest(
        slug=session.slug, title=session.title, kind=session.kind, date=session.date,
        start_time=session.start_time,
        place=session.place, theme=session.theme, published_at=datetime.now(UTC),
        facilitator=_person(session.facilitator) if session.facilitator else None,
        speakers=[_person(s) for s in session.speakers],
        films=entries,
        poster=entries[0].poster.file.path if entries[0].poster else None,
        ambiance=ambiance(films[0], published[0].candidates, folder, old, spread),
        quotes=quote_stills(quotes, list(zip(films, entries, strict=True)),
                            folder, old, spread),
        documents=documents, photos=photos,
        links=[PublishedLink(title=link.title, url=link.url) for link in session.links],
        credits={k: v for k, v in session.credits.model_dump().items() if v},
        turns=_write_turns(texts["full"], folder),
        social=copy_social_clips(loaded, folder),
        slideshow=publish_slideshow(loaded, folder),
        origin=session_origin(loaded),
    )  # fmt: skip
    restitution = write_session_restitution(
        folder,
        manifest.model_copy(update={"restitution": old.restitution if old else None}),
        synthesis,
        cycle,
    )
    manifest = manifest.model_copy(update={"restitution": restitution.entry})
    people = [p for p in [session.facilitator, *session.speakers] if p is not None]
    if site_index:
        pages.write_assets(site)
    pages.render_page("session.html.j2", folder / "index.html", site=cycle,
                      **session_context(manifest, texts, people, cycle.base_url))  # fmt: skip
    atomic_write_text(folder / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    remove_unlisted(folder, old, manifest)
    index = rebuild_index(site, loaded.root.parent, found) if site_index else site / "index.html"
    encoded = [p.entry.name for p in published if p.encoded]
    return PublishResult(folder / "index.html", index, folder / "manifest.json", encoded,
                         restitution)  # fmt: skip


def republish_restitution(
    loaded: LoadedSession, site: Path, *, preset_name: str | None = None,
    progress: ProgressReporter | None = None,
) -> PublishResult:  # fmt: skip
    """The restitution made again for a published session (after ``restitution.md`` or a
    quote changed): the session is published again with the preset its films were rendered
    with (nothing is re-encoded), so its page, manifest and the cycle's document agree."""
    if is_cycle_film_folder(loaded):
        raise CaptureError(f"{loaded.root} is the cycle's synthesis: no restitution of its "
                           "own (the cycle's is made from the published Rencontres)")  # fmt: skip
    site = site.resolve()
    require_published(site, loaded.session.slug)
    preset = rendering_preset(loaded, preset_name)
    return publish(loaded, site, preset_name=preset, progress=progress)


def rendering_preset(loaded: LoadedSession, preset_name: str | None = None) -> str:
    """``preset_name``, else the preset the full version was rendered with (else "web")."""
    full = rendered_film(loaded, "full") if preset_name is None else None
    return preset_name or (full.preset if full and full.preset else "web")
