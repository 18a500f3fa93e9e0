"""Social clips on the tiny sample (real ffmpeg, libass and OpenCV): the formats, the face
inside the crop, the captions inside the platforms' safe zone, the loudness, and what is
made again when something changes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import script_transcript

from pipeline.core.errors import ConfigError
from pipeline.session import load_session
from pipeline.session.artifacts.transcript import write_transcript
from pipeline.social.clip import Drawn, render_clip
from pipeline.social.footage import clip_source
from pipeline.social.layout import FORMATS, ass_script
from pipeline.social.run import make_social_clips

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def social(tiny_sample):
    """The tiny sample ingested and placed on the clock, its script as the transcript, its
    quote marked for social clips, and the clips made."""
    from pipeline.ingest.run import ingest_declared
    from pipeline.sync.run import run_sync

    folder = tiny_sample.root / "social-session"  # beside the cards its sources name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tiny_sample.session, folder)
    cues = folder / "cues" / "highlights.yaml"
    text = cues.read_text(encoding="utf-8")
    assert text.count("social: false") == 1, "the tiny sample's quote is not marked"
    cues.write_text(text.replace("social: false", "social: true"), "utf-8")
    loaded = load_session(folder)
    ingest_declared(loaded)
    run_sync(loaded)
    write_transcript(script_transcript(tiny_sample.truth), loaded.folder)
    return loaded, make_social_clips(loaded)


def _probe(path: Path) -> dict:
    args = ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _loudness(path: Path) -> float:
    """Integrated loudness measured by ffmpeg's ebur128, independently of capture's code."""
    args = ["ffmpeg", "-nostats", "-i", str(path), "-map", "0:a", "-af", "ebur128", "-f", "null",
            "-"]  # fmt: skip
    run = subprocess.run(args, capture_output=True, text=True)
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", run.stderr)[-1])


def test_each_social_quote_gives_a_vertical_and_a_square_clip_at_minus_14_lufs(
    social, tiny_sample
) -> None:
    loaded, report = social
    assert [(c.format, c.width, c.height) for c in report.clips] == [
        ("9x16", 1080, 1920), ("1x1", 1080, 1080)]  # fmt: skip
    for clip in report.clips:
        info = _probe(loaded.root / clip.file)
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        assert (video["width"], video["height"]) == (clip.width, clip.height)
        assert float(info["format"]["duration"]) == pytest.approx(clip.duration_s, abs=0.1)
        assert -15.0 <= _loudness(loaded.root / clip.file) <= -13.0, "-14 ± 1 LUFS"
        poster = cv2.imread(str(loaded.root / clip.poster))
        assert poster.shape[:2] == (clip.height, clip.width)
    # the quote's words, with a breath around them, on the session clock
    words = script_transcript(tiny_sample.truth).words
    quote = report.clips[0].quote.split()
    first = next(w for i, w in enumerate(words)
                 if [x.text for x in words[i:i + len(quote)]] == quote)  # fmt: skip
    assert 0 < first.start_ms - report.clips[0].session_start_ms <= 500


def test_the_crop_holds_the_speakers_face_where_a_centred_one_would_not(social) -> None:
    loaded, report = social
    clip = report.clips[0]
    source = clip_source(loaded, clip.session_start_ms, clip.session_end_ms)
    assert source.camera == "B", "the close-up"
    cut = source.video[0]
    # the face found here, by the test itself, in a frame from the middle of the quote
    middle = f"{cut.start_s + cut.duration_s / 2:.3f}"
    args = ["ffmpeg", "-v", "error", "-ss", middle, "-i", str(cut.path), "-frames:v", "1",
            "-f", "image2pipe", "-vcodec", "png", "-"]  # fmt: skip
    frame = subprocess.run(args, capture_output=True, check=True).stdout
    image = cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_COLOR)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    faces = cascade.detectMultiScale(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), 1.1, 5)
    assert len(faces) == 1
    x, y, w, h = faces[0]
    for made in report.clips:
        crop = made.crop
        assert crop.x <= x and x + w <= crop.x + crop.width, f"{made.format}: face in the crop"
        assert crop.y <= y and y + h <= crop.y + crop.height
    vertical = report.clips[0].crop
    centred = (source.width - vertical.width) // 2
    assert not (centred <= x and x + w <= centred + vertical.width), "a centred crop misses it"


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_captions_and_name_stay_inside_the_safe_zone(social, fmt, tmp_path: Path) -> None:
    """The clip against the same clip made without captions, name or logo: what differs is
    what was drawn, and it lies inside the platform's safe zone."""
    loaded, report = social
    clip = next(c for c in report.clips if c.format == fmt.name)
    source = clip_source(loaded, clip.session_start_ms, clip.session_end_ms)
    duration_ms = clip.session_end_ms - clip.session_start_ms
    bare = tmp_path / "bare.mp4"
    ass = tmp_path / "bare.ass"
    ass.write_text(ass_script(fmt, [], None, None, duration_ms, 0), encoding="utf-8")
    from pipeline.social.framing import Box

    crop = Box(clip.crop.x, clip.crop.y, clip.crop.width, clip.crop.height)
    render_clip(source, crop, fmt, Drawn(ass, None, 0), duration_ms / 1000, bare)
    safe = fmt.safe.box(fmt.width, fmt.height)
    seen = False
    for moment in (1.0, duration_ms / 2000, duration_ms / 1000 - 1.0):
        frames = []
        for film in (loaded.root / clip.file, bare):
            raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{moment:.2f}", "-i", str(film),
                                  "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                                 capture_output=True, check=True).stdout  # fmt: skip
            frames.append(np.frombuffer(raw, np.uint8).reshape(fmt.height, fmt.width))
        drawn = np.abs(frames[0].astype(int) - frames[1].astype(int)) > 60
        ys, xs = np.nonzero(drawn)
        if len(xs) < 200:
            continue
        seen = True
        assert safe.x <= xs.min() and xs.max() < safe.x + safe.width, (xs.min(), xs.max(), safe)
        assert safe.y <= ys.min() and ys.max() < safe.y + safe.height, (ys.min(), ys.max(), safe)
    assert seen, "captions, a name and a logo were drawn"


def test_clips_are_kept_until_what_they_show_changes(social) -> None:
    loaded, report = social
    files = {c.file: (loaded.root / c.file).stat().st_mtime_ns for c in report.clips}
    again = make_social_clips(load_session(loaded.root))
    assert again == report
    assert {c.file: (loaded.root / c.file).stat().st_mtime_ns for c in again.clips} == files
    cues = loaded.folder.cue_list("highlights")
    text = cues.read_text(encoding="utf-8")
    try:
        cues.write_text(text.replace("social: true", "social: false"), encoding="utf-8")
        assert make_social_clips(load_session(loaded.root)).clips == []
        assert not list((loaded.folder.renders / "social").glob("quote-*")), "removed"
        late = re.sub(r"(?m)^- at: .*$", "- at: 900.0", text)  # after the session's end
        cues.write_text(late, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"highlights.yaml:\d+.*nothing is said around"):
            make_social_clips(load_session(loaded.root))
    finally:
        cues.write_text(text, encoding="utf-8")
    assert [c.format for c in make_social_clips(load_session(loaded.root)).clips] == [
        f.name for f in FORMATS
    ]


def test_a_quote_worded_otherwise_by_the_transcript_is_taken_from_its_moment() -> None:
    from pipeline.session.artifacts.transcript import Word
    from pipeline.social.span import LEAD_MS, TAIL_MS, quote_span

    heard = "nous cultivons quatre hectares tout par un mois de dix kilomètres voilà merci"
    words = [Word(text=t, start_ms=10_000 + 400 * i, end_ms=10_350 + 400 * i, probability=0.9)
             for i, t in enumerate(heard.split())]  # fmt: skip
    # matched: the quote's own words
    assert quote_span("nous cultivons quatre hectares", 10_000, words) == (
        10_000 - LEAD_MS, 11_550 + TAIL_MS, True)  # fmt: skip
    # misheard, a little: still found
    quote = "Nous cultivons quatre hectares. Tout part à moins de trente kilomètres."
    assert quote_span(quote, 10_000, words) == (10_000 - LEAD_MS, 14_350 + TAIL_MS, True)
    # worded otherwise: as many words as the quote has, from its moment, and said so
    quote = "Le foncier agricole est la première condition de tout circuit court ici."
    assert quote_span(quote, 10_000, words) == (10_000 - LEAD_MS, 14_750 + TAIL_MS, False)
    # words said in several places are an error, never a guess
    twice = [Word(text=t, start_ms=10_000 + 400 * i, end_ms=10_350 + 400 * i, probability=0.9)
             for i, t in enumerate("merci beaucoup bonsoir merci beaucoup".split())]  # fmt: skip
    with pytest.raises(ValueError, match="several places"):
        quote_span("merci beaucoup", 10_000, twice)


def test_a_portrait_picture_is_cropped_without_distortion() -> None:
    from pipeline.social.footage import ClipSource
    from pipeline.social.framing import Box, crop_for
    from pipeline.timeline.model import SourceCut

    cut = SourceCut(Path("phone.mp4"), 0.0, 5.0)
    phone = ClipSource("phone", (cut,), (cut,), 1080, 1920, 30.0)
    for fmt in FORMATS:
        crop = crop_for(phone, fmt.aspect, [Box(400, 300, 300, 300)])
        assert abs(crop.width / crop.height - fmt.aspect) < 0.01, fmt.name
        assert crop.x >= 0 and crop.y >= 0 and crop.x + crop.width <= 1080
        assert crop.y + crop.height <= 1920 and Box(400, 300, 300, 300).inside(crop)
