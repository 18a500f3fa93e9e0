"""``SITE/index.html`` and ``SITE/manifest.json``, rebuilt from every session's manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.fsutil import atomic_write_text
from pipeline.publish import pages
from pipeline.publish.manifest import SiteEntry, SiteManifest, read_session_manifest


def rebuild_index(site: Path) -> Path:
    entries = []
    for path in sorted(site.glob("*/manifest.json")):
        found = read_session_manifest(path)
        if found is None:
            continue
        folder = path.parent.name  # what the links point to, whatever the manifest says
        full = next((f for f in found.films if f.name == "full"), None)
        poster = found.poster if found.poster and (path.parent / found.poster).is_file() else None
        entries.append(SiteEntry(slug=folder, title=found.title, date=found.date,
                                 theme=found.theme, poster=poster,
                                 duration_s=full.duration_s if full else None,
                                 manifest=f"{folder}/manifest.json"))  # fmt: skip
    entries.sort(key=lambda e: e.date, reverse=True)
    site_manifest = SiteManifest(generated_at=datetime.now(UTC), sessions=entries)
    atomic_write_text(site / "manifest.json", site_manifest.model_dump_json(indent=2) + "\n")
    pages.write_assets(site)
    sessions = [
        {**e.model_dump(), "date_text": pages.french_date(e.date),
         "duration_text": pages.duration_text(e.duration_s) if e.duration_s else None}
        for e in entries
    ]  # fmt: skip
    pages.render_page("index.html.j2", site / "index.html", root="", sessions=sessions)
    return site / "index.html"
