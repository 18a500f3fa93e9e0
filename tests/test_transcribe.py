"""Transcription of the sample Rencontre with the real base model (faster-whisper)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import InterruptAfter

from pipeline.session.artifacts.transcript import Segment, Word
from pipeline.transcription.guards import clean_segment, collapse_repetitions
from pipeline.transcription.run import chunk_bounds, run_transcribe

START_TOLERANCE_MS = 300


@pytest.mark.slow
def test_words_on_the_session_clock_and_nothing_in_silence(tiny_sample, ingested) -> None:
    transcript = run_transcribe(ingested)
    truth = tiny_sample.truth
    assert transcript.language == "fr" and transcript.source.recording.startswith("recorder/")
    starts = [s.words[0].start_ms for s in transcript.segments]
    for line in truth.script:
        nearest = min(starts, key=lambda ms: abs(ms - line.start * 1000))
        assert abs(nearest - line.start * 1000) <= START_TOLERANCE_MS, line.text
    quiet = [(0.0, truth.script[0].start - 0.3), *[(a, b) for a, b in truth.applause]]
    for word in transcript.words:
        for first, last in quiet:
            assert not (first * 1000 < word.start_ms < last * 1000), (word, first, last)
    folder = ingested.folder.transcript
    saved = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    assert saved["version"] == 1 and saved["parameters"]["vad"] is True
    assert (folder / "transcript.txt").read_text(encoding="utf-8").count("\n") == len(starts)
    assert "`00:00:0" in (folder / "transcript.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_killed_run_resumes_and_gives_the_same_transcript(ingested) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_transcribe(ingested, chunk_seconds=8.0, progress=InterruptAfter(9.0))
    (run_folder,) = (ingested.folder.work / "transcribe").iterdir()
    done = sorted(run_folder.glob("chunk-*.json"))
    assert 1 <= len(done) <= 2  # killed once 9 s of the ~23 s (three chunks) were done
    stamps = [p.stat().st_mtime_ns for p in done]
    resumed = run_transcribe(ingested, chunk_seconds=8.0)
    assert [p.stat().st_mtime_ns for p in done] == stamps, "finished chunks were redone"
    assert len(list(run_folder.glob("chunk-*.json"))) > len(done)
    shutil.rmtree(run_folder)
    fresh = run_transcribe(ingested, chunk_seconds=8.0)
    assert [s.model_dump() for s in resumed.segments] == [s.model_dump() for s in fresh.segments]


@pytest.mark.slow
def test_transcribe_before_ingest_says_what_to_do(tiny_sample, tmp_path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(tiny_sample.session, folder)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "transcribe", str(folder)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3 and "capture ingest" in result.stderr


def _word(text: str, start: int) -> Word:
    return Word(text=text, start_ms=start, end_ms=start + 200, probability=0.9)


def _segment(text: str, **extra) -> Segment:
    words = [_word(t, i * 300) for i, t in enumerate(text.split())]
    return Segment(start_ms=0, end_ms=words[-1].end_ms, text=text, words=words, **extra)


def test_credit_lines_and_non_speech_are_dropped() -> None:
    assert clean_segment(_segment("Sous-titres réalisés par la communauté d'Amara.org")) is None
    assert clean_segment(_segment("Merci d'avoir regardé cette vidéo")) is None
    assert clean_segment(_segment("? ?")) is None
    assert clean_segment(_segment("euh oui", no_speech_prob=0.9, avg_logprob=-1.5)) is None
    unsure = _segment("Le")
    unsure.words[0].probability = 0.01
    assert clean_segment(unsure) is None
    kept = clean_segment(_segment("Le projet alimentaire territorial"))
    assert kept is not None and kept.text == "Le projet alimentaire territorial"


def test_repetition_loops_are_cut() -> None:
    words = [_word(t, i * 100) for i, t in enumerate("merci merci merci merci merci !".split())]
    assert [w.text for w in collapse_repetitions(words)] == ["merci"] * 3 + ["!"]
    loop = "on va on va on va on va on va".split()
    kept = collapse_repetitions([_word(t, i * 100) for i, t in enumerate(loop)])
    assert [w.text for w in kept] == "on va on va on va".split()


def test_chunks_end_in_quiet_moments() -> None:
    rate = 1000
    rng = np.random.default_rng(0)
    audio = rng.standard_normal(100 * rate).astype(np.float32)
    audio[47 * rate : 48 * rate] *= 0.01  # a pause near the 50-s mark
    bounds = chunk_bounds(audio, rate, 50.0)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(audio)
    assert 47 * rate <= bounds[0][1] <= 48 * rate
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
