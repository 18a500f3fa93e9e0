"""session.yaml's documents and photos, copied into the site under safe names. Only formats
that cannot run script on the site's origin are published (no HTML, no SVG)."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pipeline.core.errors import CaptureError, ConfigError, Problem
from pipeline.core.fsutil import atomic_copy
from pipeline.publish.manifest import (
    PublishedDocument,
    PublishedFile,
    PublishedPhoto,
    PublishedSocialClip,
)
from pipeline.session import LoadedSession
from pipeline.social.model import read_social_report

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


def _image_header(path: Path) -> bool:
    """The file starts as a picture that says its size (read from its header only: a
    folder of large photos is checked in moments)."""
    try:
        with Image.open(path) as image:
            return image.size[0] > 0 and image.size[1] > 0
    except (UnidentifiedImageError, OSError):
        return False


def check_attachments(loaded: LoadedSession) -> None:
    """Every document and photo of session.yaml exists and may be published: checked before
    any film is encoded (hours on a real film), not after."""
    session = loaded.session
    _checked(loaded, "documents", [d.path for d in session.documents], DOCUMENT_TYPES)
    photos = _checked(loaded, "photos", [p.path for p in session.photos], PHOTO_TYPES)
    unreadable = [
        Problem(loaded.folder.session_file, loaded.line_of(("photos", index)), f"photos[{index}]",
                f"{photo.name} cannot be read as an image (damaged, or not a photo)")
        for index, photo in enumerate(photos) if not _image_header(photo)
    ]  # fmt: skip
    if unreadable:
        raise ConfigError(unreadable)


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


def copy_social_clips(loaded: LoadedSession, folder: Path) -> list[PublishedSocialClip]:
    """The social clips ``capture social`` made, copied into ``social/`` (only when they
    changed) and listed for the communication team."""
    report = read_social_report(loaded.folder.renders / "social.json")
    published = []
    for clip in report.clips if report else []:
        files = []
        for relative in (clip.file, clip.poster):
            source = loaded.root / relative
            if not source.is_file() or (relative == clip.file
                                        and source.stat().st_size != clip.bytes):  # fmt: skip
                raise CaptureError(f"{source} is missing or not the clip renders/social.json "
                                   f"lists: run `capture social {loaded.root}`")  # fmt: skip
            target = folder / "social" / source.name
            copy_if_changed(source, target)
            files.append(PublishedFile.of(folder, target))
        published.append(PublishedSocialClip(
            quote=clip.quote, format=clip.format, width=clip.width, height=clip.height,
            duration_s=clip.duration_s, integrated_lufs=clip.integrated_lufs,
            file=files[0], poster=files[1]))  # fmt: skip
    return published
