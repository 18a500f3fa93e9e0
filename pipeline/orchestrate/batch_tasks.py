"""What ``capture batch``'s Dask workers run (``batch.py`` builds the graph): one step of one
session, once the steps it reads are done; one chunk of a session's transcription; one
independent job of a step (a film's thumbnail sheet, a still of the restitution).

A step is ``capture run``'s own (``run_step``): skipped when up to date, marked running in
run.json before it works and done after, its outputs renamed into place whole. The
transcribe step hands the chunks still to do to the cluster (each chunk ends in a pause;
each is saved as the checkpoint ``capture run`` itself would save) and waits for them
without holding its worker (Dask's ``secede``), then assembles the transcript from the
checkpoints exactly as ``capture run`` does: the same bytes. A worker keeps the Whisper
model loaded from one chunk or session to the next. The publish step hands its thumbnail
sheets and stills to the cluster the same way (``core/jobs.py``).

What each task is doing is sent to the client as Dask events on the batch's topic."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.jobs import Job, one_after_another
from pipeline.core.progress import NullProgress
from pipeline.orchestrate.batch_plan import NOT_RUN, StepLine
from pipeline.session import load_session

if TYPE_CHECKING:
    from pipeline.transcription.run import ChunkPlan

LOG = logging.getLogger("capture.run")
"""The step's log (``run_log``): the transcribe step's own thread writes these lines."""


@dataclass(frozen=True)
class BatchSettings:
    """What every task of one batch is given."""

    site: str | None
    engine: str
    model: str
    chunk_seconds: float
    topic: str
    """The Dask event topic of the batch's progress."""
    batch: str
    """The batch's id, in every task key."""


@dataclass
class Events:
    """Sends what a task is doing to the client (a Dask event): its step, and each piece of
    work inside it (ffmpeg, Whisper...), as a ``ProgressReporter``."""

    topic: str
    session: str
    step: str

    def send(self, doing: str) -> None:
        try:
            from distributed import get_worker

            get_worker().log_event(self.topic, {"session": self.session, "step": self.step,
                                                "doing": doing, "pid": os.getpid(),
                                                "at": time.time()})  # fmt: skip
        except ValueError:  # not inside a worker (a direct call): nobody is watching
            pass

    def task(self, label: str, total: float | None):  # noqa: ANN201 (ProgressReporter)
        self.send(label)
        return NullProgress().task(label, total)


def run_step_in_worker(root: str, name: str, settings: BatchSettings,
                       *after: StepLine) -> StepLine:  # fmt: skip
    """Step ``name`` of the session in ``root`` (a Dask task). ``after``: what the steps it
    waits for did; it is not run when one of them failed or was not run. Every error comes
    back as text (some cannot cross processes as exceptions); a worker that dies is not an
    error: the scheduler runs the task again elsewhere, and the step, found "running" in
    run.json, is redone."""
    blocked = next((a for a in after if not a.succeeded), None)
    if blocked is not None:
        whose = "" if blocked.session == root else f"{Path(blocked.session).name}'s "
        Events(settings.topic, root, name).send(NOT_RUN)
        return StepLine(name, NOT_RUN, f"{whose}{blocked.name} did not succeed", session=root)
    events = Events(settings.topic, root, name)
    started = time.monotonic()
    events.send("started")
    try:
        line = _run_step(root, name, settings, events)
    except Exception as error:  # noqa: BLE001 (reported with the session, as text)
        line = StepLine(name, "failed", f"{type(error).__name__}: {error}", session=root)
    events.send(line.verdict)
    return replace(line, worker_pid=os.getpid(), seconds=time.monotonic() - started)


def _run_step(root: str, name: str, settings: BatchSettings, events: Events) -> StepLine:
    from pipeline.orchestrate.context import RunContext
    from pipeline.orchestrate.run import run_step

    loaded = load_session(Path(root))
    ctx = RunContext(
        loaded, Path(settings.site) if settings.site else None, events, settings.engine,
        settings.model, site_index=False, chunk_seconds=settings.chunk_seconds,
        share_engine=True,
        transcribe_elsewhere=lambda plan: spread_chunks(root, plan, settings, events),
        spread=lambda jobs: spread_jobs(root, jobs, settings, events),
    )  # fmt: skip
    result, log = run_step(ctx, name)
    return StepLine(name, result.verdict.value, result.reason, result.summary, root,
                    log=str(log) if log else None)  # fmt: skip


_THREAD = threading.local()
"""Whether this thread has left its worker's thread pool (such a thread runs no other task
after this one; leaving twice is an error in Dask)."""


def _session_name(root: str) -> str:
    """The folder's name and a digest of its path: two folders of one name are two sessions."""
    return f"{Path(root).name}-{hashlib.sha1(root.encode()).hexdigest()[:8]}"


def _on_cluster(
    calls: list[tuple[str, Callable[..., Any], tuple[Any, ...]]], events: Events, sending: str
) -> list[Any] | None:
    """Each ``(key, function, arguments)`` submitted as a task, first in the queue (the
    session's other steps wait for them), and waited for; their futures, done or failed
    (None each: the cluster is gone; None: not in a worker, nothing sent). The step leaves
    its worker's thread pool (Dask's ``secede``) before it waits, so that the worker takes
    up other tasks, and does not come back to it: rejoining would wait for whatever the
    worker took up meanwhile (another session's two-hour render). The rest of the step
    (a transcript's assembly; publish's frame measures, packaging and pages, a few percent
    of its session's CPU) runs beside the worker's next task."""
    from distributed import get_client, get_worker, secede, wait

    try:
        get_worker()
    except ValueError:  # not inside a worker: the step does every piece itself
        return None
    client = get_client()
    if not getattr(_THREAD, "seceded", False):
        secede()
        _THREAD.seceded = True
    events.send(sending)
    futures = [client.submit(call, *args, key=key, pure=False, priority=10)
               for key, call, args in calls]  # fmt: skip
    try:
        wait(futures)
    except Exception as error:  # noqa: BLE001 (the cluster gone: the step does the rest)
        LOG.warning("tasks not done by the cluster: %s", error)
        with contextlib.suppress(Exception):  # none left running beside the step's own
            client.cancel(futures)
        return [None] * len(futures)
    return futures


def _result(future: Any, what: str) -> tuple[bool, Any]:  # noqa: ANN401 (a Dask future)
    """(True, its result) when the task finished, else (False, None), logged."""
    if future is not None and future.status == "finished":
        return True, future.result()
    why = "the cluster is gone" if future is None else future.status
    if future is not None and future.status == "error":
        why = future.exception()
    LOG.warning("%s not done by the cluster (%s): the step does it", what, why)
    return False, None


def spread_chunks(
    root: str, plan: ChunkPlan, settings: BatchSettings, events: Events
) -> float | None:
    """The chunks not yet saved, transcribed as tasks by the cluster's workers, this one
    included while it waits; the CPU time they took (None: not in a worker, nothing sent).
    A chunk whose task failed is left to the step, which does it itself and reports its
    error if it fails again."""
    missing = plan.missing()
    name = _session_name(root)
    futures = _on_cluster([
        (f"transcribe-chunk-{index:04d}-{name}-{settings.batch}", transcribe_chunk_in_worker,
         (root, plan, index, settings))
        for index in missing
    ], events, f"{len(missing)} chunk(s) of {len(plan.bounds)} to the workers")  # fmt: skip
    if futures is None:
        return None
    spent = 0.0
    for index, future in zip(missing, futures, strict=True):
        finished, seconds = _result(future, f"chunk {index + 1}")
        spent += seconds if finished else 0.0
    return spent


def spread_jobs(root: str, jobs: Sequence[Job], settings: BatchSettings,
                events: Events) -> list[Any]:  # fmt: skip
    """A step's independent jobs (a film's thumbnail sheets, the restitution's stills), each
    a task of the cluster, this worker included while it waits; their results in order. A
    job whose task failed is done here. One job alone is done here: a task would only add
    its cost."""
    if len(jobs) < 2:
        return one_after_another(jobs)
    # keys begin with what the jobs do (the dashboard groups by it) and are the batch's
    # only ones: a step spreads several lists of jobs of one kind (one per film)
    kind = getattr(jobs[0].call, "__name__", "job").strip("_").replace("_", "-")
    name = f"{_session_name(root)}-{uuid.uuid4().hex[:8]}"
    futures = _on_cluster([
        (f"{events.step}-{kind}-{number:04d}-{name}-{settings.batch}", run_job_in_worker,
         (job, settings.topic, root, events.step))
        for number, job in enumerate(jobs)
    ], events, f"{len(jobs)} jobs to the workers")  # fmt: skip
    if futures is None:
        return one_after_another(jobs)
    results = []
    for job, future in zip(jobs, futures, strict=True):
        finished, result = _result(future, job.label)
        results.append(result if finished else job.run())
    return results


def run_job_in_worker(job: Job, topic: str, root: str, step: str) -> Any:  # noqa: ANN401
    """One job of a step (a Dask task); what it returns."""
    events = Events(topic, root, step)
    events.send(job.label)
    result = job.run()
    events.send(f"{job.label} done")
    return result


def transcribe_chunk_in_worker(root: str, plan: ChunkPlan, index: int,
                               settings: BatchSettings) -> float:  # fmt: skip
    """Chunk ``index`` of the plan, saved as its checkpoint (a Dask task); the CPU time it
    took (the worker process's, Whisper's threads included)."""
    from pipeline.core.cputime import cpu_seconds
    from pipeline.transcription.run import chunk_segments, planned_sound, shared_engine

    started = cpu_seconds()
    events = Events(settings.topic, root, "transcribe")
    chunk = f"chunk {index + 1}/{len(plan.bounds)}"
    events.send(chunk)
    sound = planned_sound(load_session(Path(root)), plan)
    chunk_segments(shared_engine(settings.engine, settings.model), sound, plan, index)
    events.send(f"{chunk} done")
    return cpu_seconds() - started
