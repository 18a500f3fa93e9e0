"""The live view of ``capture batch``: one line per session with what its worker is doing
now (from the workers' Dask events), and the Dask dashboard's address."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.live import Live
from rich.table import Table


class BatchView:
    def __init__(self, console: Console, *, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet or not console.is_terminal
        self.doing: dict[str, str] = {}
        self.lock = threading.Lock()
        self.live: Live | None = None

    def __enter__(self) -> BatchView:
        if not self.quiet:
            self.live = Live(self._table(), console=self.console, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def start(self, sessions: list[str], dashboard: str | None) -> None:
        with self.lock:
            self.doing = {name: "waiting" for name in sessions}
        where = dashboard or "not served (pip install bokeh to see it)"
        self.console.print(f"{len(sessions)} session(s); Dask dashboard: {where}")
        self._refresh()

    def event(self, message: dict) -> None:
        with self.lock:
            self.doing[str(message.get("session"))] = str(message.get("doing"))
        self._refresh()

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._table())

    def _table(self) -> Table:
        table = Table(title="capture batch", title_justify="left")
        table.add_column("session")
        table.add_column("now")
        with self.lock:
            for name, doing in self.doing.items():
                table.add_row(name, doing)
        return table
