"""Sync on the sample Rencontre: offsets against truth.json, drift, fallbacks, overrides."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ffmpeg

from pipeline.ingest.plan import plan_ingest, resolve_sources
from pipeline.ingest.run import run_ingest
from pipeline.orchestrate.status import session_status
from pipeline.samples.generate import SampleResult, generate_sample
from pipeline.session import load_session
from pipeline.sync.run import run_sync

pytestmark = pytest.mark.slow
FRAME = 0.04
RECORDING_KEYS = {
    "camera",
    "files",
    "duration_s",
    "offset_s",
    "offset_confidence",
    "drift_ppm",
    "usable",
    "problems",
}


@pytest.fixture(scope="module")
def drifting_sample(tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(tmp_path_factory.mktemp("drift"), tiny=True, drift_ppm=100.0)


@pytest.fixture
def session_copy(drifting_sample: SampleResult, request: pytest.FixtureRequest) -> Path:
    """A fresh copy of the sample's session folder beside its cards (sources stay valid)."""
    target = drifting_sample.root / f"session-{request.node.name[:40]}"
    shutil.rmtree(target, ignore_errors=True)
    return Path(shutil.copytree(drifting_sample.session, target))


def _ingest_and_sync(folder: Path, *extra_sources: Path):
    loaded = load_session(folder)
    sources = [path for _, path in loaded.source_paths()] + list(extra_sources)
    run_ingest(loaded, plan_ingest(loaded, resolve_sources(loaded, sources, [])))
    return loaded, run_sync(loaded)


def test_every_device_within_a_frame_and_recorder_drift_found(drifting_sample, session_copy):
    loaded, result = _ingest_and_sync(session_copy)
    truth = {d.camera: d for d in drifting_sample.truth.devices}
    placed = {p.camera: p for p in result.placements}
    assert set(placed) == {"A", "B", "recorder"}
    for camera, device in truth.items():
        assert placed[camera].offset_s == pytest.approx(device.offset, abs=FRAME), camera
        assert placed[camera].offset_confidence >= 0.9
    assert placed["recorder"].method == "reference"
    assert placed["recorder"].drift_ppm == pytest.approx(100.0, abs=30.0)
    assert placed["recorder"].drift_corrected
    assert abs(placed["A"].drift_ppm) < 30 and placed["A"].method == "audio"
    # camera B's two chapters are one recording on the clock
    (b_recording,) = [r for r in session_status(loaded).recordings if r.camera == "B"]
    assert [Path(f).name for f in b_recording.files] == ["GX010042.MP4", "GX020042.MP4"]


def test_status_json_is_the_documented_interface(session_copy) -> None:
    _ingest_and_sync(session_copy)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", str(session_copy), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    status = json.loads(result.stdout)
    assert status["synced"] and status["mhl_generations"] == 1
    assert len(status["recordings"]) == 3
    for recording in status["recordings"]:
        assert RECORDING_KEYS <= set(recording)
        assert recording["usable"] and recording["problems"] == []
    formats = {r["camera"]: (r["format"], r["flags"]) for r in status["recordings"]}
    assert re.fullmatch(r"h264 \d+x\d+ 25/1, aac 48000 Hz \d ch", formats["A"][0]), formats
    assert re.fullmatch(r"\w+ \d+ Hz \d ch", formats["recorder"][0]), formats
    assert formats["A"][1] == []


def _set_offset(folder: Path, label: str, offset: float) -> None:
    yaml_file = folder / "session.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(
        text.replace(f"label: {label}", f"label: {label}\n  offset: {offset}"), encoding="utf-8"
    )


def test_manual_offset_in_session_yaml_wins(drifting_sample, session_copy) -> None:
    _set_offset(session_copy, "Plan serré", 5.25)
    _, result = _ingest_and_sync(session_copy)
    placed = {p.camera: p for p in result.placements}
    assert (placed["B"].method, placed["B"].offset_s) == ("manual", 5.25)
    truth = {d.camera: d.offset for d in drifting_sample.truth.devices}
    # the others keep their own places, and the clock still starts with the recorder
    assert placed["recorder"].offset_s == 0.0
    assert placed["A"].offset_s == pytest.approx(truth["A"], abs=FRAME)


def test_manual_offset_on_the_reference_moves_what_is_synced_to_it(
    drifting_sample, session_copy
) -> None:
    _set_offset(session_copy, "Enregistreur", 10.0)
    _, result = _ingest_and_sync(session_copy)
    placed = {p.camera: p for p in result.placements}
    truth = {d.camera: d.offset for d in drifting_sample.truth.devices}
    assert placed["recorder"].offset_s == 10.0
    for camera in ("A", "B"):
        assert placed[camera].offset_s == pytest.approx(10.0 + truth[camera], abs=FRAME)


def test_an_undeclared_sound_recorder_is_still_drift_corrected(drifting_sample, session_copy):
    yaml_file = session_copy / "session.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    cut = text[text.index("cameras:") : text.index("glossary:")]
    yaml_file.write_text(text.replace(cut, ""), encoding="utf-8")  # no cameras, no sources
    cards = drifting_sample.cards
    _, result = _ingest_and_sync(session_copy, cards / "cam-a", cards / "cam-b", cards / "recorder")
    placed = {p.camera: p for p in result.placements}
    assert placed["recorder"].method == "reference" and placed["recorder"].drift_corrected
    assert placed["recorder"].drift_ppm == pytest.approx(100.0, abs=30.0)
    assert placed["cam-b"].offset_s == pytest.approx(
        drifting_sample.truth.devices[2].offset, abs=FRAME
    )


def test_sync_before_ingest_says_what_to_do(session_copy) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "sync", str(session_copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3 and "capture ingest" in result.stderr


def test_silent_camera_by_creation_time_and_unrelated_sound_flagged(
    drifting_sample, session_copy, tmp_path
):
    camera_a = next(d for d in drifting_sample.truth.devices if d.camera == "A")
    from datetime import datetime, timedelta

    created = datetime.fromisoformat(camera_a.creation_time) + timedelta(seconds=4)
    mute = tmp_path / "cam-c" / "C0001.MP4"
    mute.parent.mkdir()
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x90:rate=25:duration=3",
        "-c:v",
        "libx264",
        "-metadata",
        f"creation_time={created.isoformat()}Z",
        mute,
    )
    stranger = tmp_path / "cam-d" / "D0001.MP4"
    stranger.parent.mkdir()
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x90:rate=25:duration=6",
        "-f",
        "lavfi",
        "-i",
        "anoisesrc=color=brown:duration=6:seed=7",
        "-c:v",
        "libx264",
        "-c:a",
        "aac",
        stranger,
    )
    timecoded = tmp_path / "cam-e" / "E0001.MP4"
    timecoded.parent.mkdir()
    # a timecode and a creation time that disagree by seconds: the timecode wins
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x90:rate=25:duration=3",
        "-c:v",
        "libx264",
        "-timecode",
        _later_timecode(camera_a_timecode(drifting_sample), 2.48),
        "-metadata",
        f"creation_time={(created + timedelta(seconds=30)).isoformat()}Z",
        timecoded,
    )
    _, result = _ingest_and_sync(session_copy, mute.parent, stranger.parent, timecoded.parent)
    placed = {p.camera: p for p in result.placements}
    a = placed["A"]
    assert placed["cam-e"].method == "timecode"
    assert placed["cam-e"].offset_s == pytest.approx(a.offset_s + 2.48, abs=0.001)
    assert placed["cam-c"].method == "creation_time"
    assert placed["cam-c"].offset_s == pytest.approx(a.offset_s + 4.0, abs=0.01)
    assert any("creation time" in p for p in placed["cam-c"].problems)
    assert placed["cam-d"].offset_s is None and placed["cam-d"].method == "none"
    assert any("uncertain" in p or "no overlap" in p for p in placed["cam-d"].problems)


def camera_a_timecode(sample: SampleResult) -> str:
    from pipeline.core.probe import probe

    device = next(d for d in sample.truth.devices if d.camera == "A")
    return probe(sample.root / device.files[0].path, check_vfr=False).timecode


def _later_timecode(timecode: str, seconds: float, fps: int = 25) -> str:
    h, m, s, f = (int(p) for p in timecode.split(":"))
    frames = ((h * 60 + m) * 60 + s) * fps + f + round(seconds * fps)
    return (
        f"{frames // (3600 * fps):02d}:{frames // (60 * fps) % 60:02d}:"
        f"{frames // fps % 60:02d}:{frames % fps:02d}"
    )


def test_demo_rencontre_within_40_ms_and_drift_within_20_ppm(demo_sample) -> None:
    _, result = _ingest_and_sync(demo_sample.session)
    for device in demo_sample.truth.devices:
        (placed,) = [p for p in result.placements if p.camera == device.camera]
        assert placed.offset_s == pytest.approx(device.offset, abs=0.040), device.camera
    (recorder,) = [p for p in result.placements if p.camera == "recorder"]
    assert recorder.drift_ppm == pytest.approx(80.0, abs=20.0)
