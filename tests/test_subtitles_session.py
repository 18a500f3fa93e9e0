"""Subtitles of a session: the review round trip and burn-in, on real media."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import ffmpeg

from pipeline.core.errors import CaptureError
from pipeline.core.timecode import clock
from pipeline.orchestrate.status import session_status
from pipeline.session import LoadedSession
from pipeline.subtitles.burn import burn_subtitles
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.film_cues import clear_of
from pipeline.subtitles.formats import VTT_LINE, read_subtitles, to_srt, to_vtt
from pipeline.subtitles.run import build_subtitles, import_reviewed, write_review_package
from pipeline.timeline.build import build_timeline
from pipeline.timeline.film_plan import resolve_clips
from pipeline.timeline.lower_thirds import LowerThirdOnFilm
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
    stored = loaded.folder.reviewed_subtitles.read_bytes()

    run_transcribe(loaded)  # the reviewer's file must survive every re-run
    again = build_subtitles(loaded)
    assert again.reviewed and loaded.folder.reviewed_subtitles.read_bytes() == stored
    highlights = loaded.folder.film_subtitles("highlights", "srt").read_text(encoding="utf-8")
    # where the renderer puts that moment (after the title card)
    expected_start = clock(
        build_timeline(loaded, "highlights").timemap.spans[0].to_output(cue.start_ms + 100)
    )
    assert f"{expected_start} --> " in highlights
    assert edited_line in highlights.split(f"{expected_start} --> ")[1].split("\n\n")[0]
    assert "Modifié" in loaded.folder.film_subtitles("full", "vtt").read_text(encoding="utf-8")
    assert "Modifié" in (loaded.folder.transcript / "reviewed.txt").read_text(encoding="utf-8")
    status = session_status(loaded).subtitles
    assert status.reviewed and status.changed_cues == 1 and status.films == ["full", "highlights"]

    film_file = tmp_path / "highlights-by-mistake.srt"
    shutil.copy(loaded.folder.film_subtitles("highlights", "srt"), film_file)
    with pytest.raises(CaptureError, match="does not look like the review file"):
        import_reviewed(loaded, film_file)
    assert loaded.folder.reviewed_subtitles.read_bytes() == stored
    import_reviewed(loaded, reviewer_file)  # a second round keeps the first master
    assert len(list((loaded.folder.review_record.parent / "history").glob("master-*.srt"))) == 1


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


def test_braces_in_a_burnt_in_cue_are_drawn_as_braces(tmp_path: Path) -> None:
    """ "%{localtime}" came out as "%(localtime)"; unescaped, libass reads "{...}" as an
    override block and draws nothing of it."""
    video = tmp_path / "black.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=black:size=480x180:rate=25:duration=3",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", video)  # fmt: skip
    out = tmp_path / "burnt.mp4"
    cues = [Cue(0, 1000, ("%{localtime}",)), Cue(1000, 2000, ("%(localtime)",)),
            Cue(2000, 3000, ("%",))]  # fmt: skip
    burn_subtitles(video, cues, out)
    braces, parentheses, alone = (_frame_gray(out, t, 480, 180) > 128 for t in (0.5, 1.5, 2.5))
    assert braces.sum() > 3 * alone.sum(), "the text inside the braces is drawn"
    assert (braces != parentheses).sum() > 20, "braces are not drawn as parentheses"


def test_a_reviewed_file_that_is_not_one_is_refused_with_its_name(ingested, tmp_path) -> None:
    """/dev/zero grew to 24 GB; a directory or a missing path was an internal error; a
    20-MB cue became the master; a cue at 99:00:18 was imported without a word."""
    import sys

    root = str(ingested.root)
    folder = tmp_path / "a-folder.srt"
    folder.mkdir()
    huge = tmp_path / "huge.srt"
    huge.write_text("1\n00:00:01,000 --> 00:00:03,000\n" + "mot " * 600_000 + "\n")
    one_long = tmp_path / "long.srt"
    one_long.write_text("1\n00:00:01,000 --> 00:00:03,000\n" + "mot " * 200 + "\n")
    late = tmp_path / "late.srt"
    late.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nBonsoir\n\n2\n99:00:18,000 --> 99:00:19,000\nOui\n"
    )
    expected = {
        "/dev/zero": "not a regular file",
        str(folder): "not a regular file",
        str(tmp_path / "missing.srt"): "no such file",
        str(huge): "too large for subtitles",
        str(one_long): "long.srt:2: the cue holds 799 characters",
        str(late): "cue 2 starts at 99:00:18,000, after the session's recordings end",
    }
    for path, message in expected.items():
        command = [sys.executable, "-m", "pipeline", "subtitles", "import", root, path]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 3, (path, result.stderr)
        assert message in " ".join(result.stderr.split()), (path, result.stderr)
        assert "internal error" not in result.stderr
    assert not ingested.folder.reviewed_subtitles.exists()


def test_a_caption_shown_with_a_lower_third_goes_above_it(tmp_path: Path) -> None:
    """Captions and a lower third both sit at the bottom: while the lower third is on
    screen, the captions go above it (WebVTT, burnt in; SRT to the top), the others stay."""
    lower_third = LowerThirdOnFilm(1.0, 3.0, "Nadia Benali", "géographe", 0)
    assert 0.12 < lower_third.top < 0.35
    cues = [Cue(0, 700, ("Avant",)), Cue(800, 1500, ("Pendant",)), Cue(3000, 4000, ("Après",))]
    placed = clear_of([lower_third], cues)
    assert [cue.clear_above for cue in placed] == [None, lower_third.top, None]
    vtt = tmp_path / "film.vtt"
    vtt.write_text(to_vtt(placed), encoding="utf-8")
    (line,) = re.findall(r"00:00:00.800 --> 00:00:01.500 line:-(\d+)\n", vtt.read_text())
    assert int(line) * VTT_LINE > lower_third.top + VTT_LINE  # a browser line to spare
    assert vtt.read_text(encoding="utf-8").count(" line:") == 1
    assert [cue.text for cue in read_subtitles(vtt)] == ["Avant", "Pendant", "Après"]
    assert "{\\an8}Pendant" in to_srt(placed) and "{\\an8}Avant" not in to_srt(placed)

    video = tmp_path / "black.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=black:size=320x180:rate=25:duration=2",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", video)  # fmt: skip
    out = tmp_path / "burnt.mp4"
    raised = replace(Cue(0, 2000, ("Bonsoir {à} toutes", "et à tous")), clear_above=0.3)
    burn_subtitles(video, [raised], out)
    ys, xs = np.nonzero(_frame_gray(out, 1.0, 320, 180) > 128)
    assert len(xs) > 100, "the text is drawn"
    assert 0.1 * 180 <= ys.min() and ys.max() <= (1 - 0.3) * 180  # above what it clears
    assert ys.max() >= (1 - 0.3 - 0.1) * 180  # just above it, not at the top
