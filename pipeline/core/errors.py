"""The CaptureError family.

Every error the core raises on purpose is a CaptureError carrying its data (file, line,
command...). The CLI maps them to exit codes in one place: ``exit_code_for``.
"""

from __future__ import annotations

import errno
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class ExitCode:
    OK = 0
    CHECK_FAILED = 1  # a check ran and found problems (doctor, subtitle checker)
    USAGE = 2  # click/typer's own code for a bad command line
    BAD_INPUT = 3  # session.yaml, cue lists, arguments that name bad files
    MEDIA = 4  # a media file ffmpeg/ffprobe cannot read or write
    MISSING_DEPENDENCY = 5  # ffmpeg, espeak-ng, a model... not installed
    STEP_FAILED = 6  # an external step failed for another reason
    INTERRUPTED = 130  # Ctrl-C


class CaptureError(Exception):
    """Base of every error capture reports to its users."""

    exit_code: int = ExitCode.STEP_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One located problem in a user file: ``file:line: field: message``."""

    file: Path | None
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file.name if self.line is None else f"{self.file.name}:{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ConfigError(CaptureError):
    """Bad user input: a YAML file, an argument, a path. Carries every problem found."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, problems: Sequence[Problem] | str, *, file: Path | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(file, None, None, problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class MediaError(CaptureError):
    """A media file that cannot be read, probed or is not what it should be."""

    exit_code = ExitCode.MEDIA

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path is not None else message)


class MissingDependencyError(CaptureError):
    """A program, library or model that capture needs is not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint
        super().__init__(f"{what} not found. {hint}")


class ToolFailedError(CaptureError):
    """An external program (ffmpeg, ffprobe, espeak-ng) exited non-zero."""

    exit_code = ExitCode.STEP_FAILED

    def __init__(self, argv: Sequence[str], returncode: int, stderr_tail: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        tail = stderr_tail.strip() or "(no error output)"
        super().__init__(
            f"{Path(self.argv[0]).name} failed with exit code {returncode}\n"
            f"command: {shlex.join(self.argv)}\n{tail}"
        )


class InterruptedByUser(CaptureError):
    exit_code = ExitCode.INTERRUPTED

    def __init__(self, what: str = "capture") -> None:
        super().__init__(f"{what} interrupted; no partial output was kept")


class FileSystemError(CaptureError):
    """The disk said no: a read-only or protected folder, a full disk, a quota, a file-size
    limit. Not a bug in capture: the user can mend it and run again."""

    REASONS = {
        errno.EROFS: ("the folder is on a read-only file system", ExitCode.BAD_INPUT),
        errno.EACCES: ("permission denied", ExitCode.BAD_INPUT),
        errno.EPERM: ("operation not permitted", ExitCode.BAD_INPUT),
        errno.ENOSPC: ("no space left on the disk", ExitCode.STEP_FAILED),
        errno.EDQUOT: ("the disk quota is used up", ExitCode.STEP_FAILED),
        errno.EFBIG: ("the file grew past the size limit", ExitCode.STEP_FAILED),
        errno.ENAMETOOLONG: ("the file name is too long", ExitCode.BAD_INPUT),
    }

    def __init__(self, error: OSError) -> None:
        reason, self.exit_code = self.REASONS[error.errno or 0]
        where = error.filename or "a file"
        advice = (
            "free some space and run again: finished steps are kept"
            if self.exit_code == ExitCode.STEP_FAILED
            else "make that folder writable (or work on a copy) and run again"
        )
        super().__init__(f"cannot use {where}: {reason}; {advice}")

    @classmethod
    def known(cls, error: BaseException) -> FileSystemError | None:
        """The user's version of ``error`` when it is one of these, else None."""
        if isinstance(error, OSError) and error.errno in cls.REASONS:
            return cls(error)
        return None


def exit_code_for(error: BaseException) -> int:
    """The one place where errors become exit codes."""
    if isinstance(error, CaptureError):
        return error.exit_code
    if (known := FileSystemError.known(error)) is not None:
        return known.exit_code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.STEP_FAILED
