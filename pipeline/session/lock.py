"""One writing command at a time per session (``SESSION/work/capture.lock``).

Two commands writing the same session (a ``capture run`` started while another transcribes)
would redo the same step side by side and race on its outputs. Every writing command takes
the session's lock when it starts and keeps it until its process ends; the kernel drops it
when the process dies, however it dies, so a lock left by a killed run is simply taken over.
The file also says who holds it, for the message the second command prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.core.fsutil import FILE_MODE
from pipeline.session import LoadedSession

_HELD: dict[Path, int] = {}
"""Lock files this process holds, with their descriptors (kept open until it exits)."""


class SessionBusy(CaptureError):
    exit_code = ExitCode.STEP_FAILED


@dataclass(frozen=True)
class LockHolder:
    pid: int
    command: str
    since: datetime

    def __str__(self) -> str:
        local = self.since.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return f"`{self.command}` (process {self.pid}, since {local})"


def _holder(fd: int) -> LockHolder | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return LockHolder(int(data["pid"]), str(data["command"]),
                          datetime.fromisoformat(data["since"]))  # fmt: skip
    except (ValueError, KeyError, TypeError, OSError):
        return None


def _take(fd: int, tries: int) -> None:
    """The exclusive lock, tried ``tries`` times a tenth of a second apart: ``capture
    status`` holds a shared one for a moment when it looks who is working."""
    for attempt in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == tries - 1:
                raise
            time.sleep(0.1)
        except OSError:
            os.close(fd)
            raise


def lock_session(loaded: LoadedSession, command: str, *, patience_s: float = 1.0) -> None:
    """Hold the session's lock for the rest of this process, or raise SessionBusy naming the
    command that holds it after ``patience_s`` (``capture batch`` waits out a dead
    machine's lock on a network share)."""
    path = loaded.folder.session_lock
    if path in _HELD:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        _take(fd, max(1, round(patience_s * 10)))
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise SessionBusy(
            f"{holder or 'another capture command'} is already working on {loaded.root}: "
            "wait for it to end, then run this again"
        ) from None
    record = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
              "since": datetime.now(UTC).isoformat()}  # fmt: skip
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
    except OSError:
        os.close(fd)  # never keep a lock this process cannot record
        raise
    _HELD[path] = fd


def held_here(loaded: LoadedSession) -> bool:
    """Whether this process holds the session's lock already."""
    return loaded.folder.session_lock in _HELD


def release_session(loaded: LoadedSession) -> None:
    """Let go of the session's lock before this process ends (``capture batch``, at its
    end)."""
    fd = _HELD.pop(loaded.folder.session_lock, None)
    if fd is not None:
        os.close(fd)  # the lock goes with the descriptor


def current_holder(loaded: LoadedSession) -> LockHolder | None:
    """Who is writing the session right now (None: nobody)."""
    path = loaded.folder.session_lock
    if path in _HELD:
        return _holder(_HELD[path])
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd) or LockHolder(0, "another capture command", datetime.now(UTC))
    finally:
        os.close(fd)
    return None
