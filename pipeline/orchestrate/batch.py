"""``capture batch``: many sessions at once on a Dask cluster (a ``distributed.LocalCluster``
on this machine by default, or a running scheduler's address for a real cluster).

Every step of every session is a task (``batch_tasks.py``), run once the steps it reads
are done (``Step.after``): a session's films, social clips and slideshow side by side, and
its transcription spread over the workers chunk by chunk. Each step is ``capture run``'s,
with its fingerprints (what is up to date is skipped, so a killed batch resumes where it
stopped). The client holds every session's lock for the whole batch, so no ``capture``
command writes a session the batch is working on, and two steps of one session never write
one file (each step writes its own; run.json is updated step by step under a lock of its
own). Two sessions with one slug, which would publish into one folder, are refused; the
client claims the site and writes its assets before any task starts. A worker that dies
mid-task leaves only temporary names behind (every output is renamed into place whole) and
the scheduler runs the task again on another worker. The cycle's synthesis
(``session/siblings.py``) cuts the other sessions once their subtitles are made and
publishes after them; it is not run when one of them failed. The site's pages are rebuilt
once, at the end, from every published session. Shared storage is a plain path every
worker sees (NFS, SMB)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.orchestrate.batch_plan import SessionOutcome, StepLine, find_sessions, plan_batch
from pipeline.orchestrate.batch_tasks import BatchSettings, run_step_in_worker
from pipeline.orchestrate.steps import STEPS
from pipeline.session import LoadedSession
from pipeline.transcription import CHUNK_SECONDS

EVENT_TOPIC = "capture-batch"
DEFAULT_WORKERS = 2
LOCK_PATIENCE_S = 2.0
"""How long the batch waits for a session's lock before refusing to start (a command at
work on it; after a machine's crash, a network share keeps its lock until the server's
lease ends, about 90 s on NFSv4)."""
SYNTHESIS_WAITS = {"ingest": "subtitles", "publish": "publish"}
"""The synthesis's steps that wait for a step of every other session: it cuts their
recordings with their subtitles, and is published after them."""


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


def _connect(scheduler: str | None, workers: int):  # noqa: ANN202 (distributed types)
    """A client of the scheduler, or of a new local cluster (one thread per worker
    process, no memory limit: a long session's Whisper must not be killed by the nanny;
    a task goes to a worker only when it is free)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise CaptureError(f"no Dask scheduler answers at {scheduler}: {error}") from None
        threaded = sorted(w for w, n in client.nthreads().items() if n > 1)
        if threaded:
            client.close()
            raise CaptureError(
                f"Dask workers with several threads ({', '.join(threaded)}): start them with "
                "`dask worker ... --nthreads 1` (each step's tools use every core, and a "
                "worker's Whisper model serves one task at a time)"
            )
        return client, None
    # Dask starts its workers with OMP_NUM_THREADS=1, which leaves Whisper one thread: give
    # each worker its share of this machine's cores instead
    cores = max(1, (os.cpu_count() or 1) // workers)
    # (read when the scheduler and the nannies are made: a worker restarted keeps them)
    with dask.config.set(
        {
            "distributed.scheduler.worker-saturation": 1.0,
            "distributed.nanny.pre-spawn-environ.OMP_NUM_THREADS": cores,
        }
    ):
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


def run_batch(  # noqa: PLR0913 (the batch's settings)
    paths: list[Path],
    *,
    site: Path | None = None,
    scheduler: str | None = None,
    workers: int = DEFAULT_WORKERS,
    engine: str = "faster-whisper",
    model: str = "base",
    chunk_seconds: float = CHUNK_SECONDS,
    on_event: Callable[[dict], None] | None = None,
    on_start: Callable[[list[str], str | None], None] | None = None,
) -> BatchReport:
    """Every step of every session of ``paths`` on the cluster, then the site's pages once.
    ``on_event`` hears what each task is doing (``session`` is its folder, ``step`` its
    step); ``on_start`` the sessions and the dashboard's address."""
    started = time.monotonic()
    ordinary, syntheses, skipped, broken = plan_batch(
        find_sessions(paths), publishing=site is not None
    )
    loaded = [*ordinary, *syntheses]
    batch = uuid.uuid4().hex[:8]
    settings = BatchSettings(str(site.resolve()) if site else None, engine, model,
                             chunk_seconds, f"{EVENT_TOPIC}-{batch}", batch)  # fmt: skip
    with _locked(loaded):
        if site is not None:
            _claim(site)
        client, cluster = _connect(scheduler, workers)
        try:
            outcomes, dashboard = _submit_all(client, ordinary, syntheses, settings,
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
    return BatchReport([*outcomes, *broken], skipped, index, dashboard,
                       time.monotonic() - started, site_error)  # fmt: skip


@contextmanager
def _locked(sessions: list[LoadedSession]) -> Iterator[None]:
    """Every session's lock, held by this process for the whole batch (its steps run in
    the workers' processes, several at once); refused, before any work, when a command is
    at work on one of them."""
    from pipeline.session.lock import held_here, lock_session, release_session

    held: list[LoadedSession] = []
    try:
        for loaded in sessions:
            if held_here(loaded):  # taken before the batch: kept after it
                continue
            lock_session(loaded, "capture batch", patience_s=LOCK_PATIENCE_S)
            held.append(loaded)
        yield
    finally:
        for loaded in held:
            release_session(loaded)


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


def _submit_all(
    client,  # noqa: ANN001
    ordinary: list[LoadedSession],
    syntheses: list[LoadedSession],
    settings: BatchSettings,
    on_event: Callable[[dict], None] | None,
    on_start: Callable[[list[str], str | None], None] | None,
) -> tuple[list[SessionOutcome], str | None]:
    """Every step of every session as a task, each after the steps it reads (and the
    synthesis's after the other sessions'); their outcomes, session by session."""
    from distributed import as_completed

    if on_event is not None:
        client.subscribe_topic(settings.topic, lambda event: on_event(event[1]))
    dashboard = dashboard_link(client)
    sessions = [*ordinary, *syntheses]
    if on_start is not None:
        on_start([str(s.root) for s in sessions], dashboard)
    futures: dict[tuple[str, str], object] = {}  # (session folder, step) -> its task
    keys = {}
    for number, session in enumerate(sessions):
        root = str(session.root)
        for step in STEPS:
            after = [futures[(root, name)] for name in step.after]
            if session in syntheses and step.name in SYNTHESIS_WAITS:
                after += [futures[(str(o.root), SYNTHESIS_WAITS[step.name])] for o in ordinary]
            # named by the step first: the dashboard shows each step's progress as a group
            key = f"{step.name}-{number:03d}-{session.root.name}-{settings.batch}"
            futures[(root, step.name)] = client.submit(
                run_step_in_worker, root, step.name, settings, *after, key=key, pure=False
            )
            keys[(root, step.name)] = key
    lines: dict[tuple[str, str], StepLine] = {}
    task_of = {key: where for where, key in keys.items()}
    try:
        for future in as_completed(list(futures.values())):
            where = task_of[future.key]
            try:
                line = future.result()
            except Exception as error:  # noqa: BLE001 (a worker that died too often...)
                line = StepLine(where[1], "failed", f"{type(error).__name__}: {error}",
                                session=where[0])  # fmt: skip
            lines[where] = line
    except KeyboardInterrupt:
        client.cancel(list(futures.values()))
        raise
    outcomes = []
    for session in sessions:
        root = str(session.root)
        steps = [replace(lines[(root, s.name)], key=keys[(root, s.name)]) for s in STEPS]
        outcomes.append(SessionOutcome.of(root, steps))
    return outcomes, dashboard


def _rebuild_site(site: Path, loaded: list[LoadedSession]) -> Path | None:
    """The cycle's pages, once, from every session published in ``site``."""
    from pipeline.publish.site_config import find_site_config
    from pipeline.publish.site_index import rebuild_index

    if not (site / "manifest.json").is_file():
        return None  # nothing was published
    cycle = loaded[0].root.parent if loaded else None
    return rebuild_index(site.resolve(), cycle, find_site_config(cycle) if cycle else None)
