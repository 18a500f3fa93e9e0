"""ASC MHL: the offload's proof, written with the ``ascmhl`` library's Python API.

One generation per ingest that copied something, listing every file verified in that run with
the hash computed while copying. ``ascmhl-debug verify SESSION/media`` then re-hashes the
copies against this history. The library's CLI checks online for updates; its API does not.
"""

from __future__ import annotations

import datetime
import platform
from collections.abc import Sequence
from pathlib import Path

from ascmhl import errors as mhl_errors
from ascmhl.generator import MHLGenerationCreationSession
from ascmhl.hashlist import MHLCreatorInfo, MHLProcess, MHLProcessInfo, MHLTool
from ascmhl.history import MHLHistory

from pipeline import __version__
from pipeline.errors import CaptureError
from pipeline.ingest.offload import VerifiedCopy

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


def write_generation(media_root: Path, copies: Sequence[VerifiedCopy], *, comment: str) -> int:
    """Record ``copies`` (all under ``media_root``) as a new generation; returns its number."""
    history = _history(media_root)
    session = MHLGenerationCreationSession(history)
    for copy in copies:
        modified = datetime.datetime.fromtimestamp(copy.mtime_ns / 1e9)
        ok = session.append_file_hash(
            str(copy.destination), copy.size, modified, copy.hash_format, copy.hash
        )
        if not ok:
            raise MhlError(media_root, f"{copy.destination} differs from its earlier generation")
    creator = MHLCreatorInfo()
    creator.tool = MHLTool("capture", __version__)
    creator.creation_date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    creator.host_name = platform.node()
    creator.comment = comment
    process = MHLProcessInfo()
    process.process = MHLProcess("transfer")
    session.commit(creator, process)
    return generation_count(media_root)
