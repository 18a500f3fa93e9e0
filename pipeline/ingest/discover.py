"""Finding what is on a camera card: recordings, sidecars, and what to leave alone."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.core.errors import ConfigError

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = {".mp4", ".mov", ".mxf", ".mts", ".m2ts", ".avi", ".mkv", ".m4v", ".3gp"}
AUDIO_EXTENSIONS = {".wav", ".bwf", ".mp3", ".m4a", ".aac", ".flac", ".aif", ".aiff", ".ogg"}
# camera metadata that travels with the recordings: copied and hashed, never treated as media
SIDECAR_EXTENSIONS = {".xml", ".thm", ".lrv", ".xmp", ".bim", ".cpi", ".smi", ".ppn", ".srt",
                      ".json", ".txt", ".jpg", ".jpeg", ".dng"}  # fmt: skip
SYSTEM_NAMES = {
    ".ds_store", "thumbs.db", "desktop.ini", ".spotlight-v100", ".trashes",
    ".fseventsd", ".temporaryitems", "system volume information", "$recycle.bin",
}  # fmt: skip
CAMERA_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class FileKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    SIDECAR = "sidecar"
    OTHER = "other"
    """A file capture does not know (RAW video, camera databases...): copied and verified all
    the same, so a card is never wiped with something left behind."""


@dataclass(frozen=True)
class FoundFile:
    source_root: Path
    path: Path
    camera: str
    kind: FileKind
    size: int

    @property
    def relative(self) -> Path:
        """Path inside the card, kept under ``media/<camera>/``."""
        return self.path.relative_to(self.source_root)

    @property
    def is_media(self) -> bool:
        return self.kind in (FileKind.VIDEO, FileKind.AUDIO)


@dataclass(frozen=True)
class SourceSpec:
    path: Path
    camera: str


def camera_name_from_folder(folder: Path) -> str:
    """A camera name from a card's folder (a single file: its folder's name)."""
    if folder.is_file():
        folder = folder.parent
    name = CAMERA_NAME.sub("-", folder.name).strip("-_")[:32]
    return name or "camera"


def _skipped(name: str) -> bool:
    lowered = name.lower()
    return lowered in SYSTEM_NAMES or name.startswith("._") or name.startswith(".")


def classify(path: Path) -> FileKind:
    suffix = path.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return FileKind.VIDEO
    if suffix in AUDIO_EXTENSIONS:
        return FileKind.AUDIO
    if suffix in SIDECAR_EXTENSIONS:
        return FileKind.SIDECAR
    return FileKind.OTHER


class UnreadableSource(ConfigError):
    """A folder on a card that cannot be listed: its files would be silently left behind."""


def _unreadable_folder(error: OSError) -> None:
    raise UnreadableSource(
        f"{error.filename}: cannot read this folder ({error.strerror}): the files in it "
        "would not be copied; make it readable and ingest again"
    )


def discover(source: SourceSpec) -> list[FoundFile]:
    """Every regular file under ``source`` in path order, system files and links skipped.

    Symbolic links are not followed: a card holds files, and a link could lead anywhere.
    A source with nothing to copy is an error: the card may not be what the user thinks.
    """
    root = source.path
    if not root.exists():
        raise ConfigError(f"source {root} does not exist (is the card mounted?)")
    if root.is_file():
        return [FoundFile(root.parent, root, source.camera, classify(root), root.stat().st_size)]
    found: list[FoundFile] = []
    for folder, folders, files in os.walk(root, onerror=_unreadable_folder):
        folders[:] = sorted(f for f in folders if not _skipped(f))
        for name in sorted(files):
            path = Path(folder) / name
            if _skipped(name) or path.is_symlink():
                continue
            if not path.is_file():  # a FIFO, socket or device: reading it never ends
                log.warning("%s: not a regular file, left alone", path)
                continue
            found.append(FoundFile(root, path, source.camera, classify(path), path.stat().st_size))
    if not found:
        raise ConfigError(f"source {root} holds no files (is it the right card or folder?)")
    return found
