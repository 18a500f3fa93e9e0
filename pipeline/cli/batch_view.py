"""The live view of ``capture batch``: one line per session with the steps its workers are
at (several at once: a session's films are made side by side) and the work inside each
(from the workers' Dask events), and the Dask dashboard's address. Piped, it prints a
line when a step ends; quiet, nothing."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

ENDINGS = ("ran", "skipped", "not needed", "failed", "not run")
"""What a step's task says when it ends (its verdict)."""


class BatchView:
    def __init__(self, console: Console, *, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet
        self.live_view = not quiet and console.is_terminal
        self.active: dict[str, dict[str, str]] = {}
        """By session folder: its steps at work, and what each is doing."""
        self.last: dict[str, str] = {}
        """By session folder: the last step that ended, and how."""
        self.lock = threading.Lock()
        self.live: Live | None = None

    def __enter__(self) -> BatchView:
        if self.live_view:
            self.live = Live(self._table(), console=self.console, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def start(self, sessions: list[str], dashboard: str | None) -> None:
        with self.lock:
            self.active = {root: {} for root in sessions}
            self.last = {root: "waiting" for root in sessions}
        where = dashboard or "not served (pip install bokeh to see it)"
        if not self.quiet:
            self.console.print(f"{len(sessions)} session(s); Dask dashboard: {where}")
        self._refresh()

    def event(self, message: dict) -> None:
        root, step = str(message.get("session")), str(message.get("step"))
        doing = str(message.get("doing"))
        ended = doing in ENDINGS
        with self.lock:
            active = self.active.setdefault(root, {})
            if ended:
                active.pop(step, None)
                self.last[root] = f"{step} {doing}"
            else:
                active[step] = doing
        if self.live is not None:
            self._refresh()
        elif not self.quiet and ended:
            self.console.print(f"{Path(root).name}: {step} {doing}", markup=False)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._table())

    def _table(self) -> Table:
        table = Table(title="capture batch", title_justify="left")
        table.add_column("session")
        table.add_column("now")
        with self.lock:
            for root, active in self.active.items():
                now = " · ".join(f"{step}: {doing}" for step, doing in active.items())
                table.add_row(Path(root).name, now or self.last.get(root, ""))
        return table
