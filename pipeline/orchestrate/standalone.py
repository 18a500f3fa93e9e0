"""A step's work done by its own command (``capture render``, ``capture transcribe``...),
recorded in ``work/run.json`` as ``capture run`` records it.

Without this, a render made by hand left "render-highlights failed" from an earlier run in
``capture status``, and the next ``capture run`` rendered the film again. The inputs are
fingerprinted before the work, as the run does, so a later change is still seen. A command
run with options the run does not use (a preview, another preset) does not make the run's
step done: the step's record is dropped, and the next run does it its own way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.cputime import cpu_seconds
from pipeline.core.errors import CaptureError, FileSystemError, InterruptedByUser
from pipeline.orchestrate.context import RunContext
from pipeline.orchestrate.steps import STEPS
from pipeline.session import LoadedSession
from pipeline.session.artifacts.run import StepRecord, StepState, load_run_state, save_run_state
from pipeline.transcription import CHUNK_SECONDS


@contextmanager
def recorded_step(
    loaded: LoadedSession,
    step_name: str,
    command: str,
    *,
    same_as_run: bool = True,
    engine: str = "faster-whisper",
    model: str = "base",
    chunk_seconds: float = CHUNK_SECONDS,
    site: Path | None = None,
) -> Iterator[None]:
    """Record the work done inside the ``with`` block as step ``step_name`` (done, or failed
    with its error; left "running", read as interrupted, on Ctrl-C)."""
    folder = loaded.folder
    state = load_run_state(folder)
    if not same_as_run:
        if state.steps.pop(step_name, None) is not None:
            save_run_state(folder, state)
        yield
        return
    step = next(s for s in STEPS if s.name == step_name)
    try:
        context = RunContext(loaded, site, None, engine, model, chunk_seconds=chunk_seconds)
        fingerprint = step.fingerprint(context)
    except CaptureError:
        fingerprint = {}  # inputs the work itself will refuse, with a better message
    started, clock, cpu_at_start = datetime.now(UTC), time.monotonic(), cpu_seconds()
    state.steps[step_name] = StepRecord(state=StepState.RUNNING, fingerprint=fingerprint,
                                        started_at=started)  # fmt: skip
    save_run_state(folder, state)
    try:
        yield
    except (InterruptedByUser, KeyboardInterrupt):
        raise
    except BaseException as error:
        known = error if isinstance(error, CaptureError) else FileSystemError.known(error)
        state.steps[step_name] = StepRecord(
            state=StepState.FAILED, fingerprint=fingerprint, started_at=started,
            finished_at=datetime.now(UTC), seconds=round(time.monotonic() - clock, 2),
            error=str(known or f"{type(error).__name__}: {error}"),
        )  # fmt: skip
        try:
            save_run_state(folder, state)
        except OSError:
            pass  # the full disk that failed the work: status reads "interrupted"
        raise
    state.steps[step_name] = StepRecord(
        state=StepState.DONE, fingerprint=fingerprint, started_at=started,
        finished_at=datetime.now(UTC), seconds=round(time.monotonic() - clock, 2),
        cpu_seconds=round(cpu_seconds() - cpu_at_start, 2), summary=f"by `{command}`",
    )  # fmt: skip
    save_run_state(folder, state)
