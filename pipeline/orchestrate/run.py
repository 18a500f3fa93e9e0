"""Run the steps in order; a step runs when it never succeeded, when one of its inputs
changed since it did (the reason names them), or when forced; otherwise it is skipped. A
failing step stops the run (later steps depend on it) and leaves every earlier output as
it was."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pipeline.core.cputime import cpu_seconds
from pipeline.core.errors import CaptureError, ConfigError, FileSystemError, InterruptedByUser
from pipeline.core.progress import ProgressReporter
from pipeline.orchestrate.context import RunContext
from pipeline.orchestrate.fingerprint import Fingerprint, changed
from pipeline.orchestrate.runlog import run_log
from pipeline.orchestrate.steps import STEP_NAMES, STEPS, Step
from pipeline.session import LoadedSession, SessionFolder
from pipeline.session.artifacts.run import (
    RunState,
    StepRecord,
    StepState,
    load_run_state,
    save_step,
)  # fmt: skip
from pipeline.session.lock import current_holder
from pipeline.transcription import CHUNK_SECONDS


class Verdict(StrEnum):
    """What this run did to a step (a step's lasting state is a ``StepState``)."""

    RAN = "ran"
    SKIPPED = "skipped"
    NOT_NEEDED = "not needed"
    FAILED = "failed"


@dataclass(frozen=True)
class StepResult:
    name: str
    verdict: Verdict
    reason: str
    seconds: float = 0.0
    summary: str | None = None
    warnings: list[str] = field(default_factory=list)
    exit_code: int = 0
    """A failed step's error's exit code."""
    cpu_seconds: float = 0.0
    """CPU time of capture and its tools during the step (a step that ran)."""


@dataclass(frozen=True)
class RunReport:
    results: list[StepResult]
    log: Path

    @property
    def failed(self) -> StepResult | None:
        return next((r for r in self.results if r.verdict == Verdict.FAILED), None)


def why_run(
    step: Step, ctx: RunContext, state: RunState, forced: bool, fingerprint: Fingerprint
) -> str | None:
    """Why ``step`` must run now, or None when its last success still holds."""
    record = state.steps.get(step.name)
    if forced:
        return "forced (--force)"
    if record is None:
        return "never run"
    if record.state != StepState.DONE:
        return "the last run was interrupted" if record.state == StepState.RUNNING else (
            "it failed last time")  # fmt: skip
    differing = changed(record.fingerprint, fingerprint)
    if differing:
        return f"{', '.join(differing)} changed"
    missing = [path.name for path in step.outputs(ctx) if not path.exists()]
    return f"{', '.join(missing)} missing" if missing else None


def _not_needed(step: Step, ctx: RunContext, state: RunState) -> str | None:
    """A step left unfinished is never "not needed" (an ingest interrupted, then the cards
    unplugged, must not pass for done)."""
    record = state.steps.get(step.name)
    if record is not None and record.state != StepState.DONE:
        return None
    return step.not_needed(ctx)


def _check_names(until: str | None, force: list[str]) -> None:
    for name in [*(force or []), *([until] if until else [])]:
        if name not in STEP_NAMES:
            raise ConfigError(f"unknown step {name!r}: the steps are {', '.join(STEP_NAMES)}")


def run_session(
    loaded: LoadedSession,
    *,
    site: Path | None = None,
    until: str | None = None,
    force: list[str] | None = None,
    engine: str = "faster-whisper",
    model: str = "base",
    progress: ProgressReporter | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
) -> RunReport:
    """``chunk_seconds``: the transcription's chunks (``--chunk-minutes``)."""
    _check_names(until, force or [])
    ctx = RunContext(loaded, site, progress, engine, model, chunk_seconds=chunk_seconds)
    folder = loaded.folder
    state = load_run_state(folder)
    results: list[StepResult] = []
    with run_log(folder.logs) as (log_path, log):
        log.info("capture run %s (site: %s)", loaded.root, site or "none")
        for step in STEPS:
            result = _one_step(step, ctx, state, step.name in (force or []), folder, log)
            results.append(result)
            if result.verdict == Verdict.FAILED or step.name == until:
                break
        log.info("end of run")
    return RunReport(results, log_path)


def run_step(ctx: RunContext, name: str) -> tuple[StepResult, Path | None]:
    """One step of ``capture run``, by name, under the same rules (``capture batch``'s task,
    once the steps it reads are done), with a log of its own (removed when the step had
    nothing to do)."""
    step = next(s for s in STEPS if s.name == name)
    folder = ctx.loaded.folder
    with run_log(folder.logs, name) as (log_path, log):
        log.info("capture batch: step %s of %s (site: %s)", name, ctx.loaded.root, ctx.site)
        result = _one_step(step, ctx, load_run_state(folder), False, folder, log)
    if result.verdict in (Verdict.SKIPPED, Verdict.NOT_NEEDED):
        log_path.unlink(missing_ok=True)  # a batch run daily would leave ten a session
        return result, None
    return result, log_path


def _failed(
    step: Step, state: RunState, folder: SessionFolder, log: logging.Logger, started: float,
    error: str, fingerprint: Fingerprint | None = None,
) -> float:  # fmt: skip
    seconds = time.monotonic() - started
    record = state.steps.get(step.name)
    if record is None or fingerprint is not None:
        record = StepRecord(state=StepState.FAILED, fingerprint=fingerprint or {},
                            started_at=datetime.now(UTC))  # fmt: skip
        state.steps[step.name] = record
    record.state, record.error = StepState.FAILED, error
    record.finished_at, record.seconds = datetime.now(UTC), round(seconds, 2)
    log.error("step %s: failed after %.1f s: %s", step.name, seconds, error)
    try:
        save_step(folder, state, step.name)
    except OSError as unsaved:  # the full disk that failed the step: status says "interrupted"
        log.error("step %s: its failure could not be recorded: %s", step.name, unsaved)
    return seconds


def _one_step(
    step: Step,
    ctx: RunContext,
    state: RunState,
    forced: bool,
    folder: SessionFolder,
    log: logging.Logger,
) -> StepResult:
    started, cpu_at_start = time.monotonic(), cpu_seconds()
    try:
        not_needed = _not_needed(step, ctx, state)
        if not_needed is not None:
            log.info("step %s: not needed (%s)", step.name, not_needed)
            return StepResult(step.name, Verdict.NOT_NEEDED, not_needed)
        fingerprint = step.fingerprint(ctx)
        reason = why_run(step, ctx, state, forced, fingerprint)
    except CaptureError as error:  # a broken cue list or preset: this step cannot even start
        seconds = _failed(step, state, folder, log, started, str(error), fingerprint={})
        return StepResult(step.name, Verdict.FAILED, str(error), seconds,
                          exit_code=error.exit_code)  # fmt: skip
    if reason is None:
        log.info("step %s: skipped (unchanged)", step.name)
        return StepResult(step.name, Verdict.SKIPPED, "unchanged since it last ran")
    log.info("step %s: running (%s)", step.name, reason)
    state.steps[step.name] = StepRecord(state=StepState.RUNNING, fingerprint=fingerprint,
                                        started_at=datetime.now(UTC))  # fmt: skip
    save_step(folder, state, step.name)
    try:
        outcome = step.action(ctx)
    except (InterruptedByUser, KeyboardInterrupt):
        # left "running": the next run redoes the step, and the user sees exit 130
        log.warning("step %s: interrupted after %.1f s", step.name, time.monotonic() - started)
        raise
    except (CaptureError, OSError) as caught:
        error = caught if isinstance(caught, CaptureError) else FileSystemError.known(caught)
        if error is None:  # an unexpected OSError: a bug, reported as one below
            _failed(step, state, folder, log, started, f"{type(caught).__name__}: {caught}")
            log.exception("step %s: unexpected error", step.name)
            raise
        seconds = _failed(step, state, folder, log, started, str(error))
        return StepResult(step.name, Verdict.FAILED, str(error), seconds,
                          exit_code=error.exit_code)  # fmt: skip
    except Exception as error:  # a bug: recorded, then reported as such
        _failed(step, state, folder, log, started, f"{type(error).__name__}: {error}")
        log.exception("step %s: unexpected error", step.name)
        raise
    seconds, cpu = time.monotonic() - started, round(cpu_seconds() - cpu_at_start, 2)
    if outcome.cpu_seconds is not None:
        cpu = outcome.cpu_seconds
    state.steps[step.name] = StepRecord(
        state=StepState.DONE, fingerprint=fingerprint, started_at=state.steps[step.name].started_at,
        finished_at=datetime.now(UTC), seconds=round(seconds, 2), cpu_seconds=cpu,
        summary=outcome.summary, warnings=outcome.warnings,
    )  # fmt: skip
    save_step(folder, state, step.name)
    for warning in outcome.warnings:
        log.warning("step %s: %s", step.name, warning)
    log.info("step %s: ran in %.1f s (%s): %s", step.name, seconds, reason, outcome.summary)
    return StepResult(step.name, Verdict.RAN, reason, seconds, outcome.summary, outcome.warnings,
                      cpu_seconds=cpu)  # fmt: skip


@dataclass(frozen=True)
class StepStatus:
    name: str
    condition: StepState
    detail: str | None = None
    """Stale: what changed; failed: the error; done: the summary; not needed: why."""
    finished_at: datetime | None = None


def _status(step: Step, ctx: RunContext, state: RunState, busy: bool) -> StepStatus:
    record = state.steps.get(step.name)
    if record is None:
        if step.name == "publish" and ctx.site is None:
            return StepStatus(step.name, StepState.NOT_RUN, "publish with --site SITE")
        why = step.not_needed(ctx)
        return StepStatus(step.name, StepState.NOT_NEEDED if why else StepState.NOT_RUN,
                          why)  # fmt: skip
    if record.state == StepState.FAILED:
        return StepStatus(step.name, StepState.FAILED, record.error, record.finished_at)
    if record.state == StepState.RUNNING:
        if busy:  # the session's lock is held: the run is alive
            return StepStatus(step.name, StepState.RUNNING, "now", record.started_at)
        return StepStatus(step.name, StepState.STALE, "interrupted")
    if step.not_needed(ctx) is None:
        why = why_run(step, ctx, state, False, step.fingerprint(ctx))
        if why:
            return StepStatus(step.name, StepState.STALE, why, record.finished_at)
    return StepStatus(step.name, StepState.DONE, record.summary, record.finished_at)


def step_statuses(loaded: LoadedSession) -> list[StepStatus]:
    """Where each step stands, as ``capture status`` shows it. The publish step is judged
    against the site it was last published to, the transcript against the engine and model
    it was made with. A step that cannot even be judged (a broken cue list) shows its error;
    the others are still shown."""
    from pipeline.session.artifacts.transcript import load_transcript

    state = load_run_state(loaded.folder)
    published = state.steps.get("publish")
    site = published.fingerprint.get("site") if published else None
    transcript = load_transcript(loaded.folder)
    made_with = (transcript.engine, transcript.model) if transcript else ("faster-whisper", "base")
    chunks = float(transcript.parameters.get("chunk_seconds", CHUNK_SECONDS)) if transcript else (
        CHUNK_SECONDS)  # fmt: skip
    ctx = RunContext(loaded, Path(site) if site and site != "missing" else None, None,
                     *made_with, chunk_seconds=chunks)  # fmt: skip
    busy = current_holder(loaded) is not None
    found = []
    for step in STEPS:
        try:
            found.append(_status(step, ctx, state, busy))
        except CaptureError as error:
            found.append(StepStatus(step.name, StepState.FAILED, str(error)))
    return found
