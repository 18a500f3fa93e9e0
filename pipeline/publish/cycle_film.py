"""The cycle's synthesis film on the site's home: a folder without recordings of its own
(``session/siblings.py``) whose ``synthesis`` film is cut from the cycle's sessions is
published into ``SITE/cycle/synthese/`` (renditions, HLS, poster, thumbnails, captions,
chapters, transcript, as a session's film) and shown on the home page, not as a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError, ConfigError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.jobs import Spread, one_after_another
from pipeline.core.presets import load_preset
from pipeline.core.progress import ProgressReporter
from pipeline.publish.film import checked_film_text, publish_film
from pipeline.publish.manifest import (
    CYCLE_FILM_FOLDER,
    CycleFilmManifest,
    read_cycle_film_manifest,
)
from pipeline.publish.ownership import check_site, claim_site, session_origin
from pipeline.publish.rendered import check_renditions, rendered_film
from pipeline.publish.site_config import find_site_config
from pipeline.publish.site_index import rebuild_index
from pipeline.publish.unlisted import remove_unlisted
from pipeline.session import LoadedSession
from pipeline.session.cuelist import load_cue_list
from pipeline.session.siblings import SYNTHESIS


@dataclass(frozen=True)
class CycleFilmResult:
    folder: Path
    index: Path
    manifest: Path
    encoded: bool


def publish_cycle_film(
    loaded: LoadedSession, site: Path, *, preset_name: str = "web",
    progress: ProgressReporter | None = None, force: bool = False, site_index: bool = True,
    spread: Spread = one_after_another,
) -> CycleFilmResult:  # fmt: skip
    """Publish the synthesis film (rendered, with captions that fit it) on the cycle's home;
    the home page is written again with it."""
    site = site.resolve()
    check_site(site, "cycle", force=force)
    film = rendered_film(loaded, SYNTHESIS)
    if film is None:
        raise CaptureError(f"no synthesis film in {loaded.folder.renders}: run `capture render "
                           f"{loaded.root} {SYNTHESIS}`")  # fmt: skip
    check_renditions(loaded, film, preset_name)
    text = checked_film_text(loaded, film)
    folder = site / CYCLE_FILM_FOLDER
    path = site / CYCLE_FILM_FOLDER / "manifest.json"
    old = read_cycle_film_manifest(path)
    if old is not None and not force and old.origin not in (None, session_origin(loaded)):
        raise ConfigError(f"{folder} holds the synthesis of another folder ({old.title!r}): "
                          "add --force to replace it", file=loaded.folder.session_file)  # fmt: skip
    if site_index:  # capture batch claims the site once, first
        claim_site(site)
    folder.mkdir(parents=True, exist_ok=True)
    preset = load_preset(preset_name, session_root=loaded.root)
    published = publish_film(loaded, film, text, preset, folder, old.film if old else None, spread)
    cue_list = load_cue_list(loaded, SYNTHESIS)
    session = loaded.session
    manifest = CycleFilmManifest(
        title=session.title, date=session.date, place=session.place,
        published_at=datetime.now(UTC), film=published.entry,
        sessions=sorted(cue_list.sessions) if cue_list else [],
        origin=session_origin(loaded),
    )  # fmt: skip
    atomic_write_text(path, manifest.model_dump_json(indent=2) + "\n")
    remove_unlisted(folder, old, manifest)
    index = site / "index.html"
    if site_index:
        index = rebuild_index(site, loaded.root.parent, find_site_config(loaded.root.parent))
    return CycleFilmResult(folder, index, path, published.encoded)
