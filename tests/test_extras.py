"""Recordings off the session clock (a vox pop at the cocktail): cut into a film by file and
file time, transcribed like the session (real Whisper), captioned, rendered (real ffmpeg)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ffmpeg

from pipeline.core.errors import ConfigError
from pipeline.render.run import render
from pipeline.session import load_session
from pipeline.session.extras import extra_files
from pipeline.subtitles.formats import read_subtitles
from pipeline.subtitles.run import build_subtitles
from pipeline.timeline.film_plan import plan_film
from pipeline.transcription.extra_transcripts import load_extra_transcript
from pipeline.transcription.glossary import plain_text
from pipeline.transcription.run import run_transcribe

pytestmark = pytest.mark.slow

SAID = "Je viens au marché chaque samedi matin pour acheter des légumes de saison."
IN_S = 1.0
"""The clip starts 1 s into the file (the voice at 2 s) and ends 0.3 s before its end."""


def _vox_pop(path: Path, tmp: Path) -> float:
    """A magenta picture and a synthetic voice that starts speaking 2 s in; its length."""
    voice = tmp / "voice.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-s", "130", "-w", str(voice), SAID], check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", "color=c=magenta:size=320x180:rate=25", "-i", voice,
           "-filter_complex", "[1:a]adelay=2000:all=1,apad=pad_dur=1[a]", "-map", "0:v",
           "-map", "[a]", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
           path)  # fmt: skip
    args = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
            str(path)]  # fmt: skip
    probe = subprocess.run(args, capture_output=True, text=True)
    return float(probe.stdout)


@pytest.fixture(scope="module")
def vox_pop(tiny_sample, tmp_path_factory):
    """The tiny sample with a vox pop appended to its highlights, transcribed and captioned."""
    import shutil

    from pipeline.ingest.run import ingest_declared
    from pipeline.sync.run import run_sync

    folder = tiny_sample.root / "extras-session"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tiny_sample.session, folder)
    length = _vox_pop(folder / "extras" / "vox-pop.mp4", tmp_path_factory.mktemp("voice"))
    cues = folder / "cues" / "highlights.yaml"
    data = yaml.safe_load(cues.read_text(encoding="utf-8"))
    data["clips"].append({"file": "extras/vox-pop.mp4", "in": IN_S, "out": round(length - 0.3, 3)})
    cues.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_session(folder)
    ingest_declared(loaded)
    run_sync(loaded)
    run_transcribe(loaded)
    build_subtitles(loaded)
    return loaded, length


def test_the_vox_pop_is_transcribed_on_its_own_clock(vox_pop) -> None:
    loaded, length = vox_pop
    (extra,) = extra_files(loaded)
    transcript = load_extra_transcript(loaded, extra)
    assert transcript is not None and transcript.source.recording == "extras/vox-pop.mp4"
    heard = plain_text(" ".join(w.text for w in transcript.words))
    said = plain_text(SAID).split()
    assert sum(word in heard.split() for word in said) >= len(said) // 2, heard
    assert all(1800 <= w.start_ms and w.end_ms <= length * 1000 + 100 for w in transcript.words)


def test_the_vox_pop_is_cut_in_by_file_time_and_captioned_at_its_words(vox_pop) -> None:
    loaded, length = vox_pop
    plan = plan_film(loaded, "highlights")
    assert plan is not None and plan.clips[-1].file == "extras/vox-pop.mp4"
    span = plan.timemap.spans[-1]
    (extra,) = extra_files(loaded)
    assert extra.to_file(span.session_start_ms) == pytest.approx(IN_S * 1000, abs=40)
    transcript = load_extra_transcript(loaded, extra)
    cues = read_subtitles(loaded.folder.film_subtitles("highlights", "srt"))
    clip_start = span.output_start_ms
    clip_end = clip_start + span.session_end_ms - span.session_start_ms
    inside = [c for c in cues if c.start_ms >= clip_start - 40 and c.end_ms <= clip_end + 40]
    assert inside, "the vox pop is captioned"
    # a known word: where the file says it, the film shows it in a caption
    word = max((w for w in transcript.words if len(plain_text(w.text)) > 4),
               key=lambda w: len(w.text))  # fmt: skip
    on_film = clip_start + (extra.to_session(word.start_ms) - span.session_start_ms)
    showing = [c for c in inside if c.start_ms - 300 <= on_film <= c.end_ms + 300]
    assert showing and plain_text(word.text) in plain_text(" ".join(showing[0].lines))


def test_the_film_shows_and_plays_the_vox_pop(vox_pop, tmp_path) -> None:
    loaded, _ = vox_pop
    result = render(loaded, "highlights")
    assert result.editorial_error is None, "the cut exported for editing software too"
    otio_text = (loaded.folder.renders / "highlights.otio").read_text(encoding="utf-8")
    assert "vox-pop.mp4" in otio_text
    plan = plan_film(loaded, "highlights")
    span = plan.timemap.spans[-1]
    middle = (span.output_start_ms + (span.session_end_ms - span.session_start_ms) / 2) / 1000
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{middle:.2f}", "-i",
                          str(result.output), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
                          "rgb24", "-"], capture_output=True, check=True).stdout  # fmt: skip
    red, green, blue = np.frombuffer(raw, np.uint8).reshape(-1, 3).mean(axis=0)
    assert red > 180 and blue > 180 and green < 80, "the vox pop's magenta picture"
    levels = subprocess.run(["ffmpeg", "-v", "info", "-ss", f"{middle - 0.5:.2f}", "-t", "1",
                             "-i", str(result.output), "-af", "volumedetect", "-vn", "-f",
                             "null", "-"], capture_output=True, text=True).stderr  # fmt: skip
    assert float(re.search(r"mean_volume: (-?[\d.]+) dB", levels)[1]) > -40, "its voice"


def test_a_file_outside_the_session_or_missing_is_named_at_its_line(vox_pop) -> None:
    loaded, _ = vox_pop
    cues = loaded.folder.cue_list("highlights")
    text = cues.read_text(encoding="utf-8")
    try:
        wrongs = (("../cards/elsewhere.mp4", "outside"), ("extras/absent.mp4", "not in the"))
        for wrong, said in wrongs:
            cues.write_text(text.replace("extras/vox-pop.mp4", wrong), encoding="utf-8")
            with pytest.raises(ConfigError) as refused:
                plan_film(load_session(loaded.root), "highlights")
            (problem,) = refused.value.problems
            assert problem.line is not None and said in problem.message
    finally:
        cues.write_text(text, encoding="utf-8")
