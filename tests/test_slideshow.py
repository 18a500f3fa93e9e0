"""The photographer's photos as a short film (real Pillow and ffmpeg on small generated
photos): its length and size, the fades, each photo at its time, whole when portrait, the
slow zoom, the captions, and the step of ``capture run`` that makes it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ffmpeg

from pipeline.orchestrate.context import RunContext
from pipeline.orchestrate.inputs import slideshow_fingerprint, slideshow_not_needed
from pipeline.render.slideshow import FADE_S, HEIGHT, HOLD_S, WIDTH, make_slideshow
from pipeline.session import load_session

pytestmark = pytest.mark.slow


def _photos(folder: Path) -> None:
    """A white square on black (landscape), a portrait photo green with a red top and a blue
    bottom, and a plain blue landscape one."""
    photos = folder / "photos"
    photos.mkdir(exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=1200x800", "-vf",
           "drawbox=x=500:y=300:w=200:h=200:color=white:t=fill", "-frames:v", "1",
           photos / "square.jpg")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "color=c=0x00c000:size=600x900", "-vf",
           "drawbox=x=0:y=0:w=600:h=90:color=red:t=fill,"
           "drawbox=x=0:y=810:w=600:h=90:color=blue:t=fill", "-frames:v", "1",
           photos / "portrait.jpg")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "color=c=0x2040ff:size=1000x700", "-frames:v", "1",
           photos / "blue.jpg")  # fmt: skip


@pytest.fixture(scope="module")
def with_photos(tiny_sample) -> Path:
    folder = tiny_sample.root / "slideshow-session"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tiny_sample.session, folder)
    _photos(folder)
    data = yaml.safe_load((folder / "session.yaml").read_text("utf-8"))
    data["photos"] = [
        {"path": "photos/square.jpg", "caption": "Le carré", "credit": "Jeanne Photographe"},
        {"path": "photos/portrait.jpg"},
        {"path": "photos/blue.jpg", "caption": "Le ciel"},
    ]
    (folder / "session.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def _frame(path: Path, at_s: float) -> np.ndarray:
    args = ["ffmpeg", "-v", "error", "-ss", f"{at_s}", "-i", str(path), "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]  # fmt: skip
    raw = subprocess.run(args, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(HEIGHT, WIDTH, 3).astype(int)


def _square(frame: np.ndarray) -> tuple[int, float, float]:
    """The white square's width, and its centre (x, y), looked for in the middle of the
    frame (the caption's white letters are at the bottom)."""
    top, left = HEIGHT // 4, WIDTH // 4
    ys, xs = np.nonzero(frame[top : 3 * top, left : 3 * left].mean(axis=2) > 200)
    return int(xs.max() - xs.min() + 1), float(xs.mean() + left), float(ys.mean() + top)


def test_the_slideshow_shows_each_photo_in_turn_with_its_motion(with_photos: Path) -> None:
    made = make_slideshow(load_session(with_photos))
    args = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width,height:"
            "format=duration", "-of", "json", str(made.output)]  # fmt: skip
    probed = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    assert f'"width": {WIDTH}' in probed and f'"height": {HEIGHT}' in probed
    assert '"codec_type": "audio"' in probed, "a silent track, as players expect"
    assert made.duration_s == pytest.approx(3 * HOLD_S + FADE_S)
    assert float(probed.split('"duration": "')[1].split('"')[0]) == pytest.approx(
        made.duration_s, abs=0.1
    )  # fmt: skip
    assert _frame(made.output, 0.0).mean() < 12, "faded in from black"
    # the first photo: the square grows steadily (a slow zoom), and stays in the middle
    early, late = _square(_frame(made.output, 0.9)), _square(_frame(made.output, 3.8))
    growth = late[0] / early[0]
    assert 1.02 < growth < 1.07, growth
    for _, x, y in (early, late):
        assert abs(x - WIDTH / 2) < 3 and abs(y - HEIGHT / 2) < 3, (x, y)
    # the blue photo's caption band, late in its zoom, in its place well inside the frame
    late_blue = _frame(made.output, 3 * HOLD_S - 0.1)
    band_rows = np.nonzero((late_blue[:, 60:160].max(axis=2) < 110).mean(axis=1) > 0.8)[0]
    assert band_rows.size > HEIGHT * 0.08, band_rows.size
    assert HEIGHT * 0.8 < band_rows.min() and band_rows.max() < HEIGHT - 15, band_rows
    # the portrait photo, whole: its red top and blue bottom are both in the frame
    portrait = _frame(made.output, HOLD_S + HOLD_S / 2)
    column = portrait[:, WIDTH // 2]
    red = (column[:, 0] > 150) & (column[:, 1] < 80) & (column[:, 2] < 80)
    blue = (column[:, 2] > 150) & (column[:, 0] < 80)
    green = (column[:, 1] > 120) & (column[:, 0] < 80) & (column[:, 2] < 80)
    assert red[: HEIGHT // 3].any() and blue[2 * HEIGHT // 3 :].any() and green.sum() > HEIGHT / 2
    # the third photo, its caption in a dark band at the bottom left
    third = _frame(made.output, 2 * HOLD_S + HOLD_S / 2)
    assert third[HEIGHT // 2, WIDTH // 2, 2] > 200, "blue"
    band = third[int(HEIGHT * 0.86) : int(HEIGHT * 0.95), 80:160]  # where “Le ciel” is drawn
    dark = band.max(axis=2) < 110  # the band darkens the photo (blue: 254 → about 85)
    assert dark.mean() > 0.5 and (band.min(axis=2) > 200).any(), "white text on a dark band"
    bare = portrait[int(HEIGHT * 0.86) : int(HEIGHT * 0.95), 80:160]  # no caption, no credit
    assert (bare.max(axis=2) < 110).mean() < 0.1


def test_the_run_makes_it_from_two_photos_and_again_when_one_changes(with_photos: Path) -> None:
    ctx = RunContext(load_session(with_photos))
    assert slideshow_not_needed(ctx) is None
    before = slideshow_fingerprint(ctx)
    assert slideshow_fingerprint(RunContext(load_session(with_photos))) == before
    session_file = with_photos / "session.yaml"
    text = session_file.read_text("utf-8")
    try:
        session_file.write_text(text.replace("Le ciel", "Le ciel du soir"), "utf-8")
        changed = slideshow_fingerprint(RunContext(load_session(with_photos)))
        assert [k for k in changed if changed[k] != before.get(k)] == ["photos"]
        session_file.write_text(text, "utf-8")
        photo = with_photos / "photos" / "blue.jpg"  # the photographer sends a better one
        kept = photo.read_bytes()
        photo.write_bytes(kept + b"\0")
        try:
            assert slideshow_fingerprint(RunContext(load_session(with_photos))) != before
        finally:
            photo.write_bytes(kept)
        data = yaml.safe_load(text)
        data["photos"] = data["photos"][:1]
        session_file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        assert "fewer than two photos" in slideshow_not_needed(
            RunContext(load_session(with_photos))
        )
    finally:
        session_file.write_text(text, "utf-8")


def test_it_is_published_with_its_captions_unless_the_photos_changed(
    with_photos: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pipeline.publish.published_slideshow import publish_slideshow
    from pipeline.subtitles.formats import read_subtitles

    loaded = load_session(with_photos)
    if not (with_photos / "renders" / "slideshow.json").is_file():
        make_slideshow(loaded)
    published = publish_slideshow(loaded, tmp_path)
    assert published is not None and published.photos == 3
    assert (tmp_path / published.file.path).stat().st_size == published.file.bytes > 0
    cues = read_subtitles(tmp_path / published.captions.path)
    assert [c.text for c in cues] == ["Le carré · © Jeanne Photographe", "Photo 2 sur 3",
                                      "Le ciel"]  # fmt: skip
    # each from the middle of the crossfade into its photo
    assert [c.start_ms for c in cues] == [0, 4400, 8400] and HOLD_S == 4.0
    vtt = (tmp_path / published.captions.path).read_text("utf-8")
    assert vtt.count(" line:-") == 3, "each above the band the film draws itself"
    session_file = with_photos / "session.yaml"
    text = session_file.read_text("utf-8")
    try:
        session_file.write_text(text.replace("Jeanne Photographe", "Paul Photographe"), "utf-8")
        with caplog.at_level("WARNING", logger="capture.publish"):
            assert publish_slideshow(load_session(with_photos), tmp_path / "again") is None
        assert "other photos" in caplog.text, "never published crediting the wrong person"
    finally:
        session_file.write_text(text, "utf-8")


def test_a_caption_on_two_lines_and_a_single_photo(with_photos: Path) -> None:
    from pipeline.core.errors import CaptureError
    from pipeline.render.slideshow import caption_text
    from pipeline.session.model import Photo

    assert caption_text(Photo(path="a.jpg", caption="La salle\npleine", credit="J.\nP.")) == (
        "La salle pleine · © J. P."
    )  # fmt: skip
    session_file = with_photos / "session.yaml"
    text = session_file.read_text("utf-8")
    try:
        data = yaml.safe_load(text)
        data["photos"] = data["photos"][:1]
        session_file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        with pytest.raises(CaptureError, match="two or more"):
            make_slideshow(load_session(with_photos))
    finally:
        session_file.write_text(text, "utf-8")
