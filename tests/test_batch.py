"""``capture batch`` on a real Dask ``LocalCluster`` of two worker processes: a generated
cycle (two tiny Rencontres, the closing session announced, the synthesis folder) gives the
outputs ``capture run`` gives one session after the other, even when a worker process is
killed in the middle; run again, everything is up to date."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from output_fingerprint import differences, fingerprint

from pipeline.orchestrate.batch import run_batch
from pipeline.orchestrate.run import run_session
from pipeline.session import load_session

pytestmark = pytest.mark.slow

SESSIONS = ("manger-local-2040", "se-deplacer-2040", "synthese-du-cycle")


@pytest.fixture(scope="module")
def cycles(tmp_path_factory) -> tuple[Path, Path]:
    """The same generated cycle twice: one made by ``capture run``, session after session
    (the reference), one left for the batch."""
    from pipeline.samples.demo_cycle import generate_cycle

    root = tmp_path_factory.mktemp("batch")
    made = root / "reference"
    generate_cycle(made, tiny=True, today=date(2026, 9, 1))
    for name in SESSIONS:
        report = run_session(load_session(made / name), site=made / "site")
        assert report.failed is None, (name, report.failed)
    fresh = root / "batch"
    generate_cycle(fresh, tiny=True, today=date(2026, 9, 1))
    return made, fresh


def _kill_a_busy_worker(cluster, done: threading.Event, killed: list[tuple[int, str]]) -> None:
    """Once a worker has been busy with a session for a few seconds, kill its process
    (if it is still busy with it then), and say which process and which task."""
    from distributed import Client

    with Client(cluster) as client:
        while not done.is_set():
            if any(client.processing().values()):
                time.sleep(4)  # in the middle of its steps (ingest, sync, Whisper...)
                busy = {w: keys for w, keys in client.processing().items() if keys}
                if not busy:
                    continue
                worker, keys = next(iter(busy.items()))
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)
                killed.append((pid, str(keys[0])))
                return
            time.sleep(0.2)


PICTURES = {"ambiance", "poster", "poster_source", "quotes", "still"}
"""What publishing picks from the encoded pictures."""


def _without_pictures(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_pictures(v) for k, v in value.items() if k not in PICTURES}
    if isinstance(value, list):
        return [_without_pictures(v) for v in value]
    return value


def test_a_batch_with_a_killed_worker_gives_what_capture_run_gives(cycles) -> None:
    from distributed import LocalCluster

    reference, fresh = cycles
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)  # fmt: skip
    done, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(cluster, done, killed))
    try:
        killer.start()
        report = run_batch([fresh], site=fresh / "site", scheduler=cluster.scheduler_address)
        done.set()
        killer.join()
    finally:
        done.set()
        cluster.close()
    assert killed, "a worker was killed mid-batch"
    ((pid, key),) = killed
    hit = next(o for o in report.sessions if f"-{Path(o.root).name}-" in key)
    assert hit.worker_pid not in (None, pid), "run again by another worker process"
    assert any(s.reason == "the last run was interrupted" for s in hit.steps), hit.steps
    left = [p for p in fresh.rglob("*") if ".partial" in p.name]
    assert left == [], "nothing half-written left behind"
    assert [o.failed for o in report.sessions] == [None, None, None], report.sessions
    assert [Path(o.root).name for o in report.sessions] == list(SESSIONS)
    assert [Path(root).name for root, _ in report.skipped] == ["cloture-du-cycle"]
    assert report.index == (fresh / "site" / "index.html").resolve()
    for name in SESSIONS:
        expected = fingerprint(reference / name, None, str(reference))
        actual = fingerprint(fresh / name, None, str(fresh))
        assert differences(expected, actual) == [], name
    # the site: the cycle's pages the batch rebuilt once, and the manifests; the posters and
    # stills are picked from the encoded pictures (equivalent encodes, not the same bytes)
    expected = fingerprint(reference / SESSIONS[0], reference / "site", str(reference))
    actual = fingerprint(fresh / SESSIONS[0], fresh / "site", str(fresh))
    manifests = [f"site/{name}/manifest.json" for name in SESSIONS[:2]]
    manifests.append("site/cycle/synthese/manifest.json")
    pages = [key for key in expected if key.startswith("site/") and key.endswith(".html")
             and not key.startswith(tuple(f"site/{name}/" for name in SESSIONS))]  # fmt: skip
    assert "site/index.html" in pages and all(key in expected for key in manifests)
    for key in [*pages, *manifests]:
        assert differences(_without_pictures(expected[key]),
                           _without_pictures(actual.get(key))) == [], key  # fmt: skip

    # run again: everything is up to date, nothing is redone
    again = run_batch([fresh], site=fresh / "site", workers=2)
    for outcome in again.sessions:
        assert outcome.failed is None
        assert not [s.name for s in outcome.steps if s.verdict == "ran"], outcome
