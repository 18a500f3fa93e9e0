"""Verified copy, as professional offload tools do it.

The source is read once (opened read-only, without touching its access time) and hashed while
it is written; the copy is flushed, dropped from the page cache and read back from the disk to
be hashed again. Only a copy whose two hashes match is renamed to its final name and made
read-only. A mismatch is retried once, then reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ascmhl.hasher import new_hasher_for_hash_type

from pipeline.core.errors import CaptureError, FileSystemError
from pipeline.core.fsutil import fitting_name

CHUNK = 8 * 1024 * 1024
HASH_FORMATS = ("xxh128", "xxh64", "md5")
PARTIAL_SUFFIX = ".capture-partial"


class OffloadError(CaptureError):
    """A file that could not be copied and verified."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class VerifiedCopy:
    source: Path
    destination: Path
    size: int
    mtime_ns: int
    hash_format: str
    hash: str
    attempts: int


def partial_name(destination: Path) -> Path:
    return destination.with_name(fitting_name(".", destination.name, PARTIAL_SUFFIX))


def _open_source(path: Path) -> int:
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        return os.open(path, flags | noatime)
    except PermissionError:
        if not noatime:
            raise
        return os.open(path, flags)  # O_NOATIME needs to own the file; read-only all the same


def _chunks(fd: int) -> Iterator[memoryview]:
    """The file behind ``fd`` in CHUNK-sized views of one reused buffer."""
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while count := os.readv(fd, [buffer]):
        yield view[:count]


def hash_file(path: Path, hash_format: str, *, drop_cache: bool = False) -> str:
    """Hash a file; ``drop_cache`` first evicts it from the page cache to read the disk."""
    hasher = new_hasher_for_hash_type(hash_format)
    fd = _open_source(path)
    try:
        if drop_cache and hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        for chunk in _chunks(fd):
            hasher.update(chunk)
    finally:
        os.close(fd)
    return hasher.string_digest()


def _copy_once(source: Path, temp: Path, hash_format: str, on_bytes: Callable[[int], None]) -> str:
    hasher = new_hasher_for_hash_type(hash_format)
    fd_in = _open_source(source)
    try:
        fd_out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            for chunk in _chunks(fd_in):
                hasher.update(chunk)
                written = 0
                while written < len(chunk):
                    written += os.write(fd_out, chunk[written:])
                on_bytes(len(chunk))
            os.fsync(fd_out)
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)
    return hasher.string_digest()


def verified_copy(
    source: Path,
    destination: Path,
    hash_format: str = "xxh128",
    *,
    on_bytes: Callable[[int], None] = lambda _n: None,
) -> VerifiedCopy:
    """Copy ``source`` to ``destination`` and prove the copy; raises OffloadError."""
    if hash_format not in HASH_FORMATS:
        raise OffloadError(source, f"unknown hash {hash_format!r} (use {', '.join(HASH_FORMATS)})")
    try:
        before = source.stat()
    except OSError as exc:
        raise OffloadError(source, f"cannot read it: {exc.strerror}") from exc
    destination.parent.mkdir(parents=True, exist_ok=True)
    temp = partial_name(destination)
    reason = ""
    for attempt in (1, 2):
        try:
            source_hash = _copy_once(source, temp, hash_format, on_bytes)
            copy_hash = hash_file(temp, hash_format, drop_cache=True)
            after = source.stat()
        except OSError as exc:
            temp.unlink(missing_ok=True)
            if exc.errno in FileSystemError.REASONS and exc.filename in (None, str(temp)):
                # the session's disk, not the card: every copy after this one would fail too
                raise FileSystemError(OSError(exc.errno, exc.strerror, str(destination))) from exc
            raise OffloadError(source, f"copy failed: {exc.strerror or exc}") from exc
        except BaseException:  # Ctrl-C: no half-written copy stays behind
            temp.unlink(missing_ok=True)
            raise
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            reason = "the source changed while it was copied"
        elif copy_hash != source_hash:
            reason = f"read-back hash {copy_hash} differs from the source's {source_hash}"
        else:
            os.utime(temp, ns=(before.st_atime_ns, before.st_mtime_ns))
            os.chmod(temp, 0o444)
            os.replace(temp, destination)
            return VerifiedCopy(
                source, destination, before.st_size, before.st_mtime_ns, hash_format,
                source_hash, attempt,
            )  # fmt: skip
        temp.unlink(missing_ok=True)
    raise OffloadError(source, f"not verified after 2 attempts: {reason}")
