"""``capture batch`` on a real Dask ``LocalCluster`` of two worker processes: a generated
cycle (two tiny Rencontres, the closing session announced, the synthesis folder) gives the
outputs ``capture run`` gives one session after the other (the transcript, subtitles and
cue resolution byte for byte, the films with the same frames, length and loudness), with
every step a task and the transcription spread chunk by chunk over both workers, even when a
worker process is killed in the middle of a step; run again, everything is up to date."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest
from output_fingerprint import differences, fingerprint

from pipeline.orchestrate.batch import run_batch
from pipeline.orchestrate.run import run_session
from pipeline.session import load_session

pytestmark = pytest.mark.slow

SESSIONS = ("manger-local-2040", "se-deplacer-2040", "synthese-du-cycle")
CHUNK_SECONDS = 12.0
"""Chunks short enough to give each tiny session several (a Rencontre's are 10 minutes)."""
STEP_TASK = re.compile(
    r"^(?P<step>ingest|sync|transcribe|render-[a-z]+)-\d{3}-(?P<session>.+)-[0-9a-f]{8}$"
)
"""The keys of step tasks that work long enough to be killed in the middle."""


@pytest.fixture(scope="module")
def cycles(tmp_path_factory) -> tuple[Path, Path]:
    """The same generated cycle twice: one made by ``capture run``, session after session
    (the reference), one left for the batch."""
    from pipeline.samples.demo_cycle import generate_cycle

    root = tmp_path_factory.mktemp("batch")
    made = root / "reference"
    generate_cycle(made, tiny=True, today=date(2026, 9, 1))
    for name in SESSIONS:
        report = run_session(load_session(made / name), site=made / "site",
                             chunk_seconds=CHUNK_SECONDS)  # fmt: skip
        assert report.failed is None, (name, report.failed)
    fresh = root / "batch"
    generate_cycle(fresh, tiny=True, today=date(2026, 9, 1))
    return made, fresh


def _running_for(cycle: Path, key: str) -> float:
    """How long the step of a step task's key has been recorded running (0: it is not)."""
    task = STEP_TASK.match(key)
    if task is None:
        return 0.0
    try:
        state = json.loads((cycle / task["session"] / "work" / "run.json").read_text())
        record = state["steps"][task["step"]]
    except (OSError, ValueError, KeyError):
        return 0.0
    if record["state"] != "running":
        return 0.0
    return time.time() - datetime.fromisoformat(record["started_at"]).timestamp()


def _kill_a_busy_worker(
    cluster, cycle: Path, done: threading.Event, killed: list[tuple[int, str]]
) -> None:
    """Once a worker's step has been recorded running for 2 s (in the middle of its work),
    kill the worker's process, and say which process and which task."""
    from distributed import Client

    with Client(cluster) as client:
        while not done.is_set():
            for worker, keys in client.processing().items():
                for key in map(str, keys):
                    if _running_for(cycle, key) > 2.0:
                        pid = client.run(os.getpid, workers=[worker])[worker]
                        os.kill(pid, signal.SIGKILL)
                        killed.append((pid, key))
                        return
            time.sleep(0.2)


def _frames_and_length(path: Path) -> tuple[int, float]:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_packets:format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found = json.loads(probe)
    return int(found["streams"][0]["nb_read_packets"]), float(found["format"]["duration"])


def _without_moment(path: Path) -> dict:
    made = json.loads(path.read_text(encoding="utf-8"))
    made.pop("created_at", None)
    return made


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
    done, killed, events = threading.Event(), [], []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(cluster, fresh, done, killed))
    try:
        killer.start()
        report = run_batch([fresh], site=fresh / "site", scheduler=cluster.scheduler_address,
                           chunk_seconds=CHUNK_SECONDS, on_event=events.append)  # fmt: skip
        done.set()
        killer.join()
    finally:
        done.set()
        cluster.close()
    assert killed, "a worker was killed mid-batch"
    ((pid, key),) = killed
    hit = next(s for o in report.sessions for s in o.steps if s.key == key)
    assert hit.worker_pid not in (None, pid), "run again by another worker process"
    assert hit.reason == "the last run was interrupted", hit
    left = [p for p in fresh.rglob("*") if ".partial" in p.name]
    assert left == [], "nothing half-written left behind"
    assert [o.failed for o in report.sessions] == [None, None, None], report.sessions
    assert [Path(o.root).name for o in report.sessions] == list(SESSIONS)
    assert [Path(root).name for root, _ in report.skipped] == ["cloture-du-cycle"]
    assert report.index == (fresh / "site" / "index.html").resolve()
    for name in SESSIONS:
        expected = fingerprint(reference / name, None, str(reference))
        actual = fingerprint(fresh / name, None, str(fresh))
        found = differences(expected, actual)
        if fresh / name == Path(hit.session):  # the killed step resumed: "4 already verified"
            resumed = f"/session/work/run.json/steps/{hit.name}/summary:"
            found = [f for f in found if not f.startswith(resumed)]
        assert found == [], name
    _same_words(reference, fresh, events)
    _equivalent_films(reference, fresh)
    _pictures_as_tasks(fresh, events)
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

    # run again: everything is up to date, nothing is redone; the dashboard is served
    served = []

    def look(sessions: list[str], dashboard: str | None) -> None:
        assert dashboard is not None
        with urllib.request.urlopen(dashboard, timeout=30) as page:
            served.append((page.status, b"Dask" in page.read()))

    again = run_batch([fresh], site=fresh / "site", workers=2, chunk_seconds=CHUNK_SECONDS,
                      on_start=look)  # fmt: skip
    assert served == [(200, True)]
    for outcome in again.sessions:
        assert outcome.failed is None
        assert not [s.name for s in outcome.steps if s.verdict == "ran"], outcome


def _same_words(reference: Path, fresh: Path, events: list[dict]) -> None:
    """Each Rencontre's transcription was spread over the workers chunk by chunk, two
    chunks heard at once by two processes, and its transcript and subtitles (with the
    films' time maps) are capture run's, byte for byte."""
    chunks_heard: list[tuple[float, float, int]] = []  # (from, to, process)
    for name in SESSIONS[:2]:
        (checkpoints,) = (fresh / name / "work" / "transcribe").iterdir()
        chunks = len(list(checkpoints.glob("chunk-*.json")))
        assert chunks >= 2, "the tiny session is cut into several chunks"
        # each chunk transcribed by a chunk task, not by the step itself
        heard = [e for e in events if e["session"] == str(fresh / name) and e["step"] ==
                 "transcribe" and e["doing"].endswith(" done")]  # fmt: skip
        assert {e["doing"] for e in heard} == {
            f"chunk {n}/{chunks} done" for n in range(1, chunks + 1)
        }
        for end in heard:
            begun = end["doing"].removesuffix(" done")
            start = next(e for e in events if (e["session"], e["pid"], e["doing"]) ==
                         (end["session"], end["pid"], begun))  # fmt: skip
            chunks_heard.append((start["at"], end["at"], end["pid"]))
        record = json.loads((fresh / name / "work" / "run.json").read_text())["steps"]
        assert record["transcribe"]["cpu_seconds"] > 0  # the chunks' CPU time, counted
        transcript = Path(name) / "transcript"
        assert _without_moment(reference / transcript / "transcript.json") == _without_moment(
            fresh / transcript / "transcript.json"
        )
        subtitles = [f"subtitles/{p.name}" for p in (reference / name / "subtitles").glob("*.*t*")]
        for text in ["transcript/transcript.txt", "transcript/transcript.md", *subtitles]:
            made, again = reference / name / text, fresh / name / text
            assert again.read_bytes() == made.read_bytes(), text
        for made in (reference / name / "subtitles").glob("*.json"):  # cues and time maps
            expected = json.loads(made.read_text(encoding="utf-8"))
            actual = json.loads((fresh / made.relative_to(reference)).read_text(encoding="utf-8"))
            expected.pop("source_digest"), actual.pop("source_digest")  # digests of created_at
            assert actual == expected, made.name
    assert any(a < d and c < b and p != q for a, b, p in chunks_heard
               for c, d, q in chunks_heard), chunks_heard  # fmt: skip


def _pictures_as_tasks(fresh: Path, events: list[dict]) -> None:
    """Each Rencontre's ambiance stills were extracted by tasks of their own (its publish
    step's jobs), one each."""
    for name in SESSIONS[:2]:
        manifest = json.loads((fresh / "site" / name / "manifest.json").read_text())
        stills = len(manifest["ambiance"])
        assert stills >= 2
        done = [e["doing"] for e in events if e["session"] == str(fresh / name)
                and e["step"] == "publish" and e["doing"].endswith(" done")]  # fmt: skip
        assert sorted(d for d in done if d.startswith("ambiance still")) == sorted(
            f"ambiance still {n}/{stills} done" for n in range(1, stills + 1)
        )


def _equivalent_films(reference: Path, fresh: Path) -> None:
    """Every film and web rendition: the same frames and length, loudness within 0.1 LU."""
    films = sorted(p.relative_to(reference) for p in reference.glob("*/renders/**/*.mp4"))
    assert len(films) >= 7, films  # two Rencontres' two films and renditions, the synthesis
    for film in films:
        frames, length = _frames_and_length(reference / film)
        assert _frames_and_length(fresh / film) == (frames, pytest.approx(length, abs=0.001))
    for report in reference.glob("*/renders/*.json"):
        made = json.loads(report.read_text(encoding="utf-8"))["loudness"]["integrated_lufs"]
        again = json.loads((fresh / report.relative_to(reference)).read_text(encoding="utf-8"))
        assert again["loudness"]["integrated_lufs"] == pytest.approx(made, abs=0.1), report
