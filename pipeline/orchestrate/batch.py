"""``capture batch``: many sessions at once on a Dask cluster (a ``distributed.LocalCluster``
on this machine by default, or a running scheduler's address for a real cluster).

Each session is one task: ``capture run``'s steps in order, with its fingerprints (what is
up to date is skipped, so a killed batch resumes where it stopped), under the session's
lock, so no two workers ever write one session's files (two sessions with one slug, which
would publish into one folder, are refused; the client claims the site and writes its
assets before any task starts). A worker that dies mid-task leaves
only temporary names behind (every output is renamed into place whole) and the scheduler
runs the task again on another worker. The cycle's synthesis (``session/siblings.py``)
waits for every other session of the batch, and is not run when one of them failed. The
site's pages are rebuilt once, at the end, from every published session. Shared storage
is a plain path every worker sees (NFS, SMB).

What each worker is doing (the step, and the ffmpeg or Whisper work inside it) is sent to
the client as Dask events on a topic of the batch's own, for its progress view."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.progress import NullProgress
from pipeline.orchestrate.batch_plan import SessionOutcome, StepLine, find_sessions, plan_batch
from pipeline.session import LoadedSession, load_session

EVENT_TOPIC = "capture-batch"
DEFAULT_WORKERS = 2
LOCK_PATIENCE_S = 150.0
"""How long a task waits for its session's lock: a dead machine's lock on a network share
lasts until the server's lease ends (about 90 s on NFSv4)."""


@dataclass(frozen=True)
class BatchReport:
    sessions: list[SessionOutcome]
    skipped: list[tuple[str, str]]
    """Folders with nothing to run (a session announced, not filmed yet), and why."""
    index: Path | None
    dashboard: str | None
    seconds: float
    site_error: str | None = None
    """Why the site's pages could not be rebuilt at the end (the sessions are done)."""

    @property
    def failed(self) -> list[SessionOutcome]:
        return [s for s in self.sessions if s.failed]


@dataclass
class _Events:
    """Sends what a session's worker is doing to the client (a Dask event): the step, and
    each piece of work inside it (ffmpeg, Whisper...), as a ``ProgressReporter``."""

    topic: str
    session: str
    step: str = ""

    def send(self, doing: str) -> None:
        try:
            from distributed import get_worker

            get_worker().log_event(self.topic, {"session": self.session, "doing": doing})
        except ValueError:  # not inside a worker (a direct call): nobody is watching
            pass

    def on_step(self, name: str) -> None:
        self.step = name
        self.send(name)

    def task(self, label: str, total: float | None):  # noqa: ANN201 (ProgressReporter)
        self.send(f"{self.step}: {label}")
        return NullProgress().task(label, total)


def run_in_worker(root: str, site: str | None, engine: str, model: str, topic: str,
                  *after: SessionOutcome) -> SessionOutcome:  # fmt: skip
    """One session's ``capture run`` (the Dask task). ``after``: the outcomes of the
    sessions it waits for (the synthesis: every other one). Every error comes back in the
    outcome, as text (some cannot cross processes as exceptions); a worker that dies is
    not an error: the scheduler runs the task again elsewhere."""
    events = _Events(topic, root)
    started = time.monotonic()
    waited = [Path(o.root).name for o in after if o.failed]
    if waited:
        events.send("not run")
        return SessionOutcome(root, failed=f"not run: {', '.join(waited)} failed")
    events.send("started")
    try:
        outcome = _run(root, site, engine, model, events)
    except Exception as error:  # noqa: BLE001 (reported with the session, as text)
        outcome = SessionOutcome(root, failed=f"{type(error).__name__}: {error}")
    events.send("failed" if outcome.failed else "done")
    return SessionOutcome(outcome.root, outcome.steps, outcome.failed, outcome.log,
                          os.getpid(), time.monotonic() - started)  # fmt: skip


def _run(root: str, site: str | None, engine: str, model: str, events: _Events) -> SessionOutcome:
    from pipeline.orchestrate.run import Verdict, run_session
    from pipeline.session.lock import lock_session, release_session

    loaded = load_session(Path(root))
    lock_session(loaded, "capture batch", patience_s=LOCK_PATIENCE_S)
    try:
        report = run_session(loaded, site=Path(site) if site else None, engine=engine,
                             model=model, progress=events, site_index=False,
                             on_step=events.on_step)  # fmt: skip
    finally:
        release_session(loaded)
    steps = [StepLine(r.name, r.verdict.value, r.reason, r.summary) for r in report.results]
    failed = next((f"{r.name}: {r.reason}" for r in report.results
                   if r.verdict == Verdict.FAILED), None)  # fmt: skip
    return SessionOutcome(root, steps, failed, str(report.log))


def _connect(scheduler: str | None, workers: int):  # noqa: ANN202 (distributed types)
    """A client of the scheduler, or of a new local cluster (one thread per worker
    process, no memory limit: a long session's Whisper must not be killed by the nanny;
    a task goes to a worker only when it is free)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as error:
            raise CaptureError(f"no Dask scheduler answers at {scheduler}: {error}") from None
    dask.config.set({"distributed.scheduler.worker-saturation": 1.0})
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           memory_limit=0, dashboard_address="127.0.0.1:0")  # fmt: skip
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


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
    pages once. ``on_event`` hears what each session is doing (``session`` is its folder);
    ``on_start`` the sessions and the dashboard's address."""
    started = time.monotonic()
    ordinary, syntheses, skipped, broken = plan_batch(
        find_sessions(paths), publishing=site is not None
    )
    loaded = [*ordinary, *syntheses]
    if site is not None:
        _claim(site)
    client, cluster = _connect(scheduler, workers)
    try:
        outcomes, dashboard = _submit_all(client, ordinary, syntheses, site, engine, model,
                                          on_event, on_start)  # fmt: skip
    finally:
        client.close(timeout=20)
        if cluster is not None:
            cluster.close(timeout=20)
    index, site_error = None, None
    try:
        index = _rebuild_site(site, loaded) if site else None
    except CaptureError as error:
        site_error = str(error)
    order = {str(s.root): n for n, s in enumerate(loaded)}
    outcomes.sort(key=lambda o: order.get(o.root, 0))
    return BatchReport([*outcomes, *broken], skipped, index, dashboard,
                       time.monotonic() - started, site_error)  # fmt: skip


def _claim(site: Path) -> None:
    """The site checked and claimed, its assets written, once, before any worker publishes
    into it (each would otherwise race to do it)."""
    from pipeline.publish import pages
    from pipeline.publish.ownership import check_site, claim_site

    site = site.resolve()
    check_site(site, "", force=False)
    site.mkdir(parents=True, exist_ok=True)
    claim_site(site)
    pages.write_assets(site)


def _submit_all(  # noqa: PLR0913 (the batch's settings, passed through)
    client, ordinary: list[LoadedSession], syntheses: list[LoadedSession],  # noqa: ANN001
    site: Path | None, engine: str, model: str,
    on_event: Callable[[dict], None] | None,
    on_start: Callable[[list[str], str | None], None] | None,
) -> tuple[list[SessionOutcome], str | None]:  # fmt: skip
    from distributed import as_completed

    batch = uuid.uuid4().hex[:8]
    topic = f"{EVENT_TOPIC}-{batch}"
    if on_event is not None:
        client.subscribe_topic(topic, lambda event: on_event(event[1]))
    dashboard = dashboard_link(client)
    if on_start is not None:
        on_start([str(s.root) for s in [*ordinary, *syntheses]], dashboard)
    site_text = str(site.resolve()) if site else None
    futures = {}
    for number, session in enumerate([*ordinary, *syntheses]):
        after = list(futures.values()) if session in syntheses else []
        futures[session.root] = client.submit(
            run_in_worker, str(session.root), site_text, engine, model, topic, *after,
            key=f"capture-{number:03d}-{session.root.name}-{batch}", pure=False,
        )  # fmt: skip
    outcomes = []
    try:
        for future in as_completed(list(futures.values())):
            root = next(r for r, f in futures.items() if f is future)
            try:
                outcomes.append(future.result())
            except Exception as error:  # noqa: BLE001 (a worker that died too often...)
                outcomes.append(SessionOutcome(str(root), failed=f"{type(error).__name__}: "
                                               f"{error}"))  # fmt: skip
    except KeyboardInterrupt:
        client.cancel(list(futures.values()))
        raise
    return outcomes, dashboard


def _rebuild_site(site: Path, loaded: list[LoadedSession]) -> Path | None:
    """The cycle's pages, once, from every session published in ``site``."""
    from pipeline.publish.site_config import find_site_config
    from pipeline.publish.site_index import rebuild_index

    if not (site / "manifest.json").is_file():
        return None  # nothing was published
    cycle = loaded[0].root.parent if loaded else None
    return rebuild_index(site.resolve(), cycle, find_site_config(cycle) if cycle else None)
