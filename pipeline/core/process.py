"""A child program run to its end and never left running: an argv list (no shell), stderr
drained in a thread with its last lines kept, Ctrl-C passed on as SIGINT (ffmpeg closes its
files) then SIGKILL after a grace period, and death with capture itself (PR_SET_PDEATHSIG),
so a killed capture leaves no ffmpeg behind. ``core/runner`` builds the argv around it."""

from __future__ import annotations

import ctypes
import logging
import shlex
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pipeline.core.errors import InterruptedByUser, ToolFailedError
from pipeline.core.tools import ExternalTool

log = logging.getLogger("capture.runner")

STDERR_TAIL_LINES = 60
_GRACE_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ToolRun:
    argv: list[str]
    returncode: int
    elapsed: float
    stdout: str
    stderr_tail: str


def _load_prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


# resolved once here: the child between fork and exec must not dlopen or allocate
_PRCTL = _load_prctl()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to kill the child if capture itself is killed, so no ffmpeg is orphaned."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _drain(stream: Any, sink: deque[str]) -> None:
    for line in stream:
        sink.append(line.rstrip("\n"))


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop a child the way ffmpeg likes: SIGINT first (it closes files), SIGKILL after a grace
    period or at a second Ctrl-C."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=_GRACE_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        proc.kill()
        proc.wait()


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C/SIGTERM while cleaning up; a signal that came meanwhile is delivered after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def supervise(
    tool: ExternalTool, argv: list[str], on_stdout_line: Callable[[str], None] | None
) -> ToolRun:
    """Run ``argv`` to its end; whatever happens, the child is not left running."""
    log.debug("run: %s", shlex.join(argv))
    started = time.monotonic()
    stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    stdout_lines: list[str] = []
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl
        )
    except OSError as exc:
        raise ToolFailedError(argv, -1, str(exc)) from exc
    reader = threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True)
    try:
        reader.start()
        assert proc.stdout is not None
        for line in proc.stdout:
            if on_stdout_line is None:
                stdout_lines.append(line)
            else:
                on_stdout_line(line.rstrip("\n"))
        returncode = proc.wait()
        reader.join(timeout=5)
    except KeyboardInterrupt:
        _stop(proc)
        log.debug("interrupted: %s", shlex.join(argv))
        raise InterruptedByUser(tool.name) from None
    finally:
        _stop(proc)
    elapsed = time.monotonic() - started
    tail = "\n".join(stderr_tail)
    log.debug("exit %s after %.2fs: %s", returncode, elapsed, argv[0])
    if returncode != 0:
        raise ToolFailedError(argv, returncode, tail)
    return ToolRun(argv, returncode, elapsed, "".join(stdout_lines), tail)
