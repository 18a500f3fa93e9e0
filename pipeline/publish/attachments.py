"""session.yaml's documents and photos, copied into the site under safe names. Only formats
that cannot run script on the site's origin are published (no HTML, no SVG)."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

from pipeline.core.errors import ConfigError, Problem
from pipeline.core.fsutil import atomic_copy
from pipeline.publish.manifest import PublishedDocument, PublishedFile, PublishedPhoto
from pipeline.session import LoadedSession

DOCUMENT_TYPES = {".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".txt", ".csv",
                  ".epub"}  # fmt: skip
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp"}


def safe_name(index: int, path: Path) -> str:
    """``NN-stem.ext`` with only letters, digits, dots, dashes and underscores."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "fichier"
    suffix = re.sub(r"[^a-z0-9]", "", path.suffix.lower())
    return f"{index:02d}-{stem[:60]}.{suffix}"


def copy_if_changed(source: Path, target: Path) -> None:
    """Copied again only when it differs from what the site has."""
    if not (target.is_file() and filecmp.cmp(source, target, shallow=False)):
        atomic_copy(source, target)


def _checked(loaded: LoadedSession, key: str, paths: list[str], allowed: set[str]) -> list[Path]:
    """The files, or a ConfigError naming session.yaml's line of every missing or refused
    one."""
    problems, found = [], []
    for index, relative in enumerate(paths):
        source = loaded.resolve(relative)
        where = (loaded.folder.session_file, loaded.line_of((key, index)), f"{key}[{index}]")
        if not source.is_file():
            problems.append(Problem(*where, f"{relative!r} is not in the session folder"))
        elif source.suffix.lower() not in allowed:
            kind = source.suffix or "no extension"
            message = (
                f"{relative!r}: {kind} files are not published (use {', '.join(sorted(allowed))})"
            )
            problems.append(Problem(*where, message))
        found.append(source)
    if problems:
        raise ConfigError(problems)
    return found


def check_attachments(loaded: LoadedSession) -> None:
    """Every document and photo of session.yaml exists and may be published: checked before
    any film is encoded (hours on a real film), not after."""
    session = loaded.session
    _checked(loaded, "documents", [d.path for d in session.documents], DOCUMENT_TYPES)
    _checked(loaded, "photos", [p.path for p in session.photos], PHOTO_TYPES)


def copy_attachments(
    loaded: LoadedSession, folder: Path
) -> tuple[list[PublishedDocument], list[PublishedPhoto]]:
    session = loaded.session
    documents, photos = [], []
    sources = _checked(loaded, "documents", [d.path for d in session.documents], DOCUMENT_TYPES)
    for index, (doc, source) in enumerate(zip(session.documents, sources, strict=True), 1):
        target = folder / "documents" / safe_name(index, source)
        copy_if_changed(source, target)
        documents.append(PublishedDocument(title=doc.title, file=PublishedFile.of(folder, target)))
    sources = _checked(loaded, "photos", [p.path for p in session.photos], PHOTO_TYPES)
    for index, (photo, source) in enumerate(zip(session.photos, sources, strict=True), 1):
        target = folder / "photos" / safe_name(index, source)
        copy_if_changed(source, target)
        photos.append(PublishedPhoto(caption=photo.caption, credit=photo.credit,
                            file=PublishedFile.of(folder, target)))  # fmt: skip
    return documents, photos
