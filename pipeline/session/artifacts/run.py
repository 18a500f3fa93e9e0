"""``SESSION/work/run.json``: each step's last outcome and the inputs it was computed from.

A step is marked ``running`` before it starts and ``done`` only after it succeeded, so a
killed run leaves it not done and the next run redoes it; outputs themselves are always
written under temporary names and renamed (runner, fsutil), so nothing half-written ever
carries a final name.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, field_validator

from pipeline.core.fsutil import FILE_MODE, atomic_write_text
from pipeline.session import SessionFolder

STATE_VERSION = 1


class StepState(StrEnum):
    """A step's state: as recorded in run.json (running, done, failed), or as ``capture
    status`` judges it from that record and today's inputs (also stale, not run, not
    needed). What one run did to a step is its ``Verdict`` (orchestrate/run.py)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    STALE = "stale"
    NOT_RUN = "not run"
    NOT_NEEDED = "not needed"


RECORDED_STATES = (StepState.RUNNING, StepState.DONE, StepState.FAILED)


class StepRecord(BaseModel):
    state: StepState
    fingerprint: dict[str, str] = {}
    started_at: datetime
    finished_at: datetime | None = None
    seconds: float | None = None
    cpu_seconds: float | None = None
    """CPU time of capture and the tools it ran during the step (all cores added up)."""
    summary: str | None = None
    warnings: list[str] = []
    error: str | None = None

    @field_validator("state")
    @classmethod
    def _recorded(cls, state: StepState) -> StepState:
        if state not in RECORDED_STATES:
            raise ValueError(f"a step is recorded running, done or failed, not {state}")
        return state


class RunState(BaseModel):
    version: int = STATE_VERSION
    steps: dict[str, StepRecord] = {}


def load_run_state(folder: SessionFolder) -> RunState:
    path = folder.run_state
    if not path.is_file():
        return RunState()
    try:
        found = RunState.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return RunState()  # unreadable: every step is redone, nothing is lost
    return found if found.version == STATE_VERSION else RunState()


def save_run_state(folder: SessionFolder, state: RunState) -> None:
    atomic_write_text(folder.run_state, state.model_dump_json(indent=2) + "\n")


def save_step(folder: SessionFolder, state: RunState, name: str) -> None:
    """Record step ``name`` as ``state`` has it, and keep every other step as run.json has
    it now: ``capture batch`` runs a session's independent steps (its films) in several
    processes at once, each updating its own step. The read, change and write are done
    under a lock of their own (``run.json.lock``, held for that moment only)."""
    lock = folder.run_state.with_name(folder.run_state.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        current = load_run_state(folder)
        if name in state.steps:
            current.steps[name] = state.steps[name]
        else:
            current.steps.pop(name, None)
        save_run_state(folder, current)
    finally:
        os.close(fd)  # the lock goes with the descriptor
