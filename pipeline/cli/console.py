"""Terminal output for the CLI: rich progress bars (with ETA), tables and error messages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from pipeline.core.progress import NullProgress, ProgressReporter

# markup off: titles, names and paths come from users and may contain [brackets]
stdout = Console(highlight=False, soft_wrap=True, markup=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


class _RichTask:
    def __init__(self, progress: Progress, task_id: int) -> None:
        self._progress = progress
        self._task_id = task_id

    def advance_to(self, done: float) -> None:
        self._progress.update(self._task_id, completed=done)


class RichProgress:
    """One transient bar per task, on stderr, with elapsed time and ETA."""

    @contextmanager
    def task(self, label: str, total: float | None) -> Iterator[_RichTask]:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=stderr, transient=True) as progress:
            task_id = progress.add_task(label, total=total)
            yield _RichTask(progress, task_id)


def make_progress(quiet: bool) -> ProgressReporter:
    """A rich bar when a person watches a terminal; nothing when quiet or piped."""
    if quiet or not sys.stderr.isatty():
        return NullProgress()
    return RichProgress()
