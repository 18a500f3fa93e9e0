"""What a step's result depends on, as named digests: a step is redone when one of them
changed since it last succeeded, and the name says which ("cues/highlights.yaml changed").

Small files are hashed whole; camera files are represented by what ingest recorded of them
(their verified hashes), or by name, size and time while still on the cards, so deciding
never rereads gigabytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import __version__
from pipeline.core.digests import value_digest
from pipeline.ingest.offload import hash_file

__all__ = ["value_digest"]  # fingerprints are named digests of values, files and folders

Fingerprint = dict[str, str]
MISSING = "missing"


def file_digest(path: Path) -> str:
    return hash_file(path, "xxh128") if path.is_file() else MISSING


def json_digest(path: Path, ignore: tuple[str, ...] = ("created_at",)) -> str:
    """A JSON file's content less the keys that only say when it was written, so a step that
    redoes its work with the same result does not make everything after it run again."""
    if not path.is_file():
        return MISSING

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ignore}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    try:
        return value_digest(strip(json.loads(path.read_text(encoding="utf-8"))))
    except ValueError:
        return file_digest(path)


def folder_listing_digest(folder: Path) -> str:
    """Names, sizes and modification times of every file under ``folder`` (cards)."""
    if not folder.exists():
        return MISSING
    entries = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
        if path.is_file():
            stat = path.stat()
            entries.append((path.relative_to(folder).as_posix() if folder.is_dir() else path.name,
                            stat.st_size, stat.st_mtime_ns))  # fmt: skip
    return value_digest(entries)


def code_digest() -> str:
    return value_digest(__version__)


def changed(old: Fingerprint | None, new: Fingerprint) -> list[str]:
    """The names of the inputs that differ (all of them when there was no earlier run)."""
    if old is None:
        return list(new)
    return [name for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]
