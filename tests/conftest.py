"""Shared fixtures: small generated media (real ffmpeg), the tiny sample Rencontre."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

# the usual umask, whatever the machine running the tests has: published files must come out
# readable by a web server running as another user (capture reads the umask when imported)
os.umask(0o022)

from pipeline.samples.generate import SampleResult, generate_sample  # noqa: E402
from pipeline.session.artifacts.transcript import (  # noqa: E402
    Segment,
    Transcript,
    TranscriptSource,
    Word,
)


@pytest.fixture(autouse=True)
def _no_error_logs(caplog: pytest.LogCaptureFixture):
    """A test that logged at error level failed somewhere, even if it 'passed'."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("logged at error level: " + "; ".join(r.getMessage() for r in errors))


class _InterruptingTask:
    def __init__(self, limit: float) -> None:
        self.limit = limit

    def advance_to(self, done: float) -> None:
        if done > self.limit:
            raise KeyboardInterrupt

    def __enter__(self) -> _InterruptingTask:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class InterruptAfter:
    """A ProgressReporter standing for a user who presses Ctrl-C once ``limit``
    is passed (bytes copied, seconds transcribed): the real interrupt path, at a known moment."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def task(self, label: str, total: float | None) -> _InterruptingTask:
        return _InterruptingTask(self.limit)


def ffmpeg(*args: str | Path) -> None:
    """Test-side media generation with bare ffmpeg (independent of the code under test)."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *map(str, args)],
        check=True,
    )


@pytest.fixture
def make_media(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, *args: str | Path) -> Path:
        out = tmp_path / name
        ffmpeg(*args, out)
        return out

    return make


@pytest.fixture(scope="session")
def demo_sample(tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    """The demo Rencontre (about 3 minutes, 720p), generated once per test run."""
    return generate_sample(tmp_path_factory.mktemp("demo"), tiny=False)


@pytest.fixture(scope="session")
def tiny_sample(tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(tmp_path_factory.mktemp("sample"), tiny=True)


@pytest.fixture
def ingested(tiny_sample: SampleResult, request: pytest.FixtureRequest):
    """A copy of the tiny sample's session folder (beside the cards it names), ingested and
    synced."""
    from pipeline.ingest.run import ingest_declared
    from pipeline.session import load_session
    from pipeline.sync.run import run_sync

    module = request.module.__name__.removeprefix("test_")[:16]
    folder = tiny_sample.root / f"{module}-{request.node.name[:40]}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tiny_sample.session, folder)
    loaded = load_session(folder)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


def script_transcript(truth) -> Transcript:
    """The sample's script as a transcript, each line's words spread evenly over its time:
    the same words and times on every CPU (Whisper's own output is tested elsewhere)."""
    segments = []
    for line in truth.script:
        texts = line.text.split()
        step = (line.end - line.start) * 1000 / len(texts)
        start = round(line.start * 1000)
        words = [Word(text=t, start_ms=start + round(i * step),
                      end_ms=start + round((i + 1) * step) - 20, probability=0.9)
                 for i, t in enumerate(texts)]  # fmt: skip
        segments.append(Segment(start_ms=words[0].start_ms, end_ms=words[-1].end_ms,
                                text=line.text, words=words, speaker=line.name))  # fmt: skip
    recorder = next(d for d in truth.devices if d.role == "recorder")
    return Transcript(
        engine="script", model="truth.json", language="fr", parameters={},
        source=TranscriptSource(recording=recorder.camera, offset_s=recorder.offset,
                                drift_ppm=recorder.drift_ppm),
        created_at=datetime(2026, 1, 1, tzinfo=UTC), segments=segments,
    )  # fmt: skip
