"""Writing files so that a crash never leaves a half-written file under its final name, and
reading user files with a size limit.

Files are written under a temporary name (``mkstemp``: mode 0600) and given, before the
rename, the mode any new file gets (0644 under the usual umask 022): a web server running as
another user must be able to read what is published, and ``rsync -a`` keeps the modes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import CaptureError, ExitCode


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _current_umask()
"""Read once, at import (setting it is the only way to read it, and not thread-safe)."""
FILE_MODE = 0o666 & ~UMASK
FOLDER_MODE = 0o777 & ~UMASK


NAME_MAX = 255
"""Bytes in one file name on Linux file systems."""


def fitting_name(prefix: str, name: str, suffix: str) -> str:
    """``prefix + name + suffix``, with ``name`` shortened (and a digest of it added, so two
    long names stay distinct) when the whole would pass NAME_MAX: a camera file named with
    244 characters must still get its temporary sibling."""
    whole = f"{prefix}{name}{suffix}"
    if len(whole.encode()) <= NAME_MAX:
        return whole
    digest = "~" + hashlib.sha256(name.encode()).hexdigest()[:12]
    room = NAME_MAX - len(f"{prefix}{digest}{suffix}".encode())
    return f"{prefix}{_clip_bytes(name, room)}{digest}{suffix}"


def _clip_bytes(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` bytes of UTF-8, never inside a character."""
    return text.encode()[:size].decode("utf-8", errors="ignore")


def _write_temporary(path: Path, data: bytes) -> Path:
    """``data`` written whole and flushed to disk under a temporary sibling of ``path``,
    with the mode of a new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{_clip_bytes(path.name, 150)}."  # the random part and suffix fit after it
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), FILE_MODE)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    temp = _write_temporary(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class FileSet:
    """Files that only make sense together (a film, its report, its editorial exports):
    each is written whole under a temporary name, and they replace the old ones only once
    every one is written. A full disk half-way leaves the old set as it was."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def write_text(self, path: Path, text: str) -> None:
        self._staged.append((_write_temporary(path, text.encode("utf-8")), path))

    def add(self, temporary: Path, path: Path) -> None:
        """A file already written whole under ``temporary``, to be renamed ``path``."""
        self._staged.append((temporary, path))

    def commit(self) -> None:
        """Renames only (no space needed), in the order the files were added (the one that
        describes the others last); if one fails, the temporaries not yet renamed go."""
        while self._staged:
            temporary, path = self._staged[0]
            os.replace(temporary, path)
            self._staged.pop(0)

    def discard(self) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged = []


@contextmanager
def file_set() -> Iterator[FileSet]:
    """A FileSet committed when the block ends, discarded if it raises."""
    files = FileSet()
    try:
        yield files
        files.commit()
    except BaseException:
        files.discard()
        raise


def atomic_copy(source: Path, target: Path) -> None:
    """``source`` copied to ``target``, which appears only once whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{_clip_bytes(target.name, 150)}."
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=".partial", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, temp)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def atomic_link_or_copy(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source``: a hard link when both are on one disk
    (no bytes copied; capture replaces files by renaming, never in place, so the two never
    change together), else a copy. Either appears only once whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and os.path.samefile(source, target):
        return  # already linked (renaming a link over itself would leave the new name)
    temp = target.with_name(f".{_clip_bytes(target.name, 150)}.{os.getpid()}.link")
    temp.unlink(missing_ok=True)
    try:
        os.link(source, temp)
    except OSError:  # another disk, or a file system without hard links
        atomic_copy(source, target)
        return
    try:
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


class UnreadableInput(CaptureError):
    exit_code = ExitCode.BAD_INPUT


def read_limited(path: Path, max_bytes: int, what: str) -> bytes:
    """The whole of a user's file that capture reads at once (subtitles, YAML, cue lists):
    only a regular file, at most ``max_bytes`` (``/dev/zero`` or a FIFO never ends; a 20-MB
    "subtitle" is not one). ``what`` names the kind of file in the message."""
    if not path.exists():
        raise UnreadableInput(f"{path}: no such file")
    if not path.is_file():
        raise UnreadableInput(f"{path}: not a regular file ({what} expected)")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read it: {error.strerror}") from error
    if len(data) > max_bytes:
        raise UnreadableInput(
            f"{path}: larger than {max_bytes // 1_000_000 or max_bytes} "
            f"{'MB' if max_bytes >= 1_000_000 else 'bytes'}, too large for {what}"
        )
    return data
