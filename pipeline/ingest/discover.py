"""Finding what is on a camera card: recordings, sidecars, and what to leave alone."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.errors import ConfigError

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
        return self.kind is not FileKind.SIDECAR


@dataclass(frozen=True)
class SourceSpec:
    path: Path
    camera: str


def camera_name_from_folder(folder: Path) -> str:
    name = CAMERA_NAME.sub("-", folder.name).strip("-_")[:32]
    return name or "camera"


def _skipped(name: str) -> bool:
    lowered = name.lower()
    return lowered in SYSTEM_NAMES or name.startswith("._") or name.startswith(".")


def classify(path: Path) -> FileKind | None:
    suffix = path.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return FileKind.VIDEO
    if suffix in AUDIO_EXTENSIONS:
        return FileKind.AUDIO
    if suffix in SIDECAR_EXTENSIONS:
        return FileKind.SIDECAR
    return None


def discover(source: SourceSpec) -> list[FoundFile]:
    """Every recording and sidecar under ``source``, in path order; system files skipped.

    Symbolic links are not followed: a card holds files, and a link could lead anywhere.
    """
    root = source.path
    if not root.exists():
        raise ConfigError(f"source {root} does not exist (is the card mounted?)")
    if root.is_file():
        kind = classify(root)
        if kind is None:
            raise ConfigError(f"source {root} is not a media file capture knows")
        return [FoundFile(root.parent, root, source.camera, kind, root.stat().st_size)]
    found: list[FoundFile] = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not _skipped(f))
        for name in sorted(files):
            path = Path(folder) / name
            if _skipped(name) or path.is_symlink():
                continue
            kind = classify(path)
            if kind is not None:
                found.append(FoundFile(root, path, source.camera, kind, path.stat().st_size))
    return found
