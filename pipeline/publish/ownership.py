"""What a publish may write over: the site folder must be capture's (or new, or empty), and
a session's folder in it must be this session's.

A webmaster's own site, or the folder of another session that happens to share the slug,
was overwritten without a word. ``--force`` says the user means it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.core.fsutil import atomic_write_text
from pipeline.publish.manifest import (
    SessionManifest,
    SiteManifest,
    read_session_manifest,
    read_site_manifest,
)
from pipeline.session import LoadedSession


class NotOurs(CaptureError):
    exit_code = ExitCode.BAD_INPUT


def session_origin(loaded: LoadedSession) -> str:
    """Which session folder a published folder came from (a digest: manifests are public)."""
    return hashlib.sha256(str(loaded.root.resolve()).encode()).hexdigest()[:16]


def check_site(site: Path, slug: str, *, force: bool) -> None:
    """Refuse a folder that holds files capture did not write: capture's site has its site
    manifest, or (a first publish killed before writing it) nothing but session folders."""
    if not site.exists():
        return
    if not site.is_dir():
        raise NotOurs(f"{site} is a file, not a folder: give --site a folder")
    if force or read_site_manifest(site / "manifest.json") is not None:
        return
    names = sorted(p.name for p in site.iterdir())
    strangers = [
        name
        for name in names
        if not (
            name in (slug, "assets")
            or read_session_manifest(site / name / "manifest.json") is not None
        )
    ]
    if not strangers:
        return
    shown = ", ".join(strangers[:5]) + (", ..." if len(strangers) > 5 else "")
    raise NotOurs(
        f"{site} is not a site capture made (it holds {shown}): publish into a new or empty "
        "folder, or add --force to publish into it (its index.html and manifest.json are "
        "then replaced)"
    )


def claim_site(site: Path) -> None:
    """Mark a new site as capture's before anything else is written into it, so that a first
    publish killed half-way does not make the site look like someone else's."""
    if read_site_manifest(site / "manifest.json") is None:
        manifest = SiteManifest(generated_at=datetime.now(UTC), sessions=[])
        atomic_write_text(site / "manifest.json", manifest.model_dump_json(indent=2) + "\n")


def check_session_folder(
    loaded: LoadedSession, folder: Path, old: SessionManifest | None, *, force: bool
) -> None:
    """Refuse to replace another session published under the same slug."""
    if old is None or force or old.origin == session_origin(loaded):
        return  # (a manifest from before origins were written is judged by title and date)
    session = loaded.session
    if (old.title, old.date) == (session.title, session.date):
        return  # the same session, published from a folder since moved
    raise NotOurs(
        f"{folder} holds another session, {old.title!r} of {old.date.isoformat()}: give this "
        f"one another slug in {loaded.folder.session_file}, or add --force to replace it"
    )
