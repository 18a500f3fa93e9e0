"""``work/run.json`` kept whole when several processes record their steps at once
(``capture batch`` runs a session's films side by side, in different worker processes)."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
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
