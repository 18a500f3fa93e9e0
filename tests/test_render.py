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
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.errors import ConfigError
from pipeline.ingest.run import ingest_declared
from pipeline.render.run import render
from pipeline.session import LoadedSession, load_session
from pipeline.session.artifacts.transcript import Word
from pipeline.session.scaffold import init_session
from pipeline.sync.run import run_sync
from pipeline.timeline.build import build_timeline
from pipeline.timeline.film_plan import resolve_clips
from pipeline.timeline.quotes import find_quote
from pipeline.timeline.speech import BREATH_MS

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
        clips = [item for item in report["items"] if "card" not in item]
        assert all(s["hash"] for c in clips for s in c["video"] + c["audio"])
        assert len(report["time_map"]) == len(clips) == len(timeline.clips)
        assert [i.get("card") for i in report["items"]] == [
            "title",
            *[None] * len(clips),
            "credits",
        ]
        assert [p.suffix for p in result.editorial] == [".otio", ".xml", ".edl"]
    # the full version switches to camera B, whose recording is two chapter files
    full = build_timeline(ingested, "full")
    assert [c.camera for c in full.clips] == ["A", "B"]
    preview = render(ingested, "highlights", preview=True)
    assert preview.output.name == "highlights.preview.mp4"
    highlights = build_timeline(ingested, "highlights")
    assert _duration(preview.output, "v:0") == pytest.approx(highlights.duration_s, abs=FRAME)


def _flash_and_beep_card(
    folder: Path, gop: int = 50, rate: int = 48000, name: str = "C0001.MP4", fps: int = 25
) -> Path:
    """A camera file at ``fps``: black picture with white flashes and beeps, both at exactly
    2.0 and 4.0 s; H.264 High with B-frames, a keyframe every ``gop`` frames, sound at
    ``rate``."""
    card = folder / "cards" / "cam"
    card.mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", f"color=black:size=320x180:rate={fps}:duration=5",
           "-f", "lavfi", "-i", f"sine=frequency=1000:sample_rate={rate}:duration=5",
           "-filter_complex",
           "[0:v]drawbox=color=white:t=fill:enable='between(t,2,2.07)+between(t,4,4.07)'[v];"
           "[1:a]volume=enable='not(between(t,2,2.1)+between(t,4,4.1))':volume=0[a]",
           "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-g", str(gop), "-sc_threshold", "0", "-c:a", "aac",
           "file:" + str(card / name))  # fmt: skip
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


def _flashes(path: Path, threshold: float = 128) -> list[float]:
    """Film times (s) where a run of bright frames starts."""
    bright = np.flatnonzero(_gray_frames(path) > threshold)
    return [f * FRAME for f in [bright[0], *bright[1:][np.diff(bright) > 1]]]


def _beeps(path: Path) -> list[float]:
    """Film times (s) where a beep starts (0.1 s apart at least)."""
    loud = np.flatnonzero(np.abs(_sound(path)) > 0.05)
    return [b / 48000 for b in [loud[0], *loud[1:][np.diff(loud) > 4800]]]


def _one_camera_session(
    tmp_path: Path, cues: str, speakers: str = "[]", gop: int = 50, **card: object
) -> LoadedSession:
    card = _flash_and_beep_card(tmp_path, gop, **card)
    loaded = init_session(tmp_path / "s", title="Synchro", date=date(2026, 3, 12))
    yaml_file = loaded.folder.session_file
    text = yaml_file.read_text(encoding="utf-8")
    text = text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}")
    text = text.replace("speakers: []", f"speakers: {speakers}")
    yaml_file.write_text(text, encoding="utf-8")
    (loaded.folder.cues / "highlights.yaml").write_text(cues, encoding="utf-8")
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


@pytest.mark.slow
def test_picture_and_sound_stay_together_at_every_cut(tmp_path: Path) -> None:
    loaded = _one_camera_session(
        tmp_path, "clips:\n  - {in: 1.0, out: 3.0, camera: A}\n  - {in: '00:00:03:10', out: 4.6}\n"
    )
    result = render(loaded, "highlights")
    # flashes and beeps at session 2.0 s and 4.0 s land at 1.0 s and 2.0 + 0.6 = 2.6 s
    assert [round(f, 2) for f in _flashes(result.output)] == [1.0, 2.6]
    assert _beeps(result.output) == pytest.approx([1.0, 2.6], abs=FRAME)


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
    (loaded.folder.cues / "highlights.yaml").write_text("clips:\n  - {in: 0.0, out: 1.0}\n")
    plain = _gray_frames(render(loaded, "highlights", preview=True).output)
    assert not np.array_equal(first, plain), "the lower third was drawn"


def _region_gray(path: Path, seconds: float, box: tuple[int, int, int, int]) -> float:
    """Mean gray of ``box`` (x, y, w, h in a 64x36 thumbnail) of the frame at ``seconds``."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-s", "64x36", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    x, y, w, h = box
    return float(np.frombuffer(raw, dtype=np.uint8).reshape(36, 64)[y : y + h, x : x + w].mean())


@pytest.mark.slow
def test_title_card_transitions_and_credits_land_where_the_time_map_says(tmp_path: Path) -> None:
    loaded = _one_camera_session(
        tmp_path,
        "title_card: {duration: 2}\ncredits: {duration: 1.6}\nclips:\n"
        "  - {in: 1.0, out: 2.6}\n"
        "  - {in: 3.0, out: 4.6, transition: {type: dip, duration: 0.4}}\n",
    )
    logo = loaded.root / "logos" / "logo.png"
    logo.parent.mkdir(exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", "color=white:size=200x100", "-frames:v", "1", logo)
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(HOSTILE)}", text)
    text = text.replace("logos: []", "logos: [logos/logo.png]")
    loaded.folder.session_file.write_text(text, encoding="utf-8")
    loaded = load_session(loaded.root)

    timeline = build_timeline(loaded, "highlights")
    # 2 s title + 1.6 s + 1.6 s - 0.4 s dip + 1.6 s credits
    assert timeline.duration_s == pytest.approx(6.4)
    first, second = timeline.timemap.spans
    assert (first.to_output(2000), second.to_output(4000)) == (3000, 4200)
    assert first.session_end_ms == 2600 - 200 and second.session_start_ms == 3000 + 200
    result = render(loaded, "highlights")
    for stream in ("v:0", "a:0"):
        assert _duration(result.output, stream) == pytest.approx(6.4, abs=FRAME)
    assert [round(f, 2) for f in _flashes(result.output)] == [3.0, 4.2]
    assert _beeps(result.output) == pytest.approx([3.0, 4.2], abs=FRAME)
    ground = _region_gray(result.output, 1.0, (0, 0, 6, 6))
    assert 15 < ground < 60, "the title card's ground"
    assert _region_gray(result.output, 1.0, (29, 30, 6, 2)) > ground + 150, "the logo"
    assert _region_gray(result.output, 1.0, (8, 8, 48, 12)) > ground + 5, "the title's text"
    assert _region_gray(result.output, 3.2, (0, 0, 64, 36)) < 5, "black mid-dip"
    assert _region_gray(result.output, 5.8, (10, 14, 44, 3)) > ground + 5, "the credits"
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert [i.get("card") for i in report["items"]] == ["title", None, None, "credits"]
    assert report["items"][0]["lines"][0] == HOSTILE
    # the title is drawn as written: "%{localtime}" expanded would change with the time
    early = _gray_frames(render(loaded, "highlights", preview=True).output)[:50]
    time.sleep(1.2)
    later = _gray_frames(render(loaded, "highlights", preview=True).output)[:50]
    assert np.array_equal(early, later), "the title changed with the time: it was expanded"


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


def _unique_run_end(words, start: int) -> int:
    """The end of the shortest run of at least two words from ``start`` that occurs only once
    in the transcript (a quote that matches one place)."""
    tokens = [w.text.lower().strip(",.?!") for w in words]
    for end in range(start + 2, len(tokens)):
        run = tokens[start:end]
        if sum(tokens[i : i + len(run)] == run for i in range(len(tokens))) == 1:
            return end
    raise AssertionError("no unique quote in the transcript")


@pytest.mark.slow
def test_clips_given_by_quotes_resolve_on_the_sample(ingested) -> None:
    from pipeline.transcription.run import run_transcribe

    words = run_transcribe(ingested).words
    quote = " ".join(w.text for w in words[2:6]).upper().replace(",", "")
    last = _unique_run_end(words, 8)  # the model's words differ a little from CPU to CPU
    end_quote = " ".join(w.text for w in words[8:last])
    cue_file = ingested.folder.cues / "highlights.yaml"
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
    # the cuts sit in pauses, a breath away from any word, keeping every quoted word
    assert clip.in_ms <= words[2].start_ms - BREATH_MS and clip.out_ms >= words[last - 1].end_ms
    for cut in (clip.in_ms, clip.out_ms):
        inside = [w.text for w in words if w.start_ms - BREATH_MS < cut < w.end_ms + BREATH_MS]
        assert not inside or any("no pause" in str(n) for n in clip.notes), (cut, inside)


def test_every_cue_list_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    loaded = init_session(tmp_path / "s", title="Erreurs", date=date(2026, 3, 12))
    (loaded.folder.cues / "full.yaml").write_text(
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
    (loaded.folder.cues / "full.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 5.0}\n  - {in: 4.0, out: 6.0}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="clips 1 and 2 overlap"):
        build_timeline(loaded, "full")
    (loaded.folder.cues / "full.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 2.0}\n"
        "  - {in: 3.0, out: 9.0, transition: {type: crossfade, duration: 0.8}}\n"
        "  - {in: 10.0, out: 12.0, transition: {type: wipe}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(loaded, "full")
    assert [p.line for p in caught.value.problems] == [4]  # the schema first
    (loaded.folder.cues / "full.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 2.0}\n"
        "  - {in: 3.0, out: 9.0, transition: {type: crossfade, duration: 0.8}}\n",
        encoding="utf-8",
    )
    problems = _layout_problems(loaded)
    assert [p.line for p in problems] == [3] and "longer than half" in problems[0].message


def test_an_unknown_speaker_or_an_absurd_time_is_a_located_problem(tmp_path: Path) -> None:
    """Both ended in an internal error (AttributeError, OverflowError), exit 6."""
    loaded = init_session(tmp_path / "s", title="Erreurs", date=date(2026, 3, 12))
    (loaded.folder.cues / "full.yaml").write_text(
        "clips:\n"
        "  - {in: 1.0, out: 5.0}\n"
        "  - {in: 1e308, out: 1.5e308}\n"
        "lower_thirds:\n"
        "  - {at: 2.0, speaker: Jaques Dubois}\n"
        "  - {at: 3.0, speaker: Claire Martin, duration: 1e308}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(loaded, "full")
    found = {p.line: p.message for p in caught.value.problems}
    assert "past 100 hours" in found[3] and "less than or equal to 60" in found[6]
    (loaded.folder.cues / "full.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 5.0}\nlower_thirds:\n  - {at: 2.0, speaker: Jaques Dubois}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(loaded, "full")
    (problem,) = caught.value.problems
    assert problem.line == 4 and "'Jaques Dubois' is not a speaker" in problem.message


def _layout_problems(loaded: LoadedSession) -> list:
    from pipeline.session.cuelist import load_cue_list
    from pipeline.timeline.pieces import film_pieces

    cue_list = load_cue_list(loaded, "full")
    clips = resolve_clips(loaded, "full")
    with pytest.raises(ConfigError) as caught:
        film_pieces(cue_list, clips, 25, loaded.folder.cues / "full.yaml")
    return caught.value.problems


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
    yaml_file = loaded.folder.session_file
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
    (loaded.folder.cues / "highlights.yaml").write_text(
        "clips:\n  - {in: 1.0, out: 3.0, camera: P}\n  - {in: 3.6, out: 4.6, camera: I}\n",
        encoding="utf-8",
    )
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    result = render(loaded, "highlights")
    # a variable-rate phone has no timecode rate: its clip is counted in film frames
    assert [p.suffix for p in result.editorial] == [".otio", ".xml", ".edl"]
    assert _duration(result.output, "v:0") == pytest.approx(3.0, abs=FRAME)
    # in sync on both sides of the cut: flashes (and beeps) at 1.0 s and 2.0 + 0.4 = 2.4 s
    # (dark grey pictures, 64; the phone's flash lights the pillarboxed third of the frame)
    # ± 1 frame: the phone's 15-fps frame nearest 2.0 s is at 2.033 s
    assert _flashes(result.output, 75) == pytest.approx([1.0, 2.4], abs=FRAME + 1e-6)
    assert _beeps(result.output) == pytest.approx([1.0, 2.4], abs=FRAME)
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


def test_the_cut_opens_in_editing_software_with_its_frames_and_media(ingested) -> None:
    """OTIO, FCP XML and EDL read back with OTIO's adapters: the same length to the frame,
    clips pointing at the verified copies, the crossfade centred on the cut."""
    import opentimelineio as otio

    from pipeline.render.editorial import media_facts, to_otio, write_editorial
    from pipeline.session.artifacts.ingest import load_state

    timeline = build_timeline(ingested, "full")  # title, A, crossfade, B, credits
    facts = media_facts(load_state(ingested.folder.ingest_state), ingested.folder.media)
    film = to_otio(timeline, "Titre\n* FROM CLIP: /etc/passwd", facts, ingested.folder.media)
    written = write_editorial(film, tmp := ingested.folder.renders, "full")
    film = otio.adapters.read_from_file(str(tmp / "full.otio"))
    video, audio = film.tracks
    assert video.duration() == otio.opentime.RationalTime(timeline.frames, 25)
    assert audio.duration().rescaled_to(25).value == pytest.approx(timeline.frames, abs=1)
    clips = list(video.find_clips())
    pieces = sum(len(c.video) for c in timeline.clips)  # a clip may span chapter files
    assert clips[0].name.startswith("C0001") and len(clips) == pieces
    for clip in clips:
        path = Path(clip.media_reference.target_url.removeprefix("file://"))
        assert path.is_file() and ingested.folder.media in path.parents
        assert clip.available_range().duration.value > 0
    (fade,) = [i for i in video if isinstance(i, otio.schema.Transition)]
    assert fade.in_offset.value == fade.out_offset.value == 5  # 0.4 s at 25 fps, halved
    first_a = timeline.clips[0].video[0]
    start = clips[0].source_range.start_time
    assert start.value / start.rate == pytest.approx(first_a.start_s, abs=1 / start.rate)
    assert [i.name for i in video if isinstance(i, otio.schema.Gap)] == [
        "Carton titre", "Générique de fin"]  # fmt: skip
    fcp = otio.adapters.read_from_file(str(written[1]))
    assert len(list(fcp.find_clips())) == len(list(film.find_clips()))
    edl = otio.adapters.read_from_file(str(written[2]), rate=25)
    assert len(list(edl.find_clips())) == pieces
    events = [line.split() for line in written[2].read_text().splitlines() if line[:3].isdigit()]
    assert events[-1][2:4] == ["V", "D"] and events[-1][4] == "010"  # the 10-frame dissolve
    # the picture ends where the credits begin (an EDL keeps no trailing black)
    credits = timeline.items[-1].frames
    end = otio.opentime.from_timecode(events[-1][-1], 25)
    assert end.value == timeline.frames - credits
    edl_text = written[2].read_text()
    assert edl_text.splitlines()[0] == "TITLE: Titre * FROM CLIP: /etc/passwd - full"
    assert {e[1] for e in events} == {"A_C0001", "B_020042"}  # camera + file, 8 at most
    # a title card crossfading into the first clip: FCP XML keeps the film's length
    cue_file = ingested.folder.cues / "full.yaml"
    text = cue_file.read_text(encoding="utf-8")
    assert "  camera: A\n" in text
    cue_file.write_text(
        text.replace("  camera: A\n", "  camera: A\n  transition: crossfade\n", 1), encoding="utf-8"
    )
    faded = build_timeline(ingested, "full")
    assert faded.items[1].overlap_frames == 12
    exported = write_editorial(to_otio(faded, "T", facts, ingested.folder.media), tmp, "full")
    fcp = otio.adapters.read_from_file(str(exported[1]))
    # the title card's length kept (the trailing credits are black in FCP XML too)
    assert fcp.tracks[0].duration().value == faded.frames - faded.items[-1].frames


def _frame_sums(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if line[:1] != "#"]


def _the_copy_check_refuses_a_missing_frame(loaded, film: Path, tmp_path: Path) -> None:
    """The check reads packet headers and decodes only the windows asked: a film one frame
    short, or a window past its end, is refused."""
    from pipeline.core.errors import MediaError
    from pipeline.render.stream_copy import CopiedPicture, FrameWindow, check_frames

    timeline = build_timeline(loaded, "highlights")
    windows = (FrameWindow(0, 62), FrameWindow(75, 19))
    check_frames(film, CopiedPicture(film, 50, 44, windows), timeline, tmp_path)
    short = tmp_path / "short.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(film), "-map", "0:v", "-c", "copy",
                    "-frames:v", str(timeline.frames - 1), str(short)], check=True)  # fmt: skip
    with pytest.raises(MediaError, match="holds 93 frames instead of 94"):
        check_frames(short, CopiedPicture(short, 50, 44, windows), timeline, tmp_path)
    beyond = (FrameWindow(80, 20),)
    with pytest.raises(MediaError, match="14 of 20 frames decode from 3.200 s"):
        check_frames(film, CopiedPicture(film, 50, 44, beyond), timeline, tmp_path)


def test_only_the_re_encoded_stretches_and_what_follows_them_are_decoded() -> None:
    from pipeline.render.stream_copy import FrameWindow, windows_to_decode

    # head 12 re-encoded, 100 copied, tail 15; next clip: 100 copied, tail 17 (25 fps)
    pieces = [(0, 12, False), (12, 100, True), (112, 15, False), (127, 100, True),
              (227, 17, False)]  # fmt: skip
    assert windows_to_decode(pieces, 244, 25) == (
        FrameWindow(0, 62),
        FrameWindow(112, 65),
        FrameWindow(227, 17),
    )
    short_gops = [(0, 12, False), (12, 25, True), (37, 15, False), (52, 42, True)]
    assert windows_to_decode(short_gops, 94, 25) == (FrameWindow(0, 94),)
    assert windows_to_decode([(0, 200, True)], 200, 25) == ()


@pytest.mark.slow
def test_a_plain_cut_is_assembled_by_copy_with_exact_frames_and_sync(tmp_path: Path) -> None:
    """Cuts off the keyframes (1 s GOPs with B-frames): heads and tails are re-encoded, the
    GOPs between copied bit for bit, and flashes and beeps stay together."""
    loaded = _one_camera_session(
        tmp_path, "clips:\n  - {in: 0.52, out: 2.6}\n  - {in: 3.0, out: 4.68}\n", gop=25
    )
    result = render(loaded, "highlights")
    method = result.assembly
    assert method.method == "stream copy", method.reason
    # clip 1: 12 frames to the 1.0 s keyframe, one GOP copied, 15 from 2.0 s; clip 2 starts
    # on the 3.0 s keyframe: one GOP copied, 17 frames from 4.0 s
    assert (method.copied_frames, method.encoded_frames) == (50, 44)
    for stream in ("v:0", "a:0"):
        assert _duration(result.output, stream) == pytest.approx(3.76, abs=FRAME)
    assert [round(f, 2) for f in _flashes(result.output)] == [1.48, 3.08]
    assert _beeps(result.output) == pytest.approx([1.48, 3.08], abs=FRAME)
    source = _frame_sums(next(loaded.folder.media.rglob("C0001.MP4")))
    output = _frame_sums(result.output)
    assert output[12:37] == source[25:50], "the copied GOP is the camera's own pictures"
    assert output[52:77] == source[75:100]
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert report["assembly"]["method"] == "stream copy"
    _the_copy_check_refuses_a_missing_frame(loaded, result.output, tmp_path)

    # camera A started 13 ms after the session clock: cut points fall between its frames,
    # and the copy starts on the nearest frame, as a render would
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    loaded.folder.session_file.write_text(
        text.replace("{name: A, role: wide, label: Plan large}",
                     "{name: A, role: wide, label: Plan large, offset: 0.013}"), encoding="utf-8"
    )  # fmt: skip
    loaded = load_session(loaded.root)
    run_sync(loaded)
    assert build_timeline(loaded, "highlights").clips[0].video[0].start_s == pytest.approx(0.507)
    shifted = render(loaded, "highlights")
    assert shifted.assembly.method == "stream copy", shifted.assembly.reason
    assert _frame_sums(shifted.output) == output, "the same frames as from the exact cuts"

    from pipeline.render.stream_copy import why_not_copy

    (loaded.folder.cues / "highlights.yaml").write_text(
        "title_card: true\nclips:\n  - {in: 0.52, out: 2.6}\n", encoding="utf-8"
    )
    reason, _ = why_not_copy(build_timeline(loaded, "highlights"), 320, 180, False)
    assert reason == "it has a title card or credits"
    (loaded.folder.cues / "highlights.yaml").write_text("clips:\n  - {in: 0.52, out: 2.6}\n")
    reason, _ = why_not_copy(build_timeline(loaded, "highlights"), 640, 360, False)
    assert reason == "C0001.MP4 is 320x180, not 640x360"


def test_a_clip_takes_its_sound_from_the_device_it_names(ingested) -> None:
    first = resolve_clips(ingested, "highlights")[0]
    a, b = first.in_ms / 1000, first.out_ms / 1000
    cue_file = ingested.folder.cues / "highlights.yaml"
    cue_file.write_text(f"clips:\n  - {{in: {a}, out: {b}, camera: A}}\n", encoding="utf-8")
    assert build_timeline(ingested, "highlights").clips[0].audio_source == "recorder"
    cue_file.write_text(
        f"clips:\n  - {{in: {a}, out: {b}, camera: A, audio: A}}\n", encoding="utf-8"
    )
    (clip,) = build_timeline(ingested, "highlights").clips
    assert clip.audio_source == "A" and clip.audio[0].path == clip.video[0].path
    cue_file.write_text(
        f"clips:\n  - {{in: {a}, out: {b}, camera: A, audio: Z}}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        build_timeline(ingested, "highlights")
    (problem,) = caught.value.problems
    assert problem.line == 2 and "camera 'Z' is not in session.yaml" in problem.message


def test_the_documented_cue_lists_are_valid_and_use_every_key(tmp_path: Path) -> None:
    import shutil

    from pipeline.session.cuelist import CueList, TransitionType, load_cue_list

    samples = Path(__file__).resolve().parents[1] / "samples"
    folder = tmp_path / "example"
    shutil.copytree(samples / "cues", folder / "cues")
    shutil.copy(samples / "session.yaml", folder / "session.yaml")
    loaded = load_session(folder)
    full, highlights = load_cue_list(loaded, "full"), load_cue_list(loaded, "highlights")
    assert isinstance(full, CueList) and isinstance(highlights, CueList)
    used = {key for clip in full.clips for key, value in clip if value not in (None, False)}
    assert used >= {"in_ms", "out_ms", "from_quote", "to_quote", "camera", "audio", "exact"}
    assert {c.transition.type for c in full.clips} == set(TransitionType)
    assert full.title_card and full.credits and full.lower_thirds and full.chapters
    assert full.quotes and highlights.clips


def test_a_lower_third_at_a_clip_that_fades_in_still_shows() -> None:
    from pipeline.session import Session
    from pipeline.session.cuelist import CueList
    from pipeline.timeline.lower_thirds import lower_thirds
    from pipeline.timeline.pieces import film_pieces, timemap_of
    from pipeline.timeline.resolve import ResolvedClip

    cue_list = CueList.model_validate({
        "clips": [{"in": 0, "out": 4},
                  {"in": 10, "out": 14, "transition": {"type": "crossfade", "duration": 0.8}}],
        "lower_thirds": [{"at": 10, "speaker": "Nadia Benali", "duration": 2}],
    })  # fmt: skip
    clips = [ResolvedClip(0, 4000, None, 2),
             ResolvedClip(10000, 14000, None, 3, cue_list.clips[1].transition)]  # fmt: skip
    timemap = timemap_of(film_pieces(cue_list, clips, 25, Path("full.yaml")), 25)
    nadia = {"name": "Nadia Benali", "role": "géographe"}
    session = Session.model_validate(
        {"slug": "t", "title": "T", "date": "2026-03-12", "speakers": [nadia]}
    )
    (placed,) = lower_thirds(cue_list, session, timemap)
    # the second clip starts at 3.2 s, its half of the crossfade ends at 3.6 s
    assert (placed.start_s, placed.end_s, placed.detail) == (3.6, 5.6, "géographe")
    first = CueList.model_validate({"clips": [{"in": 0, "out": 4, "transition": "dip"}]})
    with pytest.raises(ConfigError, match="needs something before it"):
        film_pieces(first, [ResolvedClip(0, 4000, None, 2, first.clips[0].transition)], 25,
                    Path("full.yaml"))  # fmt: skip


@pytest.mark.slow
def test_a_44_1_khz_camera_whose_file_name_is_hostile_renders_in_sync(tmp_path: Path) -> None:
    """A name with a leading dash, quotes, a colon, brackets and a newline reaches ffmpeg only
    as a file: path (copy pieces, filtergraph inputs); its 44.1 kHz sound comes out at 48."""
    name = "-i x'y\":z [0:v]\n.MP4"
    loaded = _one_camera_session(
        tmp_path, "clips:\n  - {in: 1.0, out: 3.0}\n  - {in: 3.4, out: 4.6}\n", gop=25,
        rate=44100, name=name,
    )  # fmt: skip
    assert any(p.name == name for p in loaded.folder.media.rglob("*"))
    for result in (render(loaded, "highlights"), render(loaded, "highlights", preview=True)):
        # flashes and beeps at session 2.0 s and 4.0 s land at 1.0 s and 2.0 + 0.6 = 2.6 s
        assert _flashes(result.output) == pytest.approx([1.0, 2.6], abs=FRAME / 2)
        assert _beeps(result.output) == pytest.approx([1.0, 2.6], abs=FRAME)
        rate = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
             "stream=sample_rate", "-of", "csv=p=0", str(result.output)],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        assert rate == "48000"
    assert render(loaded, "highlights").assembly.method == "stream copy"


def test_a_50_fps_camera_makes_a_50_fps_film_whose_frames_count_at_50(tmp_path: Path) -> None:
    """The film's frame rate comes from the cameras, not from a constant: cue-list times in
    frames count at it, the film is encoded at it, the subtitles' gap is two of its frames."""
    from pipeline.subtitles.rules import session_rules

    loaded = _one_camera_session(
        tmp_path, "clips:\n  - {in: '00:00:01:30', out: 3.0}\n  - {in: 3.5, out: 4.5}\n",
        gop=100, fps=50,
    )  # fmt: skip
    timeline = build_timeline(loaded, "highlights")
    assert timeline.fps == 50
    assert timeline.clips[0].session_in_ms == 1600  # frame 30 of 50 (no such frame at 25 fps)
    assert session_rules(loaded).min_gap_ms == 40
    result = render(loaded, "highlights")
    for rendition in (loaded.folder.renders / "web").glob("highlights-*.mp4"):
        assert not rendition.samefile(result.output)  # 25 fps renditions: its own encode
    stream = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=r_frame_rate,nb_read_frames", "-of", "json", str(result.output)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    (found,) = json.loads(stream)["streams"]
    assert found["r_frame_rate"] == "50/1"
    assert int(found["nb_read_frames"]) == (1400 + 1000) * 50 // 1000
    # the flashes at session 2.0 s and 4.0 s land on frames 20 and 70 + 25 = 95
    bright = np.flatnonzero(_gray_frames(result.output) > 128)
    assert [int(bright[0]), *(int(f) for f in bright[1:][np.diff(bright) > 1])] == [20, 95]


def test_a_film_whose_picture_stops_early_is_refused(tmp_path: Path) -> None:
    """The container's duration follows the longest stream: 2 s of picture under 4 s of
    sound said "4 s" and passed as a whole film."""
    from pipeline.core.errors import MediaError
    from pipeline.render.assembly import check_length
    from pipeline.timeline.model import Timeline, TimelineCard
    from pipeline.timeline.timemap import TimeMap

    timeline = Timeline("full", (TimelineCard("title", 100, ()),), 25, 90, TimeMap(()))
    whole, half = tmp_path / "whole.mp4", tmp_path / "half.mp4"
    for film, seconds in ((whole, 4), (half, 2)):
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=25:duration={seconds}",
               "-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast",
               "-c:a", "aac", film)  # fmt: skip
    check_length(whole, timeline)
    assert whole.is_file()
    with pytest.raises(MediaError, match=r"picture lasts 2\.000 s.*holds 50 frames instead of 100"):
        check_length(half, timeline)
    assert not half.exists()


def test_a_newline_in_a_card_file_name_stays_inside_its_edl_line(tmp_path: Path) -> None:
    import opentimelineio as otio

    from pipeline.render.editorial import write_editorial

    name = "C0001\nM 999 BL V C 00:00:00:00.MP4"
    two_seconds = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(50, 25)
    )
    clip = otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(
            target_url=f"file:///media/A/{name}", available_range=two_seconds
        ),
        source_range=two_seconds,
        metadata={"cmx_3600": {"reel": "A0001"}},
    )
    film = otio.schema.Timeline(name="Rencontre - full")
    film.tracks.append(otio.schema.Track(name="V1", children=[clip]))
    written = write_editorial(film, tmp_path, "full")
    edl = next(p for p in written if p.suffix == ".edl").read_text(encoding="utf-8")
    grammar = re.compile(r"^(TITLE: .*|FCM: .*|\d{3,6}  .*|\* .*|M2 .*|)$")
    assert [line for line in edl.splitlines() if not grammar.match(line)] == [], edl
    assert "C0001?M 999" in edl


def _frame(path: Path, seconds: float) -> np.ndarray:
    """The gray frame at ``seconds``, at the film's own size."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-s", "320x180", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(180, 320)


WIDE_ROLE = "MMMM WWWW Directrice générale adjointe de la Métropole, chargée des MOBILITÉS"


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="MWiléa «»:-/\u00a0 \n", max_size=300),
       size=st.integers(min_value=10, max_value=60))  # fmt: skip
def test_wrapped_lines_never_exceed_their_measured_width(text: str, size: int) -> None:
    """drawtext does not wrap: every line capture hands it is measured with the font it is
    drawn in, and no character is lost or moved by the wrapping."""
    from pipeline.timeline.text_fit import FONT, one_line, text_width, wrap

    lines = wrap(text, FONT, size, 300)
    assert all(text_width(line, FONT, size) <= 300 or len(line) == 1 for line in lines)
    assert "".join(lines).replace(" ", "") == one_line(text).replace(" ", "")
    assert all("\n" not in line for line in lines)


@pytest.mark.slow
def test_long_credits_roll_inside_the_frame_and_lower_thirds_wrap(tmp_path: Path) -> None:
    """With wide text, 22 of 34 credit lines were drawn off the frame, the rest under the
    logos, and a long role ran off the right edge: now the credits roll inside the title-safe
    width and above the logos, and the role wraps."""
    speakers = json.dumps([{"name": f"MWMW Intervenant {n}", "role": WIDE_ROLE} for n in range(14)])
    loaded = _one_camera_session(
        tmp_path,
        "credits: {duration: 12}\nclips:\n  - {in: 0.0, out: 1.0}\n"
        "lower_thirds:\n  - {at: 0.0, speaker: MWMW Intervenant 0, duration: 1}\n",
        speakers,
    )
    logo = loaded.root / "logo.png"
    ffmpeg("-f", "lavfi", "-i", "color=white:size=200x100", "-frames:v", "1", logo)
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    loaded.folder.session_file.write_text(text.replace("logos: []", "logos: [logo.png]"))
    loaded = load_session(loaded.root)
    film = render(loaded, "highlights", preview=True).output

    lower = _frame(film, 0.5)[40:]  # under the preview's burnt-in timecode
    text_rows = np.flatnonzero((lower > 150).any(axis=1))
    assert text_rows.size and not (lower[:, 300:] > 150).any(), "the role runs off the frame"
    assert len(np.flatnonzero(np.diff(text_rows) > 1)) >= 2, "name and a role on two lines"

    shown = [_frame(film, 1.0 + t) for t in (1.0, 6.0, 11.0)]
    ground = float(np.median(shown[0]))
    for frame in shown:
        bright = frame > ground + 90
        assert not bright[:, :16].any() and not bright[:, 304:].any(), "outside title-safe"
        band = bright[round(180 * 0.78) :]  # the logos' row: only the logo may be bright
        assert not band[:, :130].any() and not band[:, 190:].any(), "text under the logos"
    rows = [np.flatnonzero((f[: round(180 * 0.78)] > ground + 90).any(axis=1)) for f in shown]
    assert rows[0].min() < 30, "the roll starts with the first lines at the top"
    assert rows[2].max() > 110, "and ends with the last lines at the bottom of the band"
    assert not np.array_equal(shown[0], shown[1]), "the credits move"


def test_text_that_cannot_fit_is_refused_at_its_line_before_any_encode(tmp_path: Path) -> None:
    speakers = json.dumps(
        [{"name": "X" * 400, "role": "r"}]
        + [{"name": f"MWMW Intervenant {n}", "role": WIDE_ROLE} for n in range(14)]
    )
    loaded = _one_camera_session(
        tmp_path,
        "credits: {duration: 4}\nclips:\n  - {in: 0.0, out: 1.0}\n"
        f"lower_thirds:\n  - {{at: 0.0, speaker: {'X' * 400}}}\n",
        speakers,
    )
    with pytest.raises(ConfigError) as caught:
        render(loaded, "highlights", preview=True)
    credits, lower = caught.value.problems
    assert credits.line == 1 and "give them `credits: {duration: " in credits.message
    assert lower.line == 5 and "does not fit the frame" in lower.message
    assert not any(loaded.folder.renders.glob("*.mp4"))


@pytest.mark.parametrize("height", [180, 360, 720, 1080])
def test_lower_third_boxes_never_overlap(height: int) -> None:
    """Two halves of translucent boxes drawn over each other make a darker stripe."""
    from pipeline.timeline.text_fit import box_border, line_height, lower_third_layout

    width = round(height * 16 / 9)
    lines = lower_third_layout("Claire Martin-Lévêque", WIDE_ROLE, width, height)
    assert len(lines) == 3  # the name over a role on two lines
    for below, above in zip(lines, lines[1:], strict=False):
        top_of_below = below.from_bottom + line_height(below.font, below.size)
        assert above.from_bottom - box_border(above.size) > top_of_below + box_border(below.size)
        assert above.from_bottom - below.from_bottom < 2.2 * below.size, "and stay together"


def test_a_lower_third_outside_the_film_is_refused_at_its_line(tmp_path: Path) -> None:
    """It was dropped without a word."""
    loaded = _one_camera_session(
        tmp_path,
        "clips:\n  - {in: 0.0, out: 1.0}\nlower_thirds:\n"
        "  - {at: 0.5, speaker: Claire Martin}\n  - {at: 3.0, speaker: Claire Martin}\n",
        json.dumps([{"name": "Claire Martin", "role": "géographe"}]),
    )
    with pytest.raises(ConfigError) as caught:
        render(loaded, "highlights", preview=True)
    (problem,) = caught.value.problems
    assert problem.line == 5 and "00:00:03.000 is not in the film" in problem.message


@pytest.mark.slow
def test_a_film_of_300_clips_renders(tmp_path: Path) -> None:
    """Between 200 and 300 clips the render failed with "Argument list too long": the whole
    filtergraph was one argument (Linux takes at most 128 KiB in one); it now goes through a
    file. A full version switching camera every 30 s has some 240 clips in two hours."""
    card = tmp_path / "cards" / "cam"
    card.mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=67",
           "-f", "lavfi", "-i", "sine=duration=67", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "25", "-c:a", "aac", card / "C0001.MP4")  # fmt: skip
    loaded = init_session(tmp_path / "s", title="Trois cents", date=date(2026, 3, 12))
    yaml_file = loaded.folder.session_file
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}"))
    clips = "".join(
        f"  - {{in: {n * 0.22:.2f}, out: {n * 0.22 + 0.2:.2f}, exact: true}}\n" for n in range(300)
    )
    (loaded.folder.cues / "full.yaml").write_text("clips:\n" + clips, encoding="utf-8")
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    result = render(loaded, "full", preview=True)
    for stream in ("v:0", "a:0"):
        assert _duration(result.output, stream) == pytest.approx(60.0, abs=FRAME)
    # the cuts share one input (memory stays flat): each clip still opens on its own frame
    for clip in (2, 150, 298):  # starts on a whole source frame: 0.22 s x 25 = 5.5 frames
        first_frame = round(clip * 0.22 * 25)
        film = _frame(result.output, clip * 0.2 - 0.001)[40:]  # under the burnt-in timecode
        distances = {
            shift: np.abs(
                film.astype(int)
                - _frame(card / "C0001.MP4", (first_frame + shift) * FRAME - 0.001)[40:]
            ).mean()
            for shift in (-2, -1, 0, 1, 2)
        }
        assert min(distances, key=distances.__getitem__) == 0, (clip, distances)


def test_an_av1_rung_stands_beside_its_h264_rung_and_is_never_the_master() -> None:
    """web.yaml's 720p_av1 (commented out there): planned after the H.264 rung of its
    height, encoded by SVT-AV1 capped at its maxrate, never taken as the master (even listed
    first), skipped with the other rungs a film does not reach."""
    from pipeline.core.presets import AV1_ENCODER, Rung, load_preset
    from pipeline.render.ladder import master_rung, plan_ladder, rung_encode_args

    plain = load_preset("web")
    av1_rung = Rung(name="720p_av1", height=720, codec="av1", bitrate_kbps=2000,
                    maxrate_kbps=3200, bufsize_kbps=6000, crf=30)  # fmt: skip
    video = plain.video.model_copy(update={"rungs": [*plain.video.rungs, av1_rung]})
    web = plain.model_copy(update={"video": video})
    rungs = plan_ladder(web, 1280, 720)
    assert [(r.name, r.codec) for r in rungs] == [
        ("720p", "h264"), ("720p_av1", "av1"), ("360p", "h264")
    ]  # fmt: skip
    assert master_rung(list(reversed(rungs)), 1280, 720, web, 25).name == "720p"
    av1 = rung_encode_args(rungs[1], web)
    assert av1[av1.index("-c:v") + 1] == AV1_ENCODER and "mbr=3200" in av1
    assert "libx264" in rung_encode_args(rungs[0], web)
    assert [r.codec for r in plan_ladder(web, 640, 360)] == ["h264"]
    assert [r.codec for r in plan_ladder(web, 320, 180)] == ["h264"]


def test_the_master_is_the_top_rendition_only_when_it_has_its_size_and_rate() -> None:
    """A film that must be re-encoded was encoded twice at the top: once as the master and
    once more as the same-sized rung. The rung is the master when it can be; a film whose
    size or rate no rung has keeps its own encode."""
    from pipeline.core.presets import load_preset
    from pipeline.render.ladder import master_rung, plan_ladder

    web = load_preset("web")
    rungs = plan_ladder(web, 1920, 1080)
    assert master_rung(rungs, 1920, 1080, web, 25).name == "1080p"
    assert master_rung(rungs, 1920, 1080, web, 50) is None  # a 50 fps film, 25 fps renditions
    assert master_rung(plan_ladder(web, 2560, 1440), 2560, 1440, web, 25) is None
    small = plan_ladder(web, 320, 180)  # below every rung: one rung at its own size
    assert master_rung(small, 320, 180, web, 25).name == "180p"
