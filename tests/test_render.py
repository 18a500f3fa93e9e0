"""Rendering films from cue lists, on real media: durations, loudness, sync at every cut."""

from __future__ import annotations

import json
import re
import subprocess
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import ffmpeg

from pipeline.errors import ConfigError
from pipeline.ingest.run import plan_ingest, resolve_sources, run_ingest
from pipeline.render.run import render
from pipeline.scaffold import init_session
from pipeline.session import LoadedSession, load_session
from pipeline.sync_session import run_sync
from pipeline.timeline.build import build_timeline
from pipeline.timeline.resolve import find_quote, resolve_clips
from pipeline.transcription.transcript import Word

FRAME = 0.040


def _duration(path: Path, stream: str) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
         "stream=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out.strip())


@pytest.mark.slow
def test_films_last_their_cue_lists_at_the_web_loudness(ingested) -> None:
    for film in ("highlights", "full"):
        timeline = build_timeline(ingested, film)
        result = render(ingested, film)
        for stream in ("v:0", "a:0"):
            assert _duration(result.output, stream) == pytest.approx(
                timeline.duration_s, abs=FRAME
            ), (film, stream)
        assert result.integrated_lufs == pytest.approx(-16.0, abs=1.0)
        assert result.true_peak_dbtp <= -1.0 and result.normalization == "linear"
        report = json.loads(result.report.read_text(encoding="utf-8"))
        assert report["loudness"]["pass_two"] == "linear"
        assert all(s["hash"] for c in report["clips"] for s in c["video"] + c["audio"])
        assert len(report["time_map"]) == len(timeline.clips)
    # the full version switches to camera B, whose recording is two chapter files
    full = build_timeline(ingested, "full")
    assert [c.camera for c in full.clips] == ["A", "B"]
    preview = render(ingested, "highlights", preview=True)
    assert preview.output.name == "highlights.preview.mp4"
    highlights = build_timeline(ingested, "highlights")
    assert _duration(preview.output, "v:0") == pytest.approx(highlights.duration_s, abs=FRAME)


def _flash_and_beep_card(folder: Path) -> Path:
    """A camera file: black picture with white flashes and beeps, both at exactly 2.0 and
    4.0 s."""
    card = folder / "cards" / "cam"
    card.mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "color=black:size=320x180:rate=25:duration=5",
           "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=5",
           "-filter_complex",
           "[0:v]drawbox=color=white:t=fill:enable='between(t,2,2.07)+between(t,4,4.07)'[v];"
           "[1:a]volume=enable='not(between(t,2,2.1)+between(t,4,4.1))':volume=0[a]",
           "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-g", "50", "-c:a", "aac", card / "C0001.MP4")  # fmt: skip
    return card


def _gray_frames(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray",
         "-s", "32x18", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18 * 32).mean(axis=1)


def _sound(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "48000", "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4")


def _one_camera_session(tmp_path: Path, cues: str, speakers: str = "[]") -> LoadedSession:
    card = _flash_and_beep_card(tmp_path)
    loaded = init_session(tmp_path / "s", title="Synchro", date=date(2026, 3, 12))
    yaml_file = loaded.layout.session_file
    text = yaml_file.read_text(encoding="utf-8")
    text = text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}")
    text = text.replace("speakers: []", f"speakers: {speakers}")
    yaml_file.write_text(text, encoding="utf-8")
    (loaded.layout.cues / "highlights.yaml").write_text(cues, encoding="utf-8")
    loaded = load_session(loaded.root)
    run_ingest(loaded, plan_ingest(loaded, resolve_sources(loaded, [], [])))
    run_sync(loaded)
    return loaded


@pytest.mark.slow
def test_picture_and_sound_stay_together_at_every_cut(tmp_path: Path) -> None:
    loaded = _one_camera_session(
        tmp_path, "clips:\n  - {in: 1.0, out: 3.0, camera: A}\n  - {in: '00:00:03:10', out: 4.6}\n"
    )
    result = render(loaded, "highlights")
    # flashes and beeps at session 2.0 s and 4.0 s land at 1.0 s and 2.0 + 0.6 = 2.6 s
    bright = np.flatnonzero(_gray_frames(result.output) > 128)
    flashes = [bright[0], *bright[1:][np.diff(bright) > 1]]
    assert [round(f * FRAME, 2) for f in flashes] == [1.0, 2.6]
    loud = np.flatnonzero(np.abs(_sound(result.output)) > 0.05)
    beeps = [loud[0], *loud[1:][np.diff(loud) > 4800]]
    assert [b / 48000 for b in beeps] == pytest.approx([1.0, 2.6], abs=FRAME)


HOSTILE = "%{localtime} 'a:b' \\\\x [x]; /text=/etc/passwd %{pts}"


@pytest.mark.slow
def test_hostile_names_are_drawn_as_written(tmp_path: Path) -> None:
    """Text from session.yaml reaches drawtext as a file with expansion off: "%{localtime}"
    drawn literally gives the same picture at any time of day."""
    speakers = json.dumps([{"name": HOSTILE, "role": HOSTILE}])
    loaded = _one_camera_session(
        tmp_path,
        "clips:\n  - {in: 0.0, out: 1.0}\n"
        f"lower_thirds:\n  - {{at: 0.0, speaker: {json.dumps(HOSTILE)}, duration: 1}}\n",
        speakers,
    )
    first = _gray_frames(render(loaded, "highlights", preview=True).output)
    time.sleep(1.2)
    second = _gray_frames(render(loaded, "highlights", preview=True).output)
    assert np.array_equal(first, second), "the text changed with the time: it was expanded"
    (loaded.layout.cues / "highlights.yaml").write_text("clips:\n  - {in: 0.0, out: 1.0}\n")
    plain = _gray_frames(render(loaded, "highlights", preview=True).output)
    assert not np.array_equal(first, plain), "the lower third was drawn"


def _words(*texts: str) -> list[Word]:
    return [Word(text=t, start_ms=i * 500, end_ms=i * 500 + 400, probability=0.9)
            for i, t in enumerate(texts)]  # fmt: skip


def test_quotes_are_found_tolerantly_and_ambiguity_is_explained() -> None:
    words = _words("Le", "projet", "alimentaire", "territorial,", "le", "PAT,", "fixe",
                   "un", "objectif.", "Le", "projet", "avance.")  # fmt: skip
    assert find_quote("projet alimentaire territoriale", words) == (1, 4)  # case, accents, typo
    assert find_quote("LE PAT FIXE UN OBJECTIF", words) == (4, 9)
    with pytest.raises(ValueError, match=r"several places: 00:00:00,000 .*00:00:04,500"):
        find_quote("le projet", words)
    with pytest.raises(ValueError, match=r"not found.*closest: 00:00:0"):
        find_quote("la ferme des trois rivières", words)


@pytest.mark.slow
def test_clips_given_by_quotes_resolve_on_the_sample(ingested) -> None:
    from pipeline.transcription.run import run_transcribe

    words = run_transcribe(ingested).words
    quote = " ".join(w.text for w in words[2:6]).upper().replace(",", "")
    end_quote = " ".join(w.text for w in words[8:10])
    cue_file = ingested.layout.cues / "highlights.yaml"
    cue_file.write_text(
        f"clips:\n  - from: {json.dumps(quote)}\n    to: {json.dumps(end_quote)}\n"
        '  - {from: "des mots que personne n\'a dits ce soir-là", out: 20.0}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(ingested, "highlights")
    (problem,) = caught.value.problems
    assert problem.line == 4 and "not found" in problem.message and "closest" in problem.message
    cue_file.write_text(
        f"clips:\n  - from: {json.dumps(quote)}\n    to: {json.dumps(end_quote)}\n",
        encoding="utf-8",
    )
    (clip,) = resolve_clips(ingested, "highlights")
    assert clip.in_ms == pytest.approx(words[2].start_ms - 80, abs=40)
    assert clip.out_ms == pytest.approx(words[9].end_ms + 80, abs=40)


def test_every_cue_list_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    loaded = init_session(tmp_path / "s", title="Erreurs", date=date(2026, 3, 12))
    (loaded.layout.cues / "full.yaml").write_text(
        "clips:\n"
        "  - {in: 12:61:00, out: 13.0}\n"
        "  - {in: 20.0, out: 15.0}\n"
        "  - {in: 1.0, from: bonsoir, out: 2.0}\n"
        "  - {in: 30.0, out: 31.0, camra: A}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(loaded, "full")
    found = [(p.line, p.message) for p in caught.value.problems]
    assert [line for line, _ in found] == [2, 3, 4, 5]
    assert "is not a time" in found[0][1] and "out must come after in" in found[1][1]
    assert "not both" in found[2][1] and "camra" in found[3][1]
    (loaded.layout.cues / "full.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 5.0}\n  - {in: 4.0, out: 6.0}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="clips 1 and 2 overlap"):
        build_timeline(loaded, "full")


def _phone_card(folder: Path) -> Path:
    """An upright phone: HEVC, variable frame rate (30 then 15 fps), a quarter-turn display
    matrix; flash and beep at 2.0 s."""
    card = folder / "cards" / "phone"
    card.mkdir(parents=True)
    plain = folder / "phone-plain.mov"
    ffmpeg("-f", "lavfi", "-i", "color=0x404040:size=320x180:rate=30:duration=5",
           "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=5",
           "-filter_complex",
           "[0:v]setpts='if(lt(N,45),N/30,1.5+(N-45)/15)/TB',"
           "drawbox=color=white:t=fill:enable='between(t,2,2.07)'[v];"
           "[1:a]volume=enable='not(between(t,2,2.1))':volume=0[a]",
           "-map", "[v]", "-map", "[a]", "-fps_mode", "vfr", "-c:v", "libx265",
           "-x265-params", "log-level=none", "-c:a", "aac", "-t", "5", plain)  # fmt: skip
    ffmpeg("-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", card / "IMG_0001.MOV")
    return card


def _broadcast_card(folder: Path) -> Path:
    """1080i50 H.264 in MPEG-TS (top field first, a keyframe every 12 frames as AVCHD
    camcorders write them); flash and beep at 4.0 s."""
    card = folder / "cards" / "broadcast"
    card.mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "color=0x404040:size=1920x1080:rate=50:duration=5",
           "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=5",
           "-filter_complex",
           "[0:v]drawbox=color=white:t=fill:enable='between(t,4,4.07)',"
           "tinterlace=interleave_top,fieldorder=tff[v];"
           "[1:a]volume=enable='not(between(t,4,4.1))':volume=0[a]",
           "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "12", "-flags", "+ildct+ilme", "-x264opts", "tff=1", "-c:a", "aac",
           card / "00001.MTS")  # fmt: skip
    return card


@pytest.mark.slow
def test_rotated_vfr_phone_and_interlaced_broadcast_come_out_upright_progressive_in_sync(
    tmp_path: Path,
) -> None:
    phone, broadcast = _phone_card(tmp_path), _broadcast_card(tmp_path)
    loaded = init_session(tmp_path / "s", title="Sources", date=date(2026, 3, 12))
    yaml_file = loaded.layout.session_file
    text = yaml_file.read_text(encoding="utf-8")
    start = text.index("cameras:")
    end = text.index("sources: []")
    text = (
        text[:start]
        + (
            "cameras:\n  - {name: P, role: close, offset: 0}\n"
            "  - {name: I, role: wide, offset: 0}\n"
            f"sources:\n  - {{path: {phone}, camera: P}}\n  - {{path: {broadcast}, camera: I}}\n"
        )
        + text[end + len("sources: []") :]
    )
    yaml_file.write_text(text, encoding="utf-8")
    (loaded.layout.cues / "highlights.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 3.0, camera: P}\n  - {in: 3.6, out: 4.6, camera: I}\n",
        encoding="utf-8",
    )
    loaded = load_session(loaded.root)
    run_ingest(loaded, plan_ingest(loaded, resolve_sources(loaded, [], [])))
    run_sync(loaded)
    result = render(loaded, "highlights")
    assert _duration(result.output, "v:0") == pytest.approx(3.0, abs=FRAME)
    # in sync on both sides of the cut: flashes (and beeps) at 1.0 s and 2.0 + 0.4 = 2.4 s
    # (dark grey pictures, 64; the phone's flash lights the pillarboxed third of the frame)
    bright = np.flatnonzero(_gray_frames(result.output) > 75)
    flashes = [bright[0], *bright[1:][np.diff(bright) > 1]]
    # ± 1 frame: the phone's 15-fps frame nearest 2.0 s is at 2.033 s
    assert [f * FRAME for f in flashes] == pytest.approx([1.0, 2.4], abs=FRAME + 1e-6)
    loud = np.flatnonzero(np.abs(_sound(result.output)) > 0.05)
    beeps = [loud[0], *loud[1:][np.diff(loud) > 4800]]
    assert [b / 48000 for b in beeps] == pytest.approx([1.0, 2.4], abs=FRAME)
    # upright: the portrait phone picture is pillarboxed in the 16:9 film
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", "0.5", "-i", str(result.output), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-s", "160x90", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frame = np.frombuffer(raw, dtype=np.uint8).reshape(90, 160)
    assert frame[:, :40].max() < 30 and frame[:, -40:].max() < 30 and frame[:, 60:100].mean() > 40
    # progressive: idet finds no interlaced frame in the broadcast part
    idet = subprocess.run(
        ["ffmpeg", "-v", "info", "-ss", "2.0", "-i", str(result.output), "-vf", "idet",
         "-an", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    multi = re.search(
        r"Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)", idet
    )
    assert multi and int(multi[1]) + int(multi[2]) == 0 and int(multi[3]) > 10
