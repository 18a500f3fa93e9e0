"""How the core reports progress without printing.

Core functions accept a ``ProgressReporter``; the CLI passes one that draws a rich progress
bar, tests and library users pass nothing (``NullProgress``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class ProgressTask(Protocol):
    def advance_to(self, done: float) -> None:
        """Report the amount done so far, in the unit of the task's total."""


class ProgressReporter(Protocol):
    def task(self, label: str, total: float | None) -> AbstractContextManager[ProgressTask]:
        """Open a task with a total (seconds of media, bytes...) or None when unknown."""


class _NullTask:
    def advance_to(self, done: float) -> None:
        pass

    def __enter__(self) -> _NullTask:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class NullProgress:
    def task(self, label: str, total: float | None) -> _NullTask:
        return _NullTask()
