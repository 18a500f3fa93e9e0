"""The sample Rencontre matches its truth.json: probed durations, audio offsets, script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.core.probe import probe
from pipeline.samples.generate import SampleResult, generate_sample
from pipeline.samples.script import TINY_SCRIPT
from pipeline.samples.session_files import cue_lists, sample_session
from pipeline.session import load_session
from pipeline.session.cuelist import load_cue_list

pytestmark = pytest.mark.slow
FRAME = 0.04
RATE = 16000


def _pcm(path: Path) -> np.ndarray:
    """Decode with bare ffmpeg (independent of the code under test) to mono 8 kHz floats."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE),
         "-f", "f32le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4")


def _offset(reference: np.ndarray, part: np.ndarray) -> float:
    """Seconds into ``reference`` where ``part`` starts (GCC-PHAT cross-correlation: whitened,
    so the pitch periods of voiced speech do not make the peak hop between periods)."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(part))))
    spectrum = np.fft.rfft(reference, n) * np.conj(np.fft.rfft(part, n))
    correlation = np.fft.irfft(spectrum / (np.abs(spectrum) + 1e-12), n)
    return int(np.argmax(correlation[: len(reference)])) / RATE


def test_files_match_truth_durations(tiny_sample: SampleResult) -> None:
    truth = json.loads(tiny_sample.truth_file.read_text(encoding="utf-8"))
    assert truth["size"] == "tiny" and truth["session_duration"] < 25
    for device in truth["devices"]:
        total = 0.0
        for file in device["files"]:
            info = probe(tiny_sample.root / file["path"], check_vfr=False)
            assert info.duration == pytest.approx(file["duration"], abs=FRAME), file["path"]
            total += info.duration
            if device["role"] != "recorder":
                video = info.primary_video
                assert (video.width, video.height) == (320, 180)
                assert video.avg_frame_rate == 25 and info.creation_time is not None
        assert total == pytest.approx(device["duration"], abs=FRAME)
    chapters = next(d for d in truth["devices"] if d["camera"] == "B")["files"]
    assert [Path(c["path"]).name for c in chapters] == ["GX010042.MP4", "GX020042.MP4"]


def test_audio_offsets_match_truth_within_a_frame(tiny_sample: SampleResult) -> None:
    truth = tiny_sample.truth
    recorder = next(d for d in truth.devices if d.camera == "recorder")
    assert recorder.offset == 0.0 and recorder.drift_ppm == 80.0
    room = _pcm(tiny_sample.root / recorder.files[0].path)
    cameras = [d for d in truth.devices if d.role != "recorder"]
    assert sorted(d.offset for d in cameras)[0] > 0 and cameras[1].offset > cameras[0].offset + 2
    for device in cameras:
        for file in device.files:
            found = _offset(room, _pcm(tiny_sample.root / file.path))
            assert found == pytest.approx(device.offset + file.start, abs=FRAME), file.path


def test_script_and_session_are_ready_for_the_next_stages(tiny_sample: SampleResult) -> None:
    truth = tiny_sample.truth
    assert [line.text for line in truth.script] == [line.text for line in TINY_SCRIPT]
    starts = [line.start for line in truth.script]
    assert starts == sorted(starts)
    camera_a = next(d for d in truth.devices if d.camera == "A")
    assert camera_a.offset < starts[0] and truth.script[-1].end < truth.session_duration
    assert all(line.end - line.start > 1.0 for line in truth.script)
    assert {line.speaker for line in truth.script} == {"facilitator", "gardener", "geographer",
                                                        "room"}  # fmt: skip
    assert len(truth.applause) == 1
    session = load_session(tiny_sample.session).session
    assert [s.camera for s in session.sources] == ["A", "B", "recorder"]
    assert {"PAT", "AMAP"} <= set(session.glossary.acronyms)
    for source, path in load_session(tiny_sample.session).source_paths():
        assert path.is_dir(), source
    # written through the models: what is read back is what the generator built
    loaded = load_session(tiny_sample.session)
    assert loaded.session == sample_session()
    for name, built in zip(("full", "highlights"), cue_lists(truth), strict=True):
        read = load_cue_list(loaded, name)
        assert read is not None and read.model_dump() == built.model_dump()


def test_recorder_clock_drift_is_really_in_the_file(tmp_path: Path) -> None:
    """500 ppm: the recorder's file is longer, and camera A's sound falls steadily behind it."""
    drift = 500.0
    sample = generate_sample(tmp_path, tiny=True, drift_ppm=drift)
    recorder = next(d for d in sample.truth.devices if d.camera == "recorder")
    camera_a = next(d for d in sample.truth.devices if d.camera == "A")
    recorded = sample.root / recorder.files[0].path
    expected_length = sample.truth.session_duration * (1 + drift * 1e-6)
    assert probe(recorded).duration == pytest.approx(expected_length, abs=2e-3)
    room, camera = _pcm(recorded), _pcm(sample.root / camera_a.files[0].path)
    # where each 1-s window of camera A lies in the recorder: (offset + t) x (1 + drift) - t
    times, lags = [], []
    for first in range(0, len(camera) - RATE, RATE // 2):
        window = camera[first : first + RATE]
        if np.sqrt(np.mean(window**2)) > 0.02:  # speech or applause, not room tone
            times.append(first / RATE)
            lags.append(_offset(room, window) - first / RATE)
    t, lag = np.array(times), np.array(lags)
    keep = np.abs(lag - np.median(lag)) < 0.02  # drop windows matched to the wrong place
    slope, intercept = np.polyfit(t[keep], lag[keep], 1)
    assert keep.sum() >= 12
    assert slope * 1e6 == pytest.approx(drift, rel=0.2)
    assert intercept == pytest.approx(camera_a.offset * (1 + drift * 1e-6), abs=FRAME)


def test_generation_is_deterministic_and_refuses_to_overwrite(tiny_sample, tmp_path) -> None:
    again = generate_sample(tmp_path, tiny=True)
    assert again.truth_file.read_bytes() == tiny_sample.truth_file.read_bytes()
    wav = "cards/recorder/ZOOM0001/ZOOM0001_LR.WAV"
    assert (tmp_path / wav).read_bytes() == (tiny_sample.root / wav).read_bytes()
    result = subprocess.run([sys.executable, "-m", "pipeline", "samples", str(tmp_path), "--tiny"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 3 and "--force" in result.stderr
    assert not list(tmp_path.glob(".capture-samples-*"))


def test_force_never_deletes_folders_that_are_not_a_sample(tmp_path: Path) -> None:
    real_card = tmp_path / "cards" / "CAM_A" / "C0001.MP4"
    real_card.parent.mkdir(parents=True)
    real_card.write_bytes(b"precious")
    result = subprocess.run([sys.executable, "-m", "pipeline", "samples", str(tmp_path), "--tiny",
                             "--force"], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 3 and "no truth.json" in result.stderr
    assert real_card.read_bytes() == b"precious"


def test_a_sample_cycle_has_two_rencontres_a_closing_session_and_its_site(tmp_path) -> None:
    from datetime import date

    from pipeline.publish.cycle import upcoming_sessions
    from pipeline.publish.site_config import load_site_config
    from pipeline.samples.demo_cycle import generate_cycle
    from pipeline.session import load_session

    made = generate_cycle(tmp_path, tiny=True, today=date(2026, 9, 1))
    first, second = (load_session(s.session) for s in made.sessions)
    assert first.session.slug != second.session.slug
    assert first.session.facilitator == second.session.facilitator, "one facilitator, two debates"
    assert {s.name for s in first.session.speakers}.isdisjoint(
        s.name for s in second.session.speakers)  # fmt: skip
    for loaded in (first, second):  # each its own cards, found where session.yaml says
        assert all(path.is_dir() for _, path in loaded.source_paths())
    assert made.sessions[1].cards.name == "cards-se-deplacer-2040"
    config = load_site_config(tmp_path)
    assert config.legal and config.base_url and config.documents
    assert config.podcast and config.podcast.image and (tmp_path / config.podcast.image).is_file()
    upcoming = upcoming_sessions(tmp_path, {first.session.slug, second.session.slug},
                                 date(2026, 9, 1))  # fmt: skip
    assert [(u.slug, u.kind) for u in upcoming] == [("cloture-du-cycle", "closing")]
    from pipeline.session.cuelist import load_cue_list

    synthesis = load_session(tmp_path / "synthese-du-cycle")  # the cycle's film, not announced
    cues = load_cue_list(synthesis, "synthesis")
    assert not synthesis.session.cameras and cues is not None
    assert cues.sessions == {first.root.name, second.root.name}
    said = [" ".join(line.text for line in s.truth.script) for s in made.sessions]
    assert all("rencontre" in text.lower() for text in said), "a word the search finds in both"


def test_a_sample_cycle_never_replaces_a_real_cycle_s_files(tmp_path) -> None:
    from pipeline.core.errors import ConfigError
    from pipeline.samples.demo_cycle import generate_cycle

    (tmp_path / "site.yaml").write_text("title: Le vrai cycle\n", encoding="utf-8")
    for force in (False, True):  # without --force, and with it in a folder that is no sample
        with pytest.raises(ConfigError, match="site.yaml"):
            generate_cycle(tmp_path, tiny=True, force=force)
    assert (tmp_path / "site.yaml").read_text(encoding="utf-8") == "title: Le vrai cycle\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml"], "nothing made"
