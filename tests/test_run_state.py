"""``work/run.json`` kept whole when several processes record their steps at once
(``capture batch`` runs a session's films side by side, in different worker processes)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

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
