"""Files an earlier publish wrote that the new manifest no longer lists: removed, and only
those (a file the webmaster put in the folder is in no manifest and stays)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel


def _files(node: object) -> list[dict]:
    if isinstance(node, dict):
        own = [node] if {"path", "bytes", "sha256"} <= node.keys() else []
        return own + [f for value in node.values() for f in _files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _files(value)]
    return []


def _listed(manifest: BaseModel) -> set[str]:
    return {f["path"] for f in _files(json.loads(manifest.model_dump_json()))}


def remove_unlisted(folder: Path, old: BaseModel | None, new: BaseModel) -> None:
    """Files the previous publish wrote that this one no longer lists (a rung now skipped, a
    removed document, fewer stills). Only capture's own: a file the webmaster put in the
    folder is in no manifest and stays."""
    gone = _listed(old) - _listed(new) if old else set()
    for relative in sorted(gone):
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder):
            continue  # a manifest edited by hand: nothing outside the folder is touched
        if path.is_file():
            path.unlink()
        for parent in path.parents:  # folders it leaves empty
            if parent == folder or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
