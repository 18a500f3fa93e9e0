"""ASC MHL: the offload's proof, written with the ``ascmhl`` library's Python API.

One generation per ingest that copied something, listing every file verified in that run with
the hash computed while copying. ``ascmhl-debug verify SESSION/media`` then re-hashes the
copies against this history. The library's CLI checks online for updates; its API does not.
"""

from __future__ import annotations

import datetime
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ascmhl import errors as mhl_errors
from ascmhl.generator import MHLGenerationCreationSession
from ascmhl.hashlist import MHLCreatorInfo, MHLProcess, MHLProcessInfo, MHLTool
from ascmhl.history import MHLHistory

from pipeline import __version__
from pipeline.core.errors import CaptureError

MHL_FOLDER = "ascmhl"


class MhlError(CaptureError):
    def __init__(self, media_root: Path, reason: str) -> None:
        super().__init__(f"{media_root / MHL_FOLDER}: {reason}")


def _history(media_root: Path) -> MHLHistory:
    try:
        return MHLHistory.load_from_path(str(media_root))
    except (mhl_errors.NoMHLChainException, mhl_errors.ModifiedMHLManifestFileException,
            mhl_errors.MissingMHLManifestException) as exc:  # fmt: skip
        raise MhlError(media_root, f"the existing MHL history is damaged ({exc})") from exc


def generation_count(media_root: Path) -> int:
    if not (media_root / MHL_FOLDER).is_dir():
        return 0
    return len(_history(media_root).hash_lists)


@dataclass(frozen=True)
class HashRecord:
    """A verified copy as the MHL records it."""

    path: Path
    size: int
    mtime_ns: int
    hash_format: str
    hash: str


def write_generation(media_root: Path, records: Sequence[HashRecord], *, comment: str) -> int:
    """Record ``records`` (files under ``media_root``) as a new generation; returns its number.

    Paths are made absolute first: the library stores them relative to the history's root,
    whatever folder capture was started from.
    """
    media_root = Path(os.path.abspath(media_root))
    history = _history(media_root)
    session = MHLGenerationCreationSession(history)
    for record in records:
        path = Path(os.path.abspath(record.path))
        modified = datetime.datetime.fromtimestamp(record.mtime_ns / 1e9)
        if not session.append_file_hash(str(path), record.size, modified, record.hash_format,
                                        record.hash):  # fmt: skip
            raise MhlError(media_root, f"{path} differs from its earlier generation")
    creator = MHLCreatorInfo()
    creator.tool = MHLTool("capture", __version__)
    creator.creation_date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    creator.host_name = platform.node()
    creator.comment = comment
    process = MHLProcessInfo()
    process.process = MHLProcess("transfer")
    session.commit(creator, process)
    return generation_count(media_root)
