"""``capture batch`` on this machine: three short sessions (the tiny sample's two debates and
a third copy), made by ``capture run`` one after the other in this process (the reference),
then by ``capture batch`` on a ``LocalCluster`` of 1 and of 2 worker processes, each time
from fresh copies (nothing up to date).

* ``speedup_2_workers``: the 1-worker batch's time over the 2-worker batch's (the machine
  has 2 cores: encodes already use both, so the gain is what one session's single-threaded
  parts leave idle).
* ``overhead_per_session_s``: what a batch of 1 worker costs over the reference, per
  session (starting the cluster, shipping the task, loading the Whisper model in a fresh
  process); the reference runs after a warm-up session, its model already loaded.
* ``scheduler_ms_per_task``: the round trip of an empty task through the scheduler
  (submitted 200 at a time), what each task costs Dask itself.
* ``per_session_s``: each session's steps' time, added up, in the 2-worker batch.
* ``overhead_per_task_s``: the 1-worker batch's cost over the reference per task (each
  session is ten step tasks).
* ``one_session``: the parts of one session side by side, the demo Rencontre (3 minutes,
  720p) with 1-minute transcription chunks: ``capture run`` against a batch of 2 workers
  (its chunks on both workers, its films side by side), and the transcribe step's own time
  in each.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from pipeline.orchestrate.batch import run_batch
from pipeline.orchestrate.run import run_session
from pipeline.samples import script as S
from pipeline.samples.generate import generate_sample
from pipeline.session import load_session

EMPTY_TASKS = 200


def _sessions(root: Path) -> list[Path]:
    """Three tiny sessions, each in a folder of its own (beside its cards)."""
    made = []
    for number, debate in enumerate((S.FOOD, S.MOBILITY, S.FOOD)):
        made.append(generate_sample(root / f"s{number}", tiny=True, debate=debate).session)
    return made


def _fresh(sessions: list[Path], target: Path) -> list[Path]:
    for session in sessions:
        shutil.copytree(session.parent, target / session.parent.name)
    return [target / s.parent.name / s.name for s in sessions]


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _scheduler_ms() -> float:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        client.gather(client.map(abs, range(20)))  # warm up
        started = time.monotonic()
        client.gather(client.map(abs, range(-EMPTY_TASKS, 0), pure=False))
        return (time.monotonic() - started) * 1000 / EMPTY_TASKS


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="capture-bench-batch-") as tmp:
        root = Path(tmp)
        sessions = _sessions(root / "made")
        warm = _fresh(sessions[:1], root / "warm-up")  # the model and the files in memory
        assert run_session(load_session(warm[0])).failed is None
        reference = _fresh(sessions, root / "reference")

        def sequential() -> None:
            for session in reference:
                assert run_session(load_session(session)).failed is None

        sequential_s = _timed(sequential)
        figures: dict = {"sessions": len(sessions), "reference_s": round(sequential_s, 1)}
        per_session: list[float] = []
        for workers in (1, 2):
            copies = _fresh(sessions, root / f"w{workers}")
            report = None

            def batch(copies=copies, workers=workers) -> None:
                nonlocal report
                report = run_batch(copies, workers=workers)

            figures[f"batch_{workers}_worker_s"] = round(_timed(batch), 1)
            assert report is not None and not report.failed, report
            per_session = [round(o.seconds, 1) for o in report.sessions]
        one, two = figures["batch_1_worker_s"], figures["batch_2_worker_s"]
        figures["speedup_2_workers"] = round(one / two, 2)
        figures["overhead_per_session_s"] = round((one - sequential_s) / len(sessions), 1)
        figures["per_session_s"] = per_session
        figures["overhead_per_task_s"] = round((one - sequential_s) / (10 * len(sessions)), 2)
        figures["scheduler_ms_per_task"] = round(_scheduler_ms(), 2)
        figures["one_session"] = _one_session(root / "one")
        return figures


ONE_SESSION_CHUNK_S = 60.0


def _one_session(root: Path) -> dict:
    made = generate_sample(root / "made", tiny=False).session
    reference, batched = _fresh([made], root / "run")[0], _fresh([made], root / "batch")[0]
    report = None

    def alone() -> None:
        nonlocal report
        report = run_session(load_session(reference), chunk_seconds=ONE_SESSION_CHUNK_S)

    run_s = _timed(alone)
    assert report is not None and report.failed is None, report
    run_transcribe = next(r.seconds for r in report.results if r.name == "transcribe")
    batch = None

    def together() -> None:
        nonlocal batch
        batch = run_batch([batched], workers=2, chunk_seconds=ONE_SESSION_CHUNK_S)

    batch_s = _timed(together)
    assert batch is not None and not batch.failed, batch
    steps = batch.sessions[0].steps
    chunks = len(list((batched / "work" / "transcribe").glob("*/chunk-*.json")))
    return {
        "chunks": chunks,
        "capture_run_s": round(run_s, 1),
        "batch_2_workers_s": round(batch_s, 1),
        "speedup": round(run_s / batch_s, 2),
        "transcribe_run_s": round(run_transcribe, 1),
        "transcribe_batch_s": round(next(s.seconds for s in steps if s.name == "transcribe"), 1),
        "steps_batch_s": {s.name: round(s.seconds, 1) for s in steps if s.verdict == "ran"},
    }
