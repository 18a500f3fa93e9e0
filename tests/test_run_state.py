"""``work/run.json`` kept whole when several processes record their steps at once
(``capture batch`` runs a session's films side by side, in different worker processes)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.jobs import Job
from pipeline.orchestrate.batch_tasks import BatchSettings, Events, spread_jobs
from pipeline.session import SessionFolder
from pipeline.session.artifacts.run import (
    RunState,
    StepRecord,
    StepState,
    load_run_state,
    save_step,
)

ROUNDS = 40


def _record_again_and_again(root: str, name: str) -> None:
    """What a step's task does: its own state, loaded once, recorded running then done, many
    times over."""
    folder = SessionFolder(Path(root))
    state = load_run_state(folder)
    for round_number in range(ROUNDS):
        for condition in (StepState.RUNNING, StepState.DONE):
            state.steps[name] = StepRecord(state=condition, started_at=datetime.now(UTC),
                                           summary=f"{name} {round_number}")  # fmt: skip
            save_step(folder, state, name)


def test_steps_recorded_at_once_by_several_processes_are_all_kept(tmp_path: Path) -> None:
    folder = SessionFolder(tmp_path)
    before = StepRecord(state=StepState.DONE, started_at=datetime.now(UTC), summary="kept")
    save_step(folder, RunState(steps={"ingest": before}), "ingest")
    names = ["render-full", "render-highlights", "social", "slideshow"]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_again_and_again, args=(str(tmp_path), n))
               for n in names]  # fmt: skip
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    state = load_run_state(folder)
    assert sorted(state.steps) == sorted(["ingest", *names])
    assert state.steps["ingest"].summary == "kept"
    for name in names:
        record = state.steps[name]
        assert (record.state, record.summary) == (StepState.DONE, f"{name} {ROUNDS - 1}")


def test_a_step_left_out_of_the_state_is_removed_from_the_file(tmp_path: Path) -> None:
    folder = SessionFolder(tmp_path)
    record = StepRecord(state=StepState.DONE, started_at=datetime.now(UTC))
    save_step(folder, RunState(steps={"sync": record}), "sync")
    save_step(folder, RunState(steps={"ingest": record}), "ingest")
    save_step(folder, RunState(), "sync")
    assert sorted(load_run_state(folder).steps) == ["ingest"]


def test_the_step_graph_follows_capture_runs_order() -> None:
    """Every step waits only for steps capture run does before it, and each of those waits,
    in the end, for ingest (but the slideshow, made of photos only)."""
    from pipeline.orchestrate.steps import STEPS

    order = [step.name for step in STEPS]
    after = {step.name: step.after for step in STEPS}
    for name, waited in after.items():
        assert all(order.index(w) < order.index(name) for w in waited), name

    def reaches_ingest(name: str) -> bool:
        return name == "ingest" or any(reaches_ingest(w) for w in after[name])

    assert [n for n in order if not reaches_ingest(n)] == ["slideshow"]

    def waits_for(name: str) -> set[str]:
        return {w for n in after[name] for w in {n, *waits_for(n)}}

    films = ["render-full", "render-highlights", "render-synthesis", "subtitles", "social"]
    for film in films[:3]:  # the films side by side, with the subtitles and social clips
        assert not waits_for(film) & set(films), film
    assert set(after["publish"]) | {"publish"} >= set(order) - {"ingest", "sync", "transcribe"}


def test_a_step_whose_input_failed_is_not_run(tmp_path: Path) -> None:
    from pipeline.orchestrate.batch_plan import NOT_RUN, SessionOutcome, StepLine
    from pipeline.orchestrate.batch_tasks import BatchSettings, run_step_in_worker

    root, other = str(tmp_path / "a"), str(tmp_path / "b")
    settings = BatchSettings(None, "faster-whisper", "base", 600.0, "topic", "0123abcd")
    failed = StepLine("transcribe", "failed", "no sound", session=root)
    line = run_step_in_worker(root, "render-full", settings, failed)
    assert (line.verdict, line.reason) == (NOT_RUN, "transcribe did not succeed")
    theirs = run_step_in_worker(root, "ingest", settings, replace(line, session=other))
    assert (theirs.verdict, theirs.reason) == (NOT_RUN, "b's render-full did not succeed")
    outcome = SessionOutcome.of(root, [failed, line])
    assert outcome.failed == "transcribe: no sound"
    assert SessionOutcome.of(root, [theirs]).failed == "not run: b's render-full did not succeed"


def _made_unless_first_time(marker: str, value: int) -> int:
    """A job that fails the first time it is run anywhere (it leaves ``marker``)."""
    path = Path(marker)
    if not path.exists():
        path.touch()
        raise RuntimeError("failed once")
    return value * 10


def _step_spreading(marker: str, settings: BatchSettings) -> list[list[int]]:
    """A publish step's task that hands a single job, then two lists of jobs of one kind
    (as it does for two films' sheets), to the cluster."""
    events = Events(settings.topic, "session", "publish")
    folder = str(Path(marker).parent)  # found: every job but job 1 succeeds the first time
    alone = [Job("alone", _made_unless_first_time, (f"{marker}-alone", 7))]
    try:
        spread_jobs("session", alone, settings, events)
    except RuntimeError:
        pass  # a single job is done by the step itself: its failure is the step's
    first = [Job(f"job {n}", _made_unless_first_time, (f"{marker}-{n}" if n == 1 else folder, n))
             for n in range(3)]  # fmt: skip
    second = [Job(f"job {n}", _made_unless_first_time, (folder, n)) for n in (5, 6)]
    return [spread_jobs("session", jobs, settings, events) for jobs in (first, second, alone)]


def test_jobs_spread_over_the_cluster_come_back_in_order_and_a_failed_one_is_redone(
    tmp_path: Path,
) -> None:
    """A step's jobs are tasks of their own, sent to another process; the step waits for
    them without holding its worker's only thread (they could not run otherwise); their
    results come back in the jobs' order, and a job whose task failed is done again by the
    step. A single job is not sent."""
    import cloudpickle
    from distributed import Client, LocalCluster

    settings = BatchSettings(None, "faster-whisper", "base", 600.0, "test-jobs", "b1")
    seen: list[dict] = []
    worker_log = logging.getLogger("distributed.worker")
    level = worker_log.level
    worker_log.setLevel(logging.CRITICAL)  # the job's failure in its task is expected
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # tests/ is not importable
    try:
        with (
            LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            client.subscribe_topic("test-jobs", lambda event: seen.append(event[1]))
            step = client.submit(_step_spreading, f"{tmp_path}/m", settings, pure=False)
            results = step.result(timeout=120)
            expected = {f"job {n} done" for n in (0, 2, 5, 6)}
            for _ in range(100):  # the last events reach the client
                done = {e["doing"] for e in seen if e["doing"].endswith(" done")}
                if done >= expected:
                    break
                time.sleep(0.1)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        worker_log.setLevel(level)
    assert results == [[0, 10, 20], [50, 60], [70]]
    assert {e["pid"] for e in seen} - {os.getpid()}, "the jobs ran in the worker process"
    assert done == expected, "job 1 failed in its task: the step redid it"
    assert not any(e["doing"].startswith("alone") for e in seen), "one job is not sent"
