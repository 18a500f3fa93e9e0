"""``capture batch``: many sessions at once on a Dask cluster (a ``distributed.LocalCluster``
on this machine by default, or a running scheduler's address for a real cluster).

Each session is one task: ``capture run``'s steps in order, with its fingerprints (what is
up to date is skipped, so a killed batch resumes where it stopped), under the session's
lock, so no two workers ever write one session's files. A worker that dies mid-task leaves
only temporary names behind (every output is renamed into place whole) and the scheduler
runs the task again on another worker. The cycle's synthesis (``session/siblings.py``)
waits for the sessions it cuts. The site's pages are rebuilt once, at the end, from every
published session. Shared storage is a plain path every worker sees (NFS, SMB).

What each worker is doing is sent to the client as Dask events (``EVENT_TOPIC``) for its
progress view."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.progress import NullProgress
from pipeline.session import LoadedSession, load_session
from pipeline.session.siblings import cut_session_folders, is_cycle_film_folder

EVENT_TOPIC = "capture-batch"
DEFAULT_WORKERS = 2


@dataclass(frozen=True)
class StepLine:
    name: str
    verdict: str
    detail: str


@dataclass(frozen=True)
class SessionOutcome:
    root: str
    steps: list[StepLine] = field(default_factory=list)
    failed: str | None = None
    """The step that failed, or the error that stopped the session before its steps."""
    log: str | None = None
    worker_pid: int | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchReport:
    sessions: list[SessionOutcome]
    skipped: list[tuple[str, str]]
    """Folders with nothing to run (a session announced, not filmed yet), and why."""
    index: Path | None
    dashboard: str | None
    seconds: float

    @property
    def failed(self) -> list[SessionOutcome]:
        return [s for s in self.sessions if s.failed]


class _EventProgress:
    """Forwards the start of each piece of work (a step's ffmpeg, Whisper...) to the
    client as a Dask event."""

    def __init__(self, session: str) -> None:
        self.session = session

    def task(self, label: str, total: float | None):  # noqa: ANN201 (ProgressReporter)
        _send({"session": self.session, "doing": label})
        return NullProgress().task(label, total)


def _send(message: dict) -> None:
    try:
        from distributed import get_worker

        get_worker().log_event(EVENT_TOPIC, message)
    except ValueError:  # not inside a worker (a direct call): nobody is watching
        pass


def run_in_worker(root: str, site: str | None, engine: str, model: str,
                  *_after: object) -> SessionOutcome:  # fmt: skip
    """One session's ``capture run`` (the Dask task). ``_after``: the results of the
    sessions it waits for (the synthesis: those it cuts)."""
    from pipeline.orchestrate.run import Verdict, run_session
    from pipeline.session.lock import lock_session, release_session

    started = time.monotonic()
    name = Path(root).name
    _send({"session": name, "doing": "started"})
    loaded = load_session(Path(root))
    lock_session(loaded, "capture batch")
    try:
        report = run_session(loaded, site=Path(site) if site else None, engine=engine,
                             model=model, progress=_EventProgress(name),
                             site_index=False)  # fmt: skip
    finally:
        release_session(loaded)
    steps = [StepLine(r.name, r.verdict.value, r.summary or r.reason) for r in report.results]
    failed = next((f"{r.name}: {r.reason}" for r in report.results
                   if r.verdict == Verdict.FAILED), None)  # fmt: skip
    _send({"session": name, "doing": "failed" if failed else "done"})
    return SessionOutcome(root, steps, failed, str(report.log), os.getpid(),
                          time.monotonic() - started)  # fmt: skip


def find_sessions(paths: list[Path]) -> list[Path]:
    """Session folders: those named, and those inside a cycle folder named (its
    sub-folders with a session.yaml), once each, in name order within a cycle."""
    found: list[Path] = []
    for path in paths:
        path = path.resolve()
        if (path / "session.yaml").is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(p for p in path.iterdir() if (p / "session.yaml").is_file())
        else:
            raise CaptureError(f"{path} is neither a session folder nor a cycle folder")
        if not candidates:
            raise CaptureError(f"{path} holds no session folder (no */session.yaml)")
        found += [c for c in candidates if c not in found]
    return found


def _plan(roots: list[Path]) -> tuple[list[LoadedSession], list[tuple[str, str]]]:
    """The sessions to run (ordinary ones first, then the syntheses), and those with
    nothing to run."""
    ordinary, syntheses, skipped = [], [], []
    for root in roots:
        loaded = load_session(root)
        session = loaded.session
        if is_cycle_film_folder(loaded):
            syntheses.append(loaded)
        elif not session.cameras and not session.sources:
            skipped.append((str(root), "no cameras or sources in session.yaml (not filmed yet)"))
        else:
            ordinary.append(loaded)
    return ordinary + syntheses, skipped


def _connect(scheduler: str | None, workers: int):  # noqa: ANN202 (distributed types)
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=":0")  # fmt: skip
    return Client(cluster), cluster


def dashboard_link(client) -> str | None:  # noqa: ANN001
    """The Dask dashboard's address, when the dashboard can be served (it needs bokeh)."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return None
    return client.dashboard_link


def run_batch(
    paths: list[Path],
    *,
    site: Path | None = None,
    scheduler: str | None = None,
    workers: int = DEFAULT_WORKERS,
    engine: str = "faster-whisper",
    model: str = "base",
    on_event: Callable[[dict], None] | None = None,
    on_start: Callable[[list[str], str | None], None] | None = None,
) -> BatchReport:
    """Every session of ``paths`` through ``capture run`` on the cluster, then the site's
    pages once. ``on_event`` hears what each session is doing; ``on_start`` the sessions
    and the dashboard's address."""
    from distributed import as_completed

    started = time.monotonic()
    loaded, skipped = _plan(find_sessions(paths))
    site_text = str(site.resolve()) if site else None
    client, cluster = _connect(scheduler, workers)
    try:
        if on_event is not None:
            client.subscribe_topic(EVENT_TOPIC, lambda event: on_event(event[1]))
        dashboard = dashboard_link(client)
        if on_start is not None:
            on_start([s.root.name for s in loaded], dashboard)
        futures = {}
        batch = uuid.uuid4().hex[:8]
        for session in loaded:
            after = [futures[f.root] for f in cut_session_folders(session) if f.root in futures]
            futures[session.root] = client.submit(
                run_in_worker, str(session.root), site_text, engine, model, *after,
                key=f"capture-{session.root.name}-{batch}", pure=False,
            )  # fmt: skip
        outcomes = []
        for future in as_completed(list(futures.values())):
            root = next(r for r, f in futures.items() if f is future)
            try:
                outcomes.append(future.result())
            except Exception as error:  # the session's own error, reported with it
                message = f"{type(error).__name__}: {error}".strip()
                outcomes.append(SessionOutcome(str(root), failed=message.splitlines()[0]))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    index = _rebuild_site(site, loaded) if site else None
    order = {str(s.root): n for n, s in enumerate(loaded)}
    outcomes.sort(key=lambda o: order.get(o.root, 0))
    return BatchReport(outcomes, skipped, index, dashboard, time.monotonic() - started)


def _rebuild_site(site: Path, loaded: list[LoadedSession]) -> Path | None:
    """The cycle's pages, once, from every session published in ``site``."""
    from pipeline.publish.site_config import find_site_config
    from pipeline.publish.site_index import rebuild_index

    if not (site / "manifest.json").is_file():
        return None  # nothing was published
    cycle = loaded[0].root.parent if loaded else None
    return rebuild_index(site.resolve(), cycle, find_site_config(cycle) if cycle else None)
