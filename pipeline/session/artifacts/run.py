"""``SESSION/work/run.json``: each step's last outcome and the inputs it was computed from.

A step is marked ``running`` before it starts and ``done`` only after it succeeded, so a
killed run leaves it not done and the next run redoes it; outputs themselves are always
written under temporary names and renamed (runner, fsutil), so nothing half-written ever
carries a final name.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, field_validator

from pipeline.core.fsutil import atomic_write_text
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
