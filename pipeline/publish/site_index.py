"""The cycle's pages, rebuilt from every published session and ``site.yaml`` at each
publish: the home (introduction, calendar, every Rencontre by kind, documents, partners),
a page per speaker, the search page and its index, the legal notice and accessibility
statement, ``SITE/manifest.json`` and, when the site's address is known, ``sitemap.xml``
and the podcast feed."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.core.fsutil import atomic_write_text
from pipeline.publish import pages
from pipeline.publish.attachments import copy_if_changed, safe_name
from pipeline.publish.cycle import (
    KIND_LABELS,
    PublishedSession,
    SpeakerPage,
    published_sessions,
    speaker_pages,
    upcoming_sessions,
)
from pipeline.publish.manifest import (
    CYCLE_FILM_FOLDER,
    PublishedDocument,
    PublishedFile,
    SiteEntry,
    SiteManifest,
    read_cycle_film_manifest,
    read_site_manifest,
)
from pipeline.publish.page_context import home_film
from pipeline.publish.podcast import FEED, podcast_feed
from pipeline.publish.restitution.run import CYCLE_PDF, write_cycle_restitution
from pipeline.publish.search import Passage, build_index
from pipeline.publish.site_config import SiteConfig
from pipeline.session.model import WEB_ADDRESS

CYCLE_RESTITUTION_TITLE = "La restitution du cycle, toutes les Rencontres (à imprimer)"

log = logging.getLogger(__name__)

CYCLE_FOLDER = "cycle"
"""SITE/cycle/: the cycle's own documents and partners' logos."""
PAGES = ("index.html", "recherche.html", "mentions-legales.html", "accessibilite.html",
         "intervenants/index.html")  # fmt: skip


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _session_card(site: Path, s: PublishedSession) -> dict:
    m = s.manifest
    return {
        "slug": s.folder, "title": m.title, "kind": KIND_LABELS.get(m.kind, m.kind),
        "date": m.date, "date_text": pages.french_date(m.date), "theme": m.theme,
        "poster": m.poster if m.poster and (site / s.folder / m.poster).is_file() else None,
        "duration_text": pages.duration_text(s.duration_s) if s.duration_s else None,
        "speakers": [p.name for p in m.speakers],
    }  # fmt: skip


@dataclass(frozen=True)
class CycleFiles:
    documents: list[PublishedDocument]
    logos: list[PublishedFile | None]
    cover: PublishedFile | None


def _inside_cycle(files: CycleFiles) -> CycleFiles:
    """Only files under SITE/cycle/ become links (a manifest is a file anyone may edit)."""

    def ours(file: PublishedFile | None) -> PublishedFile | None:
        safe = file is not None and re.fullmatch(r"cycle/[A-Za-z0-9._/-]+", file.path)
        return file if safe and ".." not in file.path else None

    return CycleFiles([d for d in files.documents if ours(d.file)],
                      [ours(logo) for logo in files.logos], ours(files.cover))  # fmt: skip


def _copy_cycle_files(config: SiteConfig, cycle: Path, site: Path) -> CycleFiles:
    """site.yaml's documents, logos and podcast cover copied into SITE/cycle/ (under safe
    names); files a previous publish put there and site.yaml no longer names are removed."""
    documents, logos, wanted = [], [], set()
    for index, doc in enumerate(config.documents, 1):
        source = cycle / doc.path
        target = site / CYCLE_FOLDER / "documents" / safe_name(index, source)
        copy_if_changed(source, target)
        documents.append(PublishedDocument(title=doc.title, file=PublishedFile.of(site, target)))
        wanted.add(target)
    for index, partner in enumerate(config.partners, 1):
        logo = None
        if partner.logo:
            source = cycle / partner.logo
            target = site / CYCLE_FOLDER / "logos" / safe_name(index, source)
            copy_if_changed(source, target)
            logo = PublishedFile.of(site, target)
            wanted.add(target)
        logos.append(logo)
    cover = None
    if config.podcast and config.podcast.image:
        source = cycle / config.podcast.image
        target = site / CYCLE_FOLDER / f"podcast{source.suffix.lower()}"
        copy_if_changed(source, target)
        cover = PublishedFile.of(site, target)
        wanted.add(target)
    wanted.add(site / CYCLE_PDF)  # the cycle's restitution: capture's own, kept up to date
    film = site / CYCLE_FILM_FOLDER  # the cycle's synthesis: its own manifest lists its files
    for old in sorted((site / CYCLE_FOLDER).rglob("*")):
        if old.is_file() and old not in wanted and not old.is_relative_to(film):
            old.unlink()
    return CycleFiles(documents, logos, cover)


def effective_config(
    site: Path, found: SiteConfig | None, *, warn: bool = True,
    previous: SiteManifest | None = None,
) -> tuple[SiteConfig, bool]:  # fmt: skip
    """The cycle's settings for this publish, and whether they come from a site.yaml beside
    the session: else those the site was last published with (a warning says so), else the
    defaults. ``previous``: the site's manifest, when the caller has read it already."""
    if found is not None:
        return found, True
    previous = previous or read_site_manifest(site / "manifest.json")
    if previous is not None and previous.site_config is not None:
        if warn:
            log.warning("no site.yaml beside this session: the site keeps the cycle's settings it "
                        "was last published with (%s)", site / "manifest.json")  # fmt: skip
        return SiteConfig.model_validate(previous.site_config), False
    return SiteConfig(), False


def _website(url: str | None) -> str | None:
    """Only an http(s) address becomes a link (manifests are files anyone may edit)."""
    return url if url and WEB_ADDRESS.match(url) else None


def _speaker_context(page: SpeakerPage) -> dict:
    person = page.person
    return {
        "slug": page.slug, "name": person.name, "website": _website(person.website),
        "detail": person.detail,
        "sessions": [
            {"slug": s.folder, "title": s.manifest.title,
             "date_text": pages.french_date(s.manifest.date),
             "turns": [{"start": f"{t.start_s:.1f}", "time": pages.clock_text(t.start_s),
                        "text": t.text} for t in turns]}
            for s, turns in page.sessions
        ],
    }  # fmt: skip


def _search_index(sessions: list[PublishedSession]) -> str:
    listed = [{"slug": s.folder, "title": s.manifest.title,
               "date_text": pages.french_date(s.manifest.date)} for s in sessions]  # fmt: skip
    passages = [Passage(number, t.start_s, t.speaker, t.text)
                for number, s in enumerate(sessions) for t in s.turns]  # fmt: skip
    index = build_index(listed, passages)
    return f"window.CAPTURE_SEARCH_INDEX = {pages.script_json(index)};\n"


def _sitemap(base_url: str, sessions: list[PublishedSession], speakers: list[SpeakerPage]) -> str:
    base = base_url.rstrip("/") + "/"
    paths = [p.removesuffix("index.html") for p in PAGES]
    paths += [f"{s.folder}/" for s in sessions]
    paths += [f"intervenants/{p.slug}.html" for p in speakers]
    urls = "".join(f"<url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    head += '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    return head + urls + "</urlset>\n"


def rebuild_index(
    site: Path, cycle: Path | None = None, config: SiteConfig | None = None,
    today: date | None = None,
) -> Path:  # fmt: skip
    """Every page of the cycle written again; returns the home page. ``config`` is the
    cycle's site.yaml found beside the session (None: the one the site was last published
    with, or the defaults)."""
    previous = read_site_manifest(site / "manifest.json")
    settings, fresh = effective_config(site, config, previous=previous)
    if fresh and cycle is not None:
        files = _copy_cycle_files(settings, cycle, site)
    elif previous is not None and previous.site_config is not None:
        files = _inside_cycle(CycleFiles(previous.cycle_documents, previous.cycle_logos,
                                         previous.cycle_cover))  # fmt: skip
    else:
        files = CycleFiles([], [], None)
    documents, logos = files.documents, files.logos
    sessions = published_sessions(site)
    upcoming = upcoming_sessions(cycle, {s.manifest.slug for s in sessions},
                                 today or date.today())  # fmt: skip
    speakers = speaker_pages(sessions)
    entries = [SiteEntry(slug=s.folder, title=s.manifest.title, kind=s.manifest.kind,
                         date=s.manifest.date, theme=s.manifest.theme, poster=s.manifest.poster,
                         duration_s=s.duration_s, manifest=f"{s.folder}/manifest.json")
               for s in sessions]  # fmt: skip
    restitution, restitution_digest, _ = write_cycle_restitution(
        site,
        [(s.folder, s.manifest) for s in sessions],
        settings,
        previous.cycle_restitution_digest if previous else None,
    )
    site_manifest = SiteManifest(
        generated_at=datetime.now(UTC), sessions=entries,
        site_config=settings.model_dump(mode="json") if fresh
        else (previous.site_config if previous else None),
        cycle_documents=documents, cycle_logos=logos, cycle_cover=files.cover,
        cycle_restitution=restitution, cycle_restitution_digest=restitution_digest,
    )  # fmt: skip
    atomic_write_text(site / "manifest.json", site_manifest.model_dump_json(indent=2) + "\n")
    pages.write_assets(site)
    cards = [_session_card(site, s) for s in sessions]
    listening = any(f.listening for s in sessions for f in s.manifest.films)
    common = {"site": settings, "listening": listening}
    labels = [KIND_LABELS[kind] for kind in ("rencontre", "closing", "event")]
    by_kind = [(label, [c for c in cards if c["kind"] == label]) for label in labels]
    partners = [{"name": p.name, "url": p.url, "logo": logo.path if logo else None}
                for p, logo in zip(settings.partners, logos, strict=False)]  # fmt: skip
    pages.render_page(
        "index.html.j2", site / "index.html", root="", **common,
        introduction=_paragraphs(settings.introduction), groups=[g for g in by_kind if g[1]],
        count=len(cards), upcoming=[{**u.__dict__, "kind": KIND_LABELS[u.kind],
                                     "date_text": pages.french_date(u.date)} for u in upcoming],
        documents=[pages.document_entry(d.title, d.file.path, d.file.bytes) for d in documents]
        + ([pages.document_entry(CYCLE_RESTITUTION_TITLE, restitution.path, restitution.bytes)]
           if restitution else []),
        partners=partners, links=settings.links,
        speakers=[{"slug": p.slug, "name": p.person.name} for p in speakers],
        cycle_film=home_film(found, CYCLE_FILM_FOLDER)
        if (found := read_cycle_film_manifest(site / CYCLE_FILM_FOLDER / "manifest.json"))
        else None,
    )  # fmt: skip
    (site / "intervenants").mkdir(exist_ok=True)
    wanted = {f"{p.slug}.html" for p in speakers} | {"index.html"}
    for stale in (site / "intervenants").glob("*.html"):  # a speaker no longer published
        if stale.name not in wanted:
            stale.unlink()
    contexts = [_speaker_context(p) for p in speakers]
    pages.render_page("speakers.html.j2", site / "intervenants" / "index.html", root="../",
                      **common, speakers=contexts)  # fmt: skip
    for context in contexts:
        pages.render_page("speaker.html.j2", site / "intervenants" / f"{context['slug']}.html",
                          root="../", **common, p=context)  # fmt: skip
    atomic_write_text(site / "recherche-index.js", _search_index(sessions))
    pages.render_page("search.html.j2", site / "recherche.html", root="", **common)
    pages.render_page("legal.html.j2", site / "mentions-legales.html", root="", **common)
    pages.render_page("accessibility.html.j2", site / "accessibilite.html", root="", **common)
    if settings.base_url:
        atomic_write_text(site / "sitemap.xml", _sitemap(settings.base_url, sessions, speakers))
    else:
        (site / "sitemap.xml").unlink(missing_ok=True)
    feed = podcast_feed(settings, sessions, files.cover.path if files.cover else None)
    if feed is not None:
        atomic_write_text(site / FEED, feed)
    else:
        (site / FEED).unlink(missing_ok=True)
    return site / "index.html"
