"""Temporary names and folders that a killed capture leaves nothing behind in: each carries
the process id, so a later run removes what a dead process left."""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import fitting_name

GRAPH_FILE_TAIL = r"-[A-Za-z0-9_]+\.txt"
"""What follows the process id in a graph file's name (``mkstemp``'s random part)."""


_FILTER_SAFE_PATH = re.compile(r"[A-Za-z0-9_./-]+")


@contextmanager
def filter_safe_tempdir(prefix: str) -> Iterator[Path]:
    """A temporary folder whose path can be written into a filtergraph option unescaped
    (subtitles=filename=, drawtext textfile=): user text goes into files there, never into
    the graph itself. Named with the process id, so a later run removes the folders of a
    capture that was killed (``kill -9`` leaves them behind)."""
    _remove_dead_tempdirs()
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-") as folder:
        if not _FILTER_SAFE_PATH.fullmatch(folder):
            raise CaptureError(f"temporary folder {folder!r} has characters unsafe in a filter")
        yield Path(folder)


_OUR_TEMPDIR = re.compile(r"capture-[a-z]+-(\d+)-[A-Za-z0-9_]+")


def _remove_dead_tempdirs() -> None:
    """Folders named as ``filter_safe_tempdir`` names them (and graph files, see
    FilterGraph), owned by this user, whose process is gone."""
    remove_dead_leftovers(Path(tempfile.gettempdir()), "capture-graph-", GRAPH_FILE_TAIL)
    for folder in Path(tempfile.gettempdir()).glob("capture-*-*"):
        match = _OUR_TEMPDIR.fullmatch(folder.name)
        try:
            ours = (
                folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
            )
        except OSError:
            continue
        if match and ours and not _pid_alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


_PID_ROOM = ".partial-" + "0" * 10
"""Room kept in a temporary name for ``.partial-`` and the longest process id."""


def _temporary_stem(final: Path) -> str:
    """What comes before ``.partial-PID`` in a temporary name: ``.`` and the final stem,
    shortened (``fitting_name``) the same way whatever the pid, so a later run finds it."""
    tail = _PID_ROOM + final.suffix
    return fitting_name(".", final.stem, tail).removesuffix(tail)


def temporary_name(final: Path) -> Path:
    """Temporary sibling of ``final`` that keeps its extension (ffmpeg picks the muxer from it)."""
    return final.with_name(f"{_temporary_stem(final)}.partial-{os.getpid()}{final.suffix}")


def remove_dead_leftovers(folder: Path, prefix: str, rest: str = "") -> None:
    """Remove what a killed capture left in ``folder``: files and folders named ``prefix``,
    a process id, then what the regular expression ``rest`` matches, owned by this user,
    whose process is gone."""
    shape = re.compile(rf"(\d+){rest}")
    for leftover in folder.glob(glob.escape(prefix) + "*"):
        match = shape.fullmatch(leftover.name[len(prefix) :])
        try:
            ours = not leftover.is_symlink() and leftover.stat().st_uid == os.getuid()
        except OSError:
            continue
        if not match or not ours or int(match.group(1)) == os.getpid():
            continue
        if not _pid_alive(int(match.group(1))):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


TEMPORARY_FOLDER_TAIL = r"-[A-Za-z0-9_]+"
"""What ``tempfile`` adds after a folder's prefix (here, after the process id)."""


@contextmanager
def work_folder_beside(output: Path, what: str) -> Iterator[Path]:
    """A temporary folder beside ``output``, on its disk (for pieces as large as the film,
    which the system's temporary folder may not hold), named with the process id so that
    a later run removes the folder of a capture that was killed."""
    prefix = f".{output.stem}.{what}-"
    remove_dead_leftovers(output.parent, prefix, TEMPORARY_FOLDER_TAIL)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-", dir=output.parent) as work:
        yield Path(work)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no process could have that id
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(final: Path) -> None:
    """Delete temporaries left by a capture that was killed (its pid no longer runs)."""
    remove_dead_leftovers(
        final.parent, f"{_temporary_stem(final)}.partial-", re.escape(final.suffix)
    )
