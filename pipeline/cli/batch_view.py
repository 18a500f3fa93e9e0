"""The live view of ``capture batch``: one line per session with the step its worker is at
and the work inside it (from the workers' Dask events), and the Dask dashboard's address.
Piped or quiet, it prints a line when a session moves to another step."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table


class BatchView:
    def __init__(self, console: Console, *, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet
        self.live_view = not quiet and console.is_terminal
        self.doing: dict[str, str] = {}
        """By session folder."""
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
            self.doing = {root: "waiting" for root in sessions}
        where = dashboard or "not served (pip install bokeh to see it)"
        if not self.quiet:
            self.console.print(f"{len(sessions)} session(s); Dask dashboard: {where}")
        self._refresh()

    def event(self, message: dict) -> None:
        root, doing = str(message.get("session")), str(message.get("doing"))
        with self.lock:
            self.doing[root] = doing
        if self.live is not None:
            self._refresh()
        elif not self.quiet and ":" not in doing:  # a step, not each piece of work
            self.console.print(f"{Path(root).name}: {doing}", markup=False)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._table())

    def _table(self) -> Table:
        table = Table(title="capture batch", title_justify="left")
        table.add_column("session")
        table.add_column("now")
        with self.lock:
            for root, doing in self.doing.items():
                table.add_row(Path(root).name, doing)
        return table
