"""What ``capture batch``'s Dask workers run (``batch.py`` builds the graph): one step of one
session, once the steps it reads are done, and one chunk of a session's transcription.

A step is ``capture run``'s own (``run_step``): skipped when up to date, marked running in
run.json before it works and done after, its outputs renamed into place whole. The
transcribe step hands the chunks still to do to the cluster (each chunk ends in a pause;
each is saved as the checkpoint ``capture run`` itself would save) and waits for them
without holding its worker (Dask's ``worker_client`` secedes), then assembles the
transcript from the checkpoints exactly as ``capture run`` does: the same bytes. A worker
keeps the Whisper model loaded from one chunk or session to the next.

What each task is doing is sent to the client as Dask events on the batch's topic."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

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
    )  # fmt: skip
    result, log = run_step(ctx, name)
    return StepLine(name, result.verdict.value, result.reason, result.summary, root,
                    log=str(log) if log else None)  # fmt: skip


def spread_chunks(
    root: str, plan: ChunkPlan, settings: BatchSettings, events: Events
) -> float | None:
    """The chunks not yet saved, transcribed as tasks by the cluster's workers, this one
    included while it waits (first in the queue: the session's other steps wait for them);
    the CPU time they took (None: not in a worker, nothing sent). A chunk whose task failed
    is logged and left to the step, which does it itself and reports its error if it fails
    again.

    The step leaves the worker's thread pool while it waits (Dask's ``secede``) and does not
    come back to it: rejoining would wait for whatever the worker took up meanwhile (another
    session's two-hour render), while putting the transcript together takes seconds."""
    from distributed import get_client, get_worker, secede, wait

    try:
        get_worker()
    except ValueError:  # not inside a worker: the step does every chunk itself
        return None
    missing = plan.missing()
    events.send(f"{len(missing)} chunk(s) of {len(plan.bounds)} to the workers")
    # the folder's name and a digest of its path: two folders of one name are two sessions
    name = f"{Path(root).name}-{hashlib.sha1(root.encode()).hexdigest()[:8]}"
    client = get_client()
    secede()
    futures = [
        client.submit(
            transcribe_chunk_in_worker,
            root,
            plan,
            index,
            settings,
            key=f"transcribe-chunk-{index:04d}-{name}-{settings.batch}",
            pure=False,
            priority=10,
        )  # fmt: skip
        for index in missing
    ]
    try:
        wait(futures)
    except Exception as error:  # noqa: BLE001 (the cluster gone: the step does the rest)
        LOG.warning("transcription chunks not done by the cluster: %s", error)
        return 0.0
    spent = 0.0
    for index, future in zip(missing, futures, strict=True):
        if future.status == "finished":
            spent += future.result()
        else:
            why = future.exception() if future.status == "error" else future.status
            LOG.warning("chunk %d not done by the cluster (%s): the step does it", index + 1, why)
    return spent


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
