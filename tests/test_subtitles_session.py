"""Subtitles of a session: the review round trip and burn-in, on real media."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ffmpeg

from pipeline.errors import CaptureError
from pipeline.session import LoadedSession
from pipeline.status import session_status
from pipeline.subtitles.burn import burn_subtitles
from pipeline.subtitles.cues import Cue, clock
from pipeline.subtitles.formats import read_subtitles, to_srt
from pipeline.subtitles.run import build_subtitles, import_reviewed, paths, write_review_package
from pipeline.timeline.build import build_timeline
from pipeline.timeline.resolve import resolve_clips
from pipeline.transcription.run import run_transcribe


@pytest.fixture
def transcribed(ingested: LoadedSession) -> LoadedSession:
    run_transcribe(ingested)
    return ingested


@pytest.mark.slow
def test_a_reviewers_edit_survives_reruns_and_reaches_the_highlights(transcribed, tmp_path):
    loaded = transcribed
    first = build_subtitles(loaded)
    assert not first.reviewed and [v for v in first.violations if v.hard] == []
    assert set(first.films) == {"full", "highlights"}
    # a clip cut tight after fast speech may only flag a cue for the reviewer to condense
    assert [str(v) for v in first.films["highlights"] if v.hard] == []

    srt, sheet = write_review_package(loaded)
    assert 'lang="fr"' in sheet.read_text(encoding="utf-8")
    master = read_subtitles(srt)
    clip = resolve_clips(loaded, "highlights")[0]
    index, cue = next(
        (i, c)
        for i, c in enumerate(master)
        if clip.in_ms <= c.start_ms and c.end_ms - 0.1 * c.duration_ms <= clip.out_ms
    )  # a cue the clip holds (almost) whole
    edited_line = "Modifié " + cue.lines[0].split(" ", 1)[1]
    master[index] = Cue(cue.start_ms + 100, cue.end_ms, (edited_line, *cue.lines[1:]))
    reviewer_file = tmp_path / "relu.srt"
    reviewer_file.write_text(to_srt(master), encoding="utf-8")

    report = import_reviewed(loaded, reviewer_file)
    assert report.record.human_reviewed and report.record.changed == 1
    stored = paths(loaded).reviewed.read_bytes()

    run_transcribe(loaded)  # the reviewer's file must survive every re-run
    again = build_subtitles(loaded)
    assert again.reviewed and paths(loaded).reviewed.read_bytes() == stored
    highlights = paths(loaded).timeline("highlights", "srt").read_text(encoding="utf-8")
    # where the renderer puts that moment (after the title card)
    expected_start = clock(
        build_timeline(loaded, "highlights").timemap.spans[0].to_output(cue.start_ms + 100)
    )
    assert f"{expected_start} --> " in highlights
    assert edited_line in highlights.split(f"{expected_start} --> ")[1].split("\n\n")[0]
    assert "Modifié" in paths(loaded).timeline("full", "vtt").read_text(encoding="utf-8")
    assert "Modifié" in (loaded.layout.transcript / "reviewed.txt").read_text(encoding="utf-8")
    status = session_status(loaded).subtitles
    assert status.reviewed and status.changed_cues == 1 and status.films == ["full", "highlights"]

    film_file = tmp_path / "highlights-by-mistake.srt"
    shutil.copy(paths(loaded).timeline("highlights", "srt"), film_file)
    with pytest.raises(CaptureError, match="does not look like the review file"):
        import_reviewed(loaded, film_file)
    assert paths(loaded).reviewed.read_bytes() == stored
    import_reviewed(loaded, reviewer_file)  # a second round keeps the first master
    assert len(list((paths(loaded).reviewed.parent / "history").glob("master-*.srt"))) == 1


def _frame_gray(video: Path, at: float, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width)


def test_burnt_in_subtitles_are_legible_and_title_safe(tmp_path: Path) -> None:
    video = tmp_path / "black.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=black:size=320x180:rate=25:duration=2",
           "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", video)  # fmt: skip
    out = tmp_path / "burnt.mp4"
    # an ASS override in someone's text must not move the subtitle to the top
    burn_subtitles(video, [Cue(0, 2000, ("{\\an8}Bonsoir à toutes", "et à tous"))], out)
    frame = _frame_gray(out, 1.0, 320, 180)
    ys, xs = np.nonzero(frame > 128)
    assert len(xs) > 200, "the text is drawn"
    assert xs.min() >= 0.1 * 320 and xs.max() <= 0.9 * 320  # inside the title-safe area
    assert ys.max() <= 0.9 * 180 and ys.min() >= 0.5 * 180  # in the lower half, above 10 %
    text_height = ys.max() - ys.min()
    assert 0.08 * 180 <= text_height <= 0.3 * 180  # two lines, legible at this size
    assert _frame_gray(video, 1.0, 320, 180).max() < 40  # the source stays black
