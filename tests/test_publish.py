"""Publishing the tiny sample to a mini-site: renditions and HLS checked with ffprobe, images
chosen with OpenCV, hostile text shown literally, re-publishing that encodes nothing, and the
site driven in Debian's chromium (selenium + chromium-driver) from a local HTTP server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import urllib.parse
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import ffmpeg, script_transcript
from output_fingerprint import differences, fingerprint

from pipeline.core import runner
from pipeline.core.errors import ConfigError
from pipeline.publish.run import publish
from pipeline.render import images, sprites
from pipeline.render.run import render
from pipeline.session import load_session
from pipeline.session.artifacts.transcript import (
    write_transcript,
)
from pipeline.subtitles.formats import read_subtitles, to_srt
from pipeline.subtitles.run import build_subtitles, import_reviewed, write_review_package

HOSTILE_TITLE = 'Manger <script>alert("titre")</script> & "local"'
HOSTILE_NAME = "Jean <b>Le Gros</b> & Cie"
HOSTILE_ROLE = "<img src=x onerror=alert(1)>"
HOSTILE_CAPTION = '<script>alert(2)</script> & "ok"'
LADDER = """name: ladder
audio:
  loudness: {integrated_lufs: -16.0}
video:
  frame_rate: 25
  gop_seconds: 2.0
  rungs:
    - {name: 360p, height: 360, bitrate_kbps: 730, maxrate_kbps: 780, bufsize_kbps: 1460, crf: 24}
    - {name: 180p, height: 180, bitrate_kbps: 300, maxrate_kbps: 330, bufsize_kbps: 660, crf: 24}
    - {name: 180p_av1, height: 180, codec: av1, bitrate_kbps: 200, maxrate_kbps: 330,
       bufsize_kbps: 660, crf: 30}
    - {name: 120p, height: 120, bitrate_kbps: 200, maxrate_kbps: 220, bufsize_kbps: 440, crf: 26}
    - {name: 90p, height: 90, bitrate_kbps: 150, maxrate_kbps: 160, bufsize_kbps: 320, crf: 28}
hls:
  segment_seconds: 6.0
listening: {bitrate_kbps: 48, channels: 1}
"""


COMMANDS: dict[str, list[list[str]]] = {"render": [], "publish": []}
"""Every external command the fixture's renders and publish ran, as run."""


@contextlib.contextmanager
def _recording(step: str):
    """The commands run (for real) inside the block, kept in COMMANDS[step]."""
    real = runner.supervise

    def recorded(tool, argv, *more):
        COMMANDS[step].append(list(argv))
        return real(tool, argv, *more)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "supervise", recorded)
        yield


@pytest.fixture(scope="module")
def published(tiny_sample, tmp_path_factory):
    """The tiny sample with hostile text in session.yaml and in a reviewed caption, both
    films rendered, published with a four-rung ladder (one above the 180p source)."""
    from pipeline.ingest.run import ingest_declared
    from pipeline.sync.run import run_sync

    folder = tiny_sample.root / "publish-session"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tiny_sample.session, folder)
    loaded = load_session(folder)
    ingest_declared(loaded)
    run_sync(loaded)
    write_transcript(script_transcript(tiny_sample.truth), loaded.folder)
    build_subtitles(loaded)
    srt, _ = write_review_package(loaded)
    cues = read_subtitles(srt)
    cues[0] = type(cues[0])(cues[0].start_ms, cues[0].end_ms, (HOSTILE_CAPTION, *cues[0].lines))
    reviewed = tmp_path_factory.mktemp("review") / "relu.srt"
    reviewed.write_text(to_srt(cues), encoding="utf-8")
    import_reviewed(loaded, reviewed)
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(HOSTILE_TITLE)}", text)
    text = text.replace(
        "speakers:\n",
        f"speakers:\n- {{name: {json.dumps(HOSTILE_NAME)}, role: {json.dumps(HOSTILE_ROLE)}}}\n",
        1,
    )
    loaded.folder.session_file.write_text(text, encoding="utf-8")
    (folder / "presets").mkdir()
    (folder / "presets" / "ladder.yaml").write_text(LADDER, encoding="utf-8")
    loaded = load_session(folder)
    site = tmp_path_factory.mktemp("site")
    with _recording("render"):
        render(loaded, "full", preset_name="ladder")
        render(loaded, "highlights", preset_name="ladder")
    with _recording("publish"):
        result = publish(loaded, site, preset_name="ladder")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    return loaded, site, result, manifest


def _probe(path: Path, *args: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return json.loads(out)


def _top_level_boxes(path: Path) -> list[str]:
    data, boxes, offset = path.read_bytes(), [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def _keyframe_times(path: Path) -> list[float]:
    packets = _probe(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags")
    return [round(float(p["pts_time"]), 3) for p in packets["packets"] if "K" in p["flags"]]


GOLDEN = Path(__file__).parent / "golden" / "tiny_published.json"


def _tool_versions() -> list[str]:
    """The tools whose output the pinned results depend on (the sample's voices and every
    encode): pinned results from other versions are not comparable."""
    return [subprocess.run([tool, "--version" if tool == "espeak-ng" else "-version"],
                           capture_output=True, text=True, check=True).stdout.splitlines()[0]
            for tool in ("ffmpeg", "espeak-ng")]  # fmt: skip


@pytest.mark.slow
def test_the_outputs_are_those_pinned_for_the_tiny_sample(published) -> None:
    """Same transcript, subtitles, cue resolution, render reports, editorial exports, pages
    and manifests as pinned in tests/golden (times within 10 ms): a change of code shape must
    not change what users get. ``CAPTURE_UPDATE_GOLDEN=1`` re-pins, for a change meant to."""
    loaded, site, _, _ = published
    actual = {"tools": _tool_versions(), "outputs": fingerprint(loaded.folder.root, site)}
    if os.environ.get("CAPTURE_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        text = json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False)
        GOLDEN.write_text(text + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if expected["tools"] != actual["tools"]:
        pytest.skip(f"pinned with {expected['tools']}, this machine has {actual['tools']}")
    assert differences(expected["outputs"], actual["outputs"]) == []


@pytest.mark.slow
def test_what_is_published_is_readable_by_a_web_server(published) -> None:
    """Under umask 022 the pages, manifest, captions and reports came out 0600."""
    loaded, site, _, _ = published
    folder = loaded.folder
    for root in (site, folder.renders, folder.transcript, folder.root / "subtitles"):
        for path in root.rglob("*"):  # the site folder itself is the test's
            mode = stat.S_IMODE(path.stat().st_mode)
            wanted = 0o755 if path.is_dir() else 0o644
            assert mode == wanted, f"{path}: {mode:o}"


@pytest.mark.slow
def test_renditions_and_hls_meet_the_web_rules(published) -> None:
    loaded, site, _, manifest = published
    folder = site / manifest["slug"]
    for film in manifest["films"]:
        # never upscale: the 360p rung is above the 180p master
        assert [r["name"] for r in film["renditions"]] == ["180p", "180p_av1", "120p", "90p"]
        keyframes = None
        for rendition in film["renditions"]:
            if rendition["codec"] == "av1":
                continue  # test_an_av1_rendition_is_offered_first_to_browsers_that_play_it
            path = folder / rendition["file"]["path"]
            boxes = _top_level_boxes(path)
            assert boxes[:3] == ["ftyp", "moov", "sidx"], "fragmented, indexed up front"
            assert "mdat" in boxes and boxes.index("moof") < boxes.index("mdat")
            streams = {s["codec_type"]: s for s in _probe(path, "-show_streams")["streams"]}
            video, audio = streams["video"], streams["audio"]
            rendered = _probe(loaded.folder.web_rendition(film["name"], rendition["name"]),
                              "-show_streams")["streams"]  # fmt: skip
            starts = {s["codec_type"]: float(s["start_time"]) for s in rendered}
            assert float(video["start_time"]) == starts["video"], "the picture does not move"
            # the AAC priming frame may show before zero (it is not heard): one frame at most
            assert abs(float(audio["start_time"]) - starts["audio"]) <= 1024 / 48000 + 1e-6
            assert (video["profile"], video["pix_fmt"]) == ("High", "yuv420p")
            assert video["level"] <= 41 and video["height"] == rendition["height"]
            assert (audio["codec_name"], audio["profile"], audio["sample_rate"]) == (
                "aac", "LC", "48000")  # fmt: skip
            times = _keyframe_times(path)
            assert times == [round(2.0 * i, 3) for i in range(len(times))], "an IDR every 2 s"
            assert len(times) == int(np.ceil(film["duration_s"] / 2.0 - 1e-6))
            keyframes = keyframes or times
            assert times == keyframes, "aligned across rungs"
        master = (folder / film["hls_master"]["path"]).read_text(encoding="utf-8")
        lines = master.splitlines()
        assert lines[0] == "#EXTM3U"
        infs = [i for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF:")]
        assert len(infs) == len([r for r in film["renditions"] if r["codec"] == "h264"])
        for index in infs:
            attributes = lines[index]
            assert re.search(r"BANDWIDTH=\d+", attributes) and "RESOLUTION=" in attributes
            assert 'CODECS="avc1.640029,mp4a.40.2"' in attributes
            playlist = (folder / film["hls_master"]["path"]).parent / lines[index + 1]
            media = playlist.read_text(encoding="utf-8")
            assert "#EXT-X-ENDLIST" in media
            init_uri, init_size = re.search(
                r'#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@0"', media).groups()  # fmt: skip
            mp4 = (playlist.parent / init_uri).resolve()
            assert mp4.parent == (folder / "video").resolve(), "ranges of the published MP4"
            data = mp4.read_bytes()
            segments = re.findall(r"#EXTINF:([\d.]+),\n#EXT-X-BYTERANGE:(\d+)@(\d+)\n(\S+)",
                                  media)  # fmt: skip
            assert all(float(d) == pytest.approx(6.0) for d, *_ in segments[:-1])
            ranges = [(int(offset), int(size)) for _, size, offset, _ in segments]
            assert ranges[0][0] >= int(init_size)
            following = zip(ranges, ranges[1:], strict=False)
            assert all(a + n == b for (a, n), (b, _) in following), "contiguous"
            assert sum(float(d) for d, *_ in segments) == pytest.approx(film["duration_s"], 0.02)
            for number, (offset, size) in enumerate(ranges):
                joined = playlist.parent / f"check-{number}.mp4"
                joined.write_bytes(data[: int(init_size)] + data[offset : offset + size])
                first = _probe(joined, "-select_streams", "v:0", "-read_intervals", "%+#1",
                               "-show_entries", "packet=flags")["packets"][0]  # fmt: skip
                joined.unlink()
                assert "K" in first["flags"], f"segment {number} starts on a keyframe"
            assert _frame_count(playlist) == _frame_count(mp4), "the playlist plays it all"


@pytest.mark.slow
def test_an_av1_rendition_is_offered_first_to_browsers_that_play_it(published) -> None:
    """The preset's AV1 rung: SVT-AV1 beside the H.264 rendition of its height, the same
    frames and sound, listed first on the page with its RFC 6381 codecs (a browser that
    cannot play it takes the H.264 one), left out of HLS, offered for download."""
    _, site, _, manifest = published
    folder = site / manifest["slug"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    for film in manifest["films"]:
        by_name = {r["name"]: r for r in film["renditions"]}
        av1, h264 = by_name["180p_av1"], by_name["180p"]
        assert (av1["codec"], h264["codec"], h264["codecs"]) == ("av1", "h264", None)
        assert re.fullmatch(r"av01\.0\.\d\dM\.08,mp4a\.40\.2", av1["codecs"])
        path = folder / av1["file"]["path"]
        boxes = _top_level_boxes(path)
        assert boxes.index("moov") < boxes.index("mdat"), "faststart"
        streams = {s["codec_type"]: s for s in _probe(path, "-show_streams")["streams"]}
        assert (streams["video"]["codec_name"], streams["video"]["height"]) == ("av1", 180)
        assert streams["audio"]["codec_name"] == "aac"
        assert f"{int(streams['video']['level']):02d}M" in av1["codecs"]
        assert _frame_count(path) == _frame_count(folder / h264["file"]["path"])
        sources = re.findall(r'<source src="([^"]+)" type="([^"]+)">', page)
        mine = [(src, kind) for src, kind in sources if f"/{film['name']}-" in src]
        assert mine == [
            (av1["file"]["path"], f"video/mp4; codecs=&#34;{av1['codecs']}&#34;"),
            (h264["file"]["path"], "video/mp4"),
        ]
        assert f'href="{av1["file"]["path"]}" download>MP4 180p AV1' in page
        hls_master = (folder / film["hls_master"]["path"]).read_text(encoding="utf-8")
        assert "180p_av1" not in hls_master and "av01" not in hls_master


def test_the_av1_codecs_string_follows_the_stream() -> None:
    from pipeline.publish.hls import av1_codec_string

    assert av1_codec_string("Main", 8, 8) == "av01.0.08M.08"
    assert av1_codec_string("High", 5, 10) == "av01.1.05M.10"
    assert av1_codec_string(None, -99, None) == "av01.0.31M.08"  # level unknown to ffprobe


def _frame_count(path: Path) -> int:
    counted = _probe(path, "-select_streams", "v:0", "-count_packets",
                     "-show_entries", "stream=nb_read_packets")  # fmt: skip
    return int(counted["streams"][0]["nb_read_packets"])


def _files_read(argv: list[str]) -> list[Path]:
    """The files a command reads (``-i``, generated ``lavfi`` sources left out)."""
    return [
        Path(argv[i + 1].removeprefix("file:"))
        for i, a in enumerate(argv[:-1])
        if a == "-i" and argv[i - 2 : i] != ["-f", "lavfi"]
    ]


AAC_PEAK_OVERSHOOT_DB = 0.5
"""What a lossy encode may add to true peaks limited before it."""


def _dual_mono_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak of a mono file played on both ears (EBU R 128)."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", str(path), "-af",
                          "ebur128=dualmono=true:peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr  # fmt: skip
    summary = out.split("Summary:")[-1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


def test_each_film_has_an_audio_only_rendition_made_with_its_ladder(published) -> None:
    """A debate is mostly listened to: an audio-only file weighs a fraction of the smallest
    video. AAC-LC, the preset's channels and rate, the film's length and loudness; written
    by the command that writes the rungs (the sound mixed once), linked from the page."""
    loaded, site, _, manifest = published
    folder = site / manifest["slug"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    for film in manifest["films"]:
        listening = film["listening"]
        path = folder / listening["file"]["path"]
        assert path.suffix == ".m4a" and f'href="{listening["file"]["path"]}"' in page
        boxes = _top_level_boxes(path)
        assert boxes.index("moov") < boxes.index("mdat"), "faststart"
        streams = _probe(path, "-show_streams")["streams"]
        chapters = _probe(path, "-show_chapters")["chapters"]
        assert [c["tags"]["title"] for c in chapters] == ["Ouverture"] * (film["name"] == "full")
        # the sound, and the chapters' text track when there are chapters (podcast apps)
        assert [(s["codec_type"], s["codec_tag_string"]) for s in streams] == [
            ("audio", "mp4a"), *[("data", "text")] * bool(chapters)]  # fmt: skip
        audio = streams[0]
        assert (audio["codec_name"], audio["profile"], audio["channels"]) == ("aac", "LC", 1)
        assert abs(float(audio["duration"]) - film["duration_s"]) <= 0.05
        assert int(audio["bit_rate"]) <= 48_000 * 1.15
        smallest = min(r["file"]["bytes"] for r in film["renditions"])
        assert listening["file"]["bytes"] < smallest / 2
        assert listening["bytes_per_minute"] == pytest.approx(
            listening["file"]["bytes"] * 60 / film["duration_s"], abs=1)  # fmt: skip
        if film["duration_s"] >= 10:  # integrated loudness needs a few seconds
            # mono heard on both ears: measured as dual mono, as loud as the stereo film,
            # and its peaks kept under the limit (``-ac 1`` put them 3 dB over)
            integrated, peak = _dual_mono_loudness(path)
            assert integrated == pytest.approx(-16.0, abs=1.0)
            assert peak <= -1.0 + AAC_PEAK_OVERSHOOT_DB
        writers = [c for c in COMMANDS["render"] if _writes(c, f".{film['name']}-audio.rendered-")]
        assert len(writers) == 1
        assert any(_writes(writers[0], f".{film['name']}-{r['name']}.rendered-")
                   for r in film["renditions"])  # fmt: skip


def _writes(argv: list[str], marker: str) -> bool:
    """Whether an ffmpeg command writes a file whose name holds ``marker``."""
    return argv[0].endswith("ffmpeg") and any(
        marker in a and argv[i - 1] != "-i" for i, a in enumerate(argv)
    )


def test_each_rendition_is_encoded_once_from_the_camera_files(published) -> None:
    """Publish decoded the master and encoded every rung again: a 2-hour film paid its
    top rung twice. Now render splits its own graph to the rungs and publish packages."""
    loaded, _, _, manifest = published
    media, renders = loaded.folder.media.resolve(), loaded.folder.renders.resolve()
    for film in manifest["films"]:
        for rendition in film["renditions"]:
            stem = Path(rendition["file"]["path"]).stem  # full-180p
            writers = [c for c in COMMANDS["render"] if c[0].endswith("ffmpeg")
                       and any(f".{stem}.rendered-" in a for a in c)]  # fmt: skip
            assert len(writers) == 1, (stem, len(writers))
            report = json.loads(loaded.folder.render_report(film["name"]).read_text("utf-8"))
            same_as = report["assembly"].get("same_as_rendition")
            if same_as == rendition["name"]:  # the master is this rendition: one encode
                master = loaded.folder.render(film["name"])
                assert master.samefile(loaded.folder.web_rendition(film["name"], same_as))
                assert not any(_writes(c, f".{film['name']}.rendered-")
                               for c in COMMANDS["render"]), stem  # fmt: skip
            elif report["assembly"]["method"] == "render" and same_as is None:
                assert any(f".{film['name']}.rendered-" in a for a in writers[0]), stem
            read = _files_read(writers[0])  # the camera files (and the logos of its cards)
            assert any(p.is_relative_to(media) for p in read), (stem, read)
            assert not any(p.is_relative_to(renders) for p in read), (stem, read)
    assert COMMANDS["publish"]
    for argv in COMMANDS["publish"]:
        assert "libx264" not in argv and "aac" not in argv, argv  # nothing encoded again
        if argv[0].endswith("ffmpeg") and argv[-1].endswith((".mp4", ".m3u8")):
            assert ["-c", "copy"] in [argv[i : i + 2] for i in range(len(argv))], argv


def _hostile_free(text: str) -> None:
    assert "<script>alert" not in text and "<b>Le Gros" not in text
    assert "<img src=x" not in text


@pytest.mark.slow
def test_hostile_text_shows_literally_on_the_pages_and_in_the_captions(published) -> None:
    _, site, _, manifest = published
    folder = site / manifest["slug"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    for html in (page, index):
        _hostile_free(html)
        assert (
            "Manger &lt;script&gt;alert(&#34;titre&#34;)&lt;/script&gt; &amp; &#34;local&#34;"
            in html
        )
    assert "Jean &lt;b&gt;Le Gros&lt;/b&gt; &amp; Cie" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; &#34;ok&#34;" in page  # the transcript
    captions = (folder / "text" / "full.fr.vtt").read_text(encoding="utf-8")
    assert '&lt;script&gt;alert(2)&lt;/script&gt; &amp; "ok"' in captions
    embedded = re.search(r'id="sous-titres-full">(.*?)</script>', page, re.DOTALL).group(1)
    assert "</" not in embedded and "<script" not in embedded
    # WebVTT cue text, escaped as in the .vtt file, after its speaker's voice tag
    first_cue = re.sub(r"^<v [^>]*>", "", json.loads(embedded)[0][2])
    assert first_cue.startswith("&lt;script&gt;alert(2)&lt;/script&gt; &amp;")
    assert manifest["title"] == HOSTILE_TITLE
    restitution = (folder / "restitution" / "index.html").read_text(encoding="utf-8")
    _hostile_free(restitution)
    assert "Jean &lt;b&gt;Le Gros&lt;/b&gt; &amp; Cie" in restitution
    assert "&lt;img src=x onerror=alert(1)&gt;" in restitution


@pytest.mark.slow
def test_republishing_encodes_nothing_and_leaves_other_sessions_alone(published) -> None:
    loaded, site, first, manifest = published
    assert first.encoded == ["full", "highlights"]
    other = site / "autre-rencontre"
    other.mkdir(exist_ok=True)
    other_manifest = dict(manifest, slug="autre-rencontre", title="Une autre Rencontre",
                          date="2025-11-20")  # fmt: skip
    (other / "manifest.json").write_text(json.dumps(other_manifest), encoding="utf-8")
    (other / "index.html").write_text("<p>page de l'autre</p>", encoding="utf-8")
    folder = site / manifest["slug"]
    videos = {p: p.stat().st_mtime_ns for p in (folder / "video").iterdir()}
    again = publish(loaded, site, preset_name="ladder")
    assert again.encoded == []
    assert again.restitution.pdf is None, "the printed restitution, unchanged, is not laid out"
    assert {p: p.stat().st_mtime_ns for p in (folder / "video").iterdir()} == videos
    assert (other / "index.html").read_text(encoding="utf-8") == "<p>page de l'autre</p>"
    listed = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["sessions"]
    assert [s["slug"] for s in listed] == [manifest["slug"], "autre-rencontre"]  # newest first
    assert 'href="autre-rencontre/index.html"' in (site / "index.html").read_text(encoding="utf-8")
    for entry in json.loads((folder / "manifest.json").read_text())["films"][0]["renditions"]:
        assert (folder / entry["file"]["path"]).stat().st_size == entry["file"]["bytes"]
    # a changed quote takes a new still and re-encodes no film
    cues = loaded.folder.cues / "highlights.yaml"
    cues.write_text(cues.read_text(encoding="utf-8").replace("text: ", "text: Autre, ", 1),
                    encoding="utf-8")  # fmt: skip
    quoted = publish(load_session(loaded.root), site, preset_name="ladder")
    assert quoted.encoded == []
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "« Autre, " in page
    assert quoted.restitution.pdf is not None, "the restitution prints the new quote"
    restitution = (folder / "restitution" / "index.html").read_text(encoding="utf-8")
    assert "Autre, " in restitution
    _hostile_free(restitution)
    # the synthesis edited: laid out again
    synthesis = loaded.root / "restitution.md"
    written = synthesis.read_text(encoding="utf-8")
    synthesis.write_text("# Relu\n\nUn texte <script>alert(4)</script> relu.\n", "utf-8")
    edited = publish(load_session(loaded.root), site, preset_name="ladder")
    assert edited.restitution.pdf is not None
    restitution = (folder / "restitution" / "index.html").read_text(encoding="utf-8")
    assert "<h3>Relu</h3>" in restitution and "&lt;script&gt;alert(4)" in restitution
    synthesis.write_text(written, encoding="utf-8")
    # a page a document could carry script on the site's own origin: refused, with its line
    (loaded.root / "documents").mkdir(exist_ok=True)
    (loaded.root / "documents" / "evil.html").write_text("<script>alert(3)</script>")
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    loaded.folder.session_file.write_text(
        text + "documents:\n  - {title: Programme, path: documents/evil.html}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as refused:
        publish(load_session(loaded.root), site, preset_name="ladder")
    (problem,) = refused.value.problems
    assert problem.line is not None and ".html files are not published" in problem.message
    loaded.folder.session_file.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_publishing_touches_only_what_capture_wrote(published, tmp_path) -> None:
    """A webmaster's photo in the session folder was deleted; a site capture did not make, or
    another session with the same slug, was overwritten; a bad document was found only after
    every rendition was encoded."""
    from pipeline.publish.ownership import NotOurs

    loaded, site, _, manifest = published
    folder = site / manifest["slug"]
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "photos" / "family.jpg").write_bytes(b"\xff\xd8 the webmaster's")
    again = publish(loaded, site, preset_name="ladder")
    assert again.encoded == [] and (folder / "photos" / "family.jpg").is_file()

    other = tmp_path / "autre" / loaded.root.name
    shutil.copytree(loaded.root, other, ignore=shutil.ignore_patterns("media", "work"))
    text = (other / "session.yaml").read_text(encoding="utf-8")
    (other / "session.yaml").write_text(re.sub(r"(?m)^date: .*$", "date: 2027-01-15", text))
    page = (folder / "index.html").read_bytes()
    with pytest.raises(NotOurs, match="holds another session"):
        publish(load_session(other), site, preset_name="ladder")
    assert (folder / "index.html").read_bytes() == page

    theirs = tmp_path / "their-site"
    theirs.mkdir()
    (theirs / "index.html").write_text("<h1>Le site de la métropole</h1>", encoding="utf-8")
    with pytest.raises(NotOurs, match="not a site capture made .*index.html.*--force"):
        publish(loaded, theirs, preset_name="ladder")
    assert sorted(p.name for p in theirs.iterdir()) == ["index.html"]

    fresh = tmp_path / "fresh-site"
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    loaded.folder.session_file.write_text(
        text + "documents:\n  - {title: Programme, path: documents/absent.pdf}\n", "utf-8"
    )
    try:
        with pytest.raises(ConfigError, match="absent.pdf"):
            publish(load_session(loaded.root), fresh, preset_name="ladder")
    finally:
        loaded.folder.session_file.write_text(text, encoding="utf-8")
    assert not (fresh / manifest["slug"]).exists(), "checked before any encode"


def _synthetic_face(size: tuple[int, int] = (640, 360)) -> np.ndarray:
    """The sample's drawn face on a plain wall (the frontal-face cascade finds it)."""
    from pipeline.samples.face import draw_face

    return draw_face(*size)


@pytest.mark.slow
def test_the_poster_is_a_sharp_well_exposed_face_not_a_card_or_black(tmp_path: Path) -> None:
    """Four seconds each: black, a title card, a sharp pattern, a face, a blurred face."""
    face = tmp_path / "face.png"
    cv2.imwrite(str(face), _synthetic_face())
    film = tmp_path / "film.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=black:size=640x360:rate=25:duration=4",
           "-f", "lavfi", "-i", "color=0x14213d:size=640x360:rate=25:duration=4",
           "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
           "-loop", "1", "-framerate", "25", "-t", "4", "-i", face,
           "-loop", "1", "-framerate", "25", "-t", "4", "-i", face,
           "-filter_complex",
           "[1:v]drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:"
           "text=Titre:fontsize=40:fontcolor=white:x=(w-tw)/2:y=(h-th)/2[card];"
           "[4:v]gblur=sigma=12[blurred];"
           "[0:v][card][2:v][3:v][blurred]concat=n=5:v=1:a=0,format=yuv420p[v]",
           "-map", "[v]", "-c:v", "libx264", "-g", "25", film)  # fmt: skip
    work = tmp_path / "frames"
    work.mkdir()
    found = images.candidates(film, [(0.0, 20.0)], work, count=20)
    assert all(not 0 <= c.time_s < 4 for c in found), "black frames are not candidates"
    faces = [c for c in found if c.faces]
    assert faces and all(12 <= c.time_s < 20 for c in faces)
    poster = images.choose_poster(found)
    assert 12 <= poster.time_s < 16, "the sharp face, not the blurred one nor the card"
    ambiance = images.choose_ambiance(found, 4, 20.0)
    assert len({int(c.time_s // 4) for c in ambiance}) == len(ambiance) >= 2
    sprite = sprites.thumbnail_sprite(film, 20.0, tmp_path, "film")
    tile = cv2.imread(str(sprite.images[0]))
    entries = re.findall(r"(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)", sprite.vtt.read_text())
    assert len(entries) == 10  # one every 2 s
    for name, x, y, w, h in entries:
        assert name == sprite.images[0].name
        assert int(x) + int(w) <= tile.shape[1] and int(y) + int(h) <= tile.shape[0]


def test_thumbnail_sheets_drawn_apart_are_those_of_one_pass(tmp_path: Path) -> None:
    """Each sheet seeks to its own span (so that sheets can be drawn by different
    workers): the same bytes as one pass over the whole film, and every tile in the VTT."""
    film = tmp_path / "film.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=23", "-c:v", "libx264",
           "-g", "25", "-pix_fmt", "yuv420p", film)  # fmt: skip
    grid = sprites.SpriteGrid(23.0, 2.0, 64, 36, columns=2, rows=2)
    jobs: list[str] = []

    def spread(batch):
        jobs.extend(job.label for job in batch)
        return [job.run() for job in reversed(batch)][::-1]  # any order

    sprite = sprites.thumbnail_sprite(film, 23.0, tmp_path / "apart", "film", spread=spread,
                                      grid=grid)  # fmt: skip
    assert grid.count == 12 and grid.sheets == 3 and len(jobs) == 3
    one_pass = tmp_path / "one-pass"
    one_pass.mkdir()
    ffmpeg("-i", film, "-vf", "fps=1/2,scale=64:36,tile=2x2", "-q:v", "5",
           one_pass / "sheet-%03d.jpg")  # fmt: skip
    expected = sorted(one_pass.glob("sheet-*.jpg"))
    assert [p.read_bytes() for p in sprite.images] == [p.read_bytes() for p in expected]
    entries = re.findall(r"(\S+)#xywh=(\d+),(\d+),64,36", sprite.vtt.read_text())
    assert [(name, int(x), int(y)) for name, x, y in entries] == [
        (sprite.images[n // 4].name, (n % 2) * 64, (n % 4 // 2) * 36) for n in range(12)
    ]

    # a film a little longer than its pictures (its sound runs on): no sheet is sought
    # past the last frame (it would be empty); the last thumbnail's cue runs to the end
    longer = sprites.SpriteGrid(24.02, 2.0, 64, 36, columns=2, rows=2, last_frame_s=22.96)
    sprite = sprites.thumbnail_sprite(film, 24.02, tmp_path / "longer", "film", grid=longer)
    assert len(sprite.images) == 3
    assert sprite.vtt.read_text().rstrip().splitlines()[-2:] == [
        "00:00:22.000 --> 00:00:24.020",
        f"{sprite.images[2].name}#xywh=64,36,64,36",
    ]


def test_thumbnails_are_drawn_from_the_smallest_rendition_big_enough(tmp_path: Path) -> None:
    from pipeline.publish.film import _thumbnail_source
    from pipeline.publish.rendered import RenderedFilm, WebRendition
    from pipeline.timeline.timemap import TimeMap

    def rung(name: str, width: int, height: int) -> WebRendition:
        return WebRendition(name, width, height, tmp_path / f"{name}.mp4", 1)

    ladder = (rung("1080p", 1920, 1080), rung("360p", 640, 360), rung("144p", 256, 144),
              rung("720p", 1280, 720), rung("270p-av1", 480, 270))  # fmt: skip
    film = RenderedFilm("full", tmp_path / "full.mp4", 60.0, TimeMap(()), "web", ladder)
    grid = sprites.sprite_grid(60.0, 16 / 9)  # 160 x 90 thumbnails
    assert _thumbnail_source(film, {"270p-av1"}, grid) == tmp_path / "360p.mp4"
    assert _thumbnail_source(film, {"270p-av1", "360p"}, grid) == tmp_path / "720p.mp4"
    portrait = sprites.sprite_grid(60.0, 9 / 16)  # 160 x 284: the 360p rung is too short
    assert _thumbnail_source(film, {"270p-av1"}, portrait) == tmp_path / "720p.mp4"
    small = RenderedFilm("full", tmp_path / "full.mp4", 60.0, TimeMap(()), "web", ladder[2:3])
    assert _thumbnail_source(small, set(), grid) == tmp_path / "full.mp4"


@pytest.fixture
def served(published):
    """The site behind a server that honours Range requests, as a real host does."""
    from pipeline.publish.serve import serving

    _, site, _, manifest = published
    with serving(site) as base:
        yield base, manifest, site


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)  # fmt: skip
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    yield driver
    driver.quit()


def _wait(driver, script: str, timeout: float = 15.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(script)
    )


@pytest.mark.slow
def test_the_site_works_in_a_real_browser(served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, manifest, _ = served
    browser.get(f"{base}/index.html")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    link = browser.find_element(By.CSS_SELECTOR, f'a[href="{manifest["slug"]}/index.html"]')
    assert HOSTILE_TITLE in link.text
    link.click()
    _wait(browser, "return document.getElementById('video-full').readyState >= 1")
    duration = browser.execute_script("return document.getElementById('video-full').duration")
    assert duration == pytest.approx(manifest["films"][0]["duration_s"], abs=0.1)
    browser.execute_script("const v = document.getElementById('video-full');"
                           "v.muted = true; v.currentTime = 5; v.play();")  # fmt: skip
    _wait(browser, "return document.getElementById('video-full').currentTime > 7.5")
    cues = _wait(browser, """
        const track = [...document.getElementById('video-full').textTracks]
            .find(t => t.kind === 'captions');
        return track && track.mode === 'showing' && track.cues && track.cues.length
            ? [...track.cues].map(c => c.text) : null;""")  # fmt: skip
    assert len(cues) == len(read_subtitles(served[2] / manifest["slug"] / "text/full.fr.srt"))
    assert any(re.search(r"\b(nous|la|les|de)\b", text) for text in cues), "French text"
    chapters = _wait(browser, """
        const t = [...document.getElementById('video-full').textTracks]
            .find(t => t.kind === 'chapters');
        t.mode = 'hidden';
        return t.cues && t.cues.length ? [...t.cues].map(c => c.text) : null;""")  # fmt: skip
    assert chapters == ["Ouverture"]
    browser.execute_script("document.getElementById('video-full').pause()")
    full_transcript = "section[aria-labelledby=transcription] a[data-seek][data-film=full]"
    # the last: far from what is loaded, so the player must ask the server for a byte range
    paragraph = browser.find_elements(By.CSS_SELECTOR, full_transcript)[-1]
    target = float(paragraph.get_attribute("data-seek"))
    paragraph.click()
    _wait(browser, f"return Math.abs(document.getElementById('video-full').currentTime"
                   f" - {target}) < 0.5")  # fmt: skip
    # every link, button, field and player shown is reached with the Tab key alone (a closed
    # <details> hides the highlights' transcript until it is opened)
    # (each marked once: what is shown changes as the page scrolls, e.g. the floating player)
    wanted = browser.execute_script(
        "const shown = [...document.querySelectorAll('a[href], video, button, select, input')]"
        "  .filter(e => e.checkVisibility());"
        "shown.forEach((e, i) => { e.dataset.clavier = i; });"
        "return shown.map(e => e.outerHTML.slice(0, 100));")  # fmt: skip
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    reached = set()
    for _ in range(len(wanted) + 60):  # a player's own controls take several Tab presses
        browser.switch_to.active_element.send_keys(Keys.TAB)
        reached.add(browser.execute_script("return document.activeElement.dataset.clavier"))
    missing = [wanted[i] for i in range(len(wanted)) if str(i) not in reached]
    assert not missing, f"not reached by keyboard: {missing}"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.mark.slow
def test_the_page_shows_its_captions_from_a_file_too(published, browser) -> None:
    _, site, _, manifest = published
    browser.get((site / manifest["slug"] / "index.html").as_uri())
    count = _wait(browser, """
        const track = [...document.getElementById('video-full').textTracks]
            .find(t => t.kind === 'captions' && t.mode === 'showing' && t.cues && t.cues.length);
        return track ? track.cues.length : null;""")  # fmt: skip
    assert count == len(read_subtitles(site / manifest["slug"] / "text/full.fr.srt"))
    shown = browser.execute_script("""
        const track = [...document.getElementById('video-full').textTracks]
            .find(t => t.kind === 'captions' && t.cues && t.cues.length);
        return track.cues[0].getCueAsHTML().textContent;""")  # fmt: skip
    assert shown.startswith(HOSTILE_CAPTION), "shown as written, not as markup"


def test_a_damaged_render_report_is_named_and_the_film_asked_again(tmp_path: Path) -> None:
    from datetime import date

    from pipeline.core.errors import CaptureError
    from pipeline.publish.rendered import rendered_film
    from pipeline.session.scaffold import init_session

    loaded = init_session(tmp_path / "s", title="Rapport", date=date(2026, 3, 12))
    loaded.folder.render("full").write_bytes(b"")
    report = loaded.folder.render_report("full")
    for data, fault in (
        (b"{", "Invalid JSON"),
        (b'{"film": "full"}', "file: Field required"),
        (
            b'{"film": "full", "file": "full.mp4", "rendered_at": "", "duration_s": "x"}',
            "duration_s: ",
        ),
        (b'{"film": "\xff"}', "not UTF-8 text"),
    ):
        report.write_bytes(data)
        with pytest.raises(CaptureError, match=r"full\.json is not a render report") as caught:
            rendered_film(loaded, "full")
        assert fault in str(caught.value) and str(caught.value).endswith("render the full again")


@pytest.mark.slow
def test_subtitle_files_that_no_longer_fit_their_film_are_refused(published) -> None:
    """Publish takes each film's subtitles as `capture subtitles` wrote them, and says which
    step to run again when they were edited by hand, made before the last review import, or
    placed on another cut than the one rendered; once redone, they publish again."""
    from pipeline.core.errors import CaptureError
    from pipeline.publish.rendered import rendered_film
    from pipeline.publish.texttracks import film_text
    from pipeline.session.cuelist import load_cue_list

    source, _, _, _ = published
    folder = source.root.parent / "publish-stale"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source.root, folder)
    loaded = load_session(folder)

    def text():
        name = "highlights"
        return film_text(loaded, rendered_film(loaded, name), load_cue_list(loaded, name))

    fitting = text()
    assert fitting.reviewed and fitting.cues and fitting.captions is not None
    assert fitting.captions.read_bytes() == loaded.folder.film_subtitles("highlights", "vtt")\
        .read_bytes()  # fmt: skip
    for path, reason in (
        (loaded.folder.film_subtitles("highlights", "vtt"), "was changed after"),
        (loaded.folder.reviewed_subtitles, "the transcript or the reviewed subtitles changed"),
    ):
        kept = path.read_bytes()
        path.write_bytes(kept + b"\n")
        with pytest.raises(CaptureError, match=reason) as caught:
            text()
        assert f"capture subtitles {folder}" in str(caught.value)
        path.write_bytes(kept)
    assert text().cues == fitting.cues
    cues = loaded.folder.cue_list("highlights")
    first_in = re.search(r"(?m)^- in: ([\d.]+)$", cues.read_text(encoding="utf-8"))
    assert first_in
    later = f"- in: {float(first_in[1]) + 0.3:.3f}"
    cues.write_text(cues.read_text(encoding="utf-8").replace(first_in[0], later), "utf-8")
    build_subtitles(loaded)
    with pytest.raises(CaptureError, match="rendered from another cut"):
        text()
    render(loaded, "highlights", preview=True)  # a preview is not the film published
    with pytest.raises(CaptureError, match="rendered from another cut"):
        text()
    render(loaded, "highlights", preset_name="ladder")
    recut = text()
    assert recut.cues and recut.cues[0].start_ms != fitting.cues[0].start_ms
    srt = loaded.folder.film_subtitles("highlights", "srt")
    kept = srt.read_bytes()
    srt.unlink()
    with pytest.raises(CaptureError, match=r"highlights\.fr\.srt is missing"):
        text()
    srt.write_bytes(kept)
    loaded.folder.film_subtitles_record("highlights").unlink()
    with pytest.raises(CaptureError, match="has no record of what it was made from"):
        text()
    # publish checks every film's subtitles before it encodes anything
    site = folder.parent / "publish-stale-site"
    shutil.rmtree(site, ignore_errors=True)
    with pytest.raises(CaptureError, match="has no record"):
        publish(loaded, site, preset_name="ladder")
    assert not list(site.rglob("*.mp4"))
    rendition = loaded.folder.web_rendition("full", "120p")  # replaced behind the render's back
    rendition.write_bytes(rendition.read_bytes()[:-1000])
    with pytest.raises(CaptureError, match=r"full-120p\.mp4 is missing or not the file"):
        publish(loaded, site, preset_name="ladder")


SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
"""Where the browser tests leave their screenshots for a person to look at."""
AXE = Path(__file__).resolve().parents[1] / "build" / "tools" / "node_modules" / "axe-core"
SITE_YAML = """title: Les Rencontres de la prospective
introduction: |
  Un cycle de débats publics sur la métropole de demain.

  Quatre Rencontres par an, une séance de clôture.
base_url: https://rencontres.example.org/
themes: [Alimentation, Mobilités]
documents:
  - {title: Programme du cycle, path: programme.pdf}
links:
  - {title: La Métropole, url: "https://example.org/"}
contact: {email: rencontres@example.org, address: 1 place de la Métropole}
legal:
  publisher: Métropole, 1 place de la Métropole
  director: La présidente de la Métropole
  host: {name: Hébergeur public, address: 2 rue du Serveur}
accessibility: {status: partiellement conforme, audit_date: 2026-10-01}
podcast: {author: "Métropole & associés", email: rencontres@example.org, image: cover.png}
"""


@pytest.fixture(scope="module")
def cycle(published, tmp_path_factory):
    """A cycle folder (site.yaml, two published Rencontres made from the rendered tiny
    sample under other slugs, one not filmed yet) and its site."""
    from datetime import date, timedelta

    loaded = published[0]
    root = tmp_path_factory.mktemp("cycle")
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (root / "programme.pdf").write_bytes(b"%PDF-1.4\n% programme\n")
    ffmpeg("-f", "lavfi", "-i", "color=c=navy:s=1400x1400", "-frames:v", "1", root / "cover.png")
    site = root / "site"
    sessions = []
    for slug, title, day in (("premiere", "Manger local en 2040", "2026-03-12"),
                             ("seconde", "Habiter la métropole", "2026-06-04")):  # fmt: skip
        folder = root / slug
        shutil.copytree(loaded.root, folder, ignore=shutil.ignore_patterns("*.lock"))
        text = (folder / "session.yaml").read_text(encoding="utf-8")
        for key, value in (("slug", slug), ("title", json.dumps(title)), ("date", day)):
            text = re.sub(rf"(?m)^{key}: .*$", lambda _, k=key, v=value: f"{k}: {v}", text)
        (folder / "session.yaml").write_text(text, encoding="utf-8")
        publish(load_session(folder), site, preset_name="ladder")
        sessions.append(slug)
    soon = date.today() + timedelta(days=30)
    (root / "prochaine").mkdir()
    (root / "prochaine" / "session.yaml").write_text(
        f"slug: prochaine\ntitle: Se déplacer demain\ndate: {soon}\nstart_time: '18:30'\n"
        "kind: closing\nspeakers: [{name: Léa Petit}]\n", encoding="utf-8")  # fmt: skip
    publish(load_session(root / "premiere"), site, preset_name="ladder")  # the calendar again
    return site, sessions


def _axe_violations(driver) -> list[str]:
    source = AXE / "axe.min.js"
    assert source.is_file(), f"{source} is missing: `make test-deps` installs axe-core"
    driver.execute_script(source.read_text(encoding="utf-8"))
    script = """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})
          .then(r => done(r.violations.map(v => v.id + ': ' +
                                           v.nodes.map(n => n.target.join(' ')).join(', '))),
                e => done(['axe: ' + e]));"""
    return driver.execute_async_script(script)


def _screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, mobile in ((1366, 768, False), (390, 844, True)):
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        label = f"{width}x{height}"
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-{label}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.slow
def test_the_cycle_home_lists_every_kind_and_the_next_session(cycle) -> None:
    site, sessions = cycle
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Se déplacer demain" in home and "Séance de clôture" in home, "the calendar"
    assert all(f'href="{slug}/index.html"' in home for slug in sessions)
    assert "Accessibilité : partiellement conforme" in home
    assert 'href="cycle/documents/01-programme.pdf"' in home
    for page in ("mentions-legales.html", "accessibilite.html", "recherche.html",
                 "intervenants/index.html", "intervenants/claire-martin.html"):  # fmt: skip
        assert (site / page).is_file(), page
    legal = (site / "mentions-legales.html").read_text(encoding="utf-8")
    assert "La présidente de la Métropole" in legal and "Hébergeur public" in legal
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://rencontres.example.org/seconde/" in sitemap
    speaker = (site / "intervenants" / "claire-martin.html").read_text(encoding="utf-8")
    assert all(f'href="../{slug}/index.html#t=' in speaker for slug in sessions)
    import xml.etree.ElementTree as ET

    feed = ET.parse(site / "podcast.xml").getroot()
    assert feed.find("channel/{http://www.itunes.com/dtds/podcast-1.0.dtd}author").text == (
        "Métropole & associés")  # fmt: skip
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    cover = feed.find(f"channel/{itunes}image").attrib["href"]
    assert cover == "https://rencontres.example.org/cycle/podcast.png"
    assert (site / "cycle" / "podcast.png").is_file()
    self_link = feed.find("channel/{http://www.w3.org/2005/Atom}link").attrib
    assert (self_link["rel"], self_link["href"]) == (
        "self", "https://rencontres.example.org/podcast.xml")  # fmt: skip
    items = feed.findall("channel/item")
    assert [i.find("guid").text for i in items] == ["seconde-full", "premiere-full"]
    # the sessions' own clock (Paris): summer and winter time
    assert [i.find("pubDate").text[-5:] for i in items] == ["+0200", "+0100"]
    assert [i.find("title").text for i in items] == ["Habiter la métropole", "Manger local en 2040"]
    for item, slug in zip(items, ["seconde", "premiere"], strict=True):
        enclosure = item.find("enclosure").attrib
        audio = site / slug / "audio" / "full.m4a"
        assert enclosure["url"] == f"https://rencontres.example.org/{slug}/audio/full.m4a"
        assert (enclosure["type"], int(enclosure["length"])) == ("audio/mp4", audio.stat().st_size)
        chapters = _probe(audio, "-show_chapters")["chapters"]
        assert [c["tags"]["title"] for c in chapters] == ["Ouverture"], "chapters for listeners"


@pytest.mark.slow
def test_search_across_the_cycle_opens_the_moment_with_captions(cycle, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from pipeline.publish.serve import serving

    site, sessions = cycle
    turns = json.loads((site / sessions[1] / "text" / "full.turns.json").read_text("utf-8"))
    word = max((w for t in turns for w in re.findall(r"[^\W\d_]{7,}", t["text"])), key=len)
    with serving(site) as base:
        browser.get(f"{base}/index.html")
        field = browser.find_element(By.ID, "q-bandeau")
        field.send_keys(word, Keys.ENTER)  # the banner's search, by keyboard
        _wait(browser, "return document.querySelectorAll('#resultats a').length > 0")
        hits = browser.find_elements(By.CSS_SELECTOR, "#resultats a")
        first = [h.get_attribute("href") for h in hits]
        opened = {h.split("/")[-2] for h in first}
        assert opened == set(sessions), "a word said in both Rencontres: both listed"
        assert word.lower() in browser.find_element(By.CSS_SELECTOR, "#resultats mark").text.lower()
        browser.get(f"{base}/recherche.html?q=" + urllib.parse.quote(f"les {word.upper()} de"))
        _wait(browser, "return document.querySelectorAll('#resultats a').length > 0")
        again = {
            h.get_attribute("href") for h in browser.find_elements(By.CSS_SELECTOR, "#resultats a")
        }
        assert again == set(first), "function words and case ignored"
        _screenshot(browser, "recherche")
        hits = browser.find_elements(By.CSS_SELECTOR, "#resultats a")
        assert _axe_violations(browser) == [], "search results"
        target = next(h for h in hits if f"/{sessions[1]}/" in h.get_attribute("href"))
        moment = float(target.get_attribute("href").rsplit("#t=", 1)[1])
        browser.execute_script("arguments[0].focus()", target)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        _wait(browser, "const v = document.getElementById('video-full');"
                       "return v && v.readyState >= 1 && !v.paused")  # fmt: skip
        now = browser.execute_script("return document.getElementById('video-full').currentTime")
        assert moment - 0.1 <= now <= moment + 1.5, "plays from that moment"
        showing = browser.execute_script(
            "return [...document.getElementById('video-full').textTracks]"
            ".some(t => t.kind === 'captions' && t.mode === 'showing')")  # fmt: skip
        assert showing, "with captions"
        current = _wait(browser, "const p = document.querySelector('.transcription .en-cours a');"
                                 "return p && parseFloat(p.dataset.seek)")  # fmt: skip
        assert current <= moment + 1.5, "the transcript follows the film"


@pytest.mark.slow
def test_the_session_page_works_by_keyboard_and_passes_axe(cycle, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from pipeline.publish.serve import serving

    site, sessions = cycle
    with serving(site) as base:
        for page in ("index.html", "mentions-legales.html", "accessibilite.html",
                     "intervenants/index.html", "intervenants/claire-martin.html"):  # fmt: skip
            browser.get(f"{base}/{page}")
            assert _axe_violations(browser) == [], page
        _screenshot(browser, "intervenant")
        browser.get(f"{base}/index.html")
        _screenshot(browser, "accueil")
        browser.get(f"{base}/{sessions[0]}/index.html#t=0:09")  # a shared moment
        _wait(browser, "const v = document.getElementById('video-full');"
                       "return v.readyState >= 1 && v.currentTime >= 8.9")  # fmt: skip
        assert _axe_violations(browser) == [], "session page"
        video = "document.getElementById('video-full')"
        browser.execute_script(f"{video}.pause()")
        chapter = browser.find_element(By.CSS_SELECTOR, ".chapitrage button.chapitre")
        start = float(chapter.get_attribute("data-seek"))
        browser.execute_script("arguments[0].focus()", chapter)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        _wait(browser, f"return Math.abs({video}.currentTime - {start}) < 0.5")
        thumbnail = browser.execute_script(
            "const p = document.querySelector('.chapitrage .apercu');"
            "return p.hidden ? null : p.querySelector('.image').style.backgroundImage")  # fmt: skip
        assert thumbnail and ".sprite-" in thumbnail, "the chapter's thumbnail is previewed"
        browser.execute_script(f"{video}.pause(); {video}.currentTime = 15")
        chapter.click()  # the same by mouse
        _wait(browser, f"return Math.abs({video}.currentTime - {start}) < 0.5")
        speed = browser.find_element(By.CSS_SELECTOR, "select.vitesse[data-film=full]")
        Select(speed).select_by_value("1.5")  # by mouse
        assert browser.execute_script(f"return {video}.playbackRate") == 1.5
        Select(speed).select_by_value("1")
        browser.execute_script("arguments[0].focus()", speed)
        browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)  # by keyboard
        _wait(browser, f"return {video}.playbackRate === 1.25")
        share = browser.find_element(By.CSS_SELECTOR, "button.partager")
        for press in (lambda: share.click(),
                      lambda: browser.switch_to.active_element.send_keys(Keys.ENTER)):  # fmt: skip
            browser.execute_script(f"{video}.pause(); {video}.currentTime = 12.4;")
            browser.execute_script("document.querySelector('.lien-partage').textContent = ''")
            browser.execute_script("arguments[0].focus()", share)
            press()
            link = _wait(browser, "return document.querySelector('.lien-partage').textContent")
            assert link.endswith(f"/{sessions[0]}/index.html#t=0:12"), link
        quote = browser.find_element(By.CSS_SELECTOR, ".citations a[data-film=full]")
        seconds = float(quote.get_attribute("data-seek"))
        for press in (lambda: quote.click(),
                      lambda: browser.switch_to.active_element.send_keys(Keys.ENTER)):  # fmt: skip
            browser.execute_script(f"{video}.pause(); {video}.currentTime = 1")
            browser.execute_script("arguments[0].focus()", quote)
            press()
            _wait(browser, f"return Math.abs({video}.currentTime - {seconds}) < 0.5")
        _screenshot(browser, "seance")
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    # the search works from the files themselves too (no server)
    browser.get((site / "recherche.html").as_uri() + "?q=Bonsoir")
    assert _wait(browser, "return document.querySelectorAll('#resultats a').length") >= 2


def _pdf_pages_as_images(pdf: Path, folder: Path, dpi: int = 150) -> list[Path]:
    """The PDF's pages as PNG images, drawn by poppler (``pdftoppm``)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
                   check=True)  # fmt: skip
    return sorted(folder.glob("page-*.png"))


def _qr_codes(page: Path) -> set[str]:
    """What the QR codes drawn on the page say, read by OpenCV's two detectors (the classic
    one can miss one code among several on a page)."""
    image = cv2.imread(str(page))
    found = set()
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        ok, texts, _, _ = detector.detectAndDecodeMulti(image)
        found |= {t for t in texts if t} if ok else set()
    return found


def _pdf_images(pdf: Path) -> list[dict]:
    """``pdfimages -list``: each image's page, size in pixels and resolution as printed."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]  # fmt: skip
    keys = ("page", "width", "height", "x_ppi", "y_ppi")
    return [dict(zip(keys, (int(f[0]), int(f[3]), int(f[4]), int(f[12]), int(f[13])), strict=True))
            for f in (line.split() for line in listing)]  # fmt: skip


@pytest.mark.slow
def test_the_printed_restitution_links_each_quote_to_its_moment(cycle, browser, tmp_path) -> None:
    """`capture restitution` on a published Rencontre: an A4 PDF, fonts embedded, each quote
    with its still and a QR code whose address plays the film from the quote's moment."""
    from selenium.webdriver.common.by import By

    from pipeline.publish.serve import serving

    site, sessions = cycle
    session = site.parent / sessions[0]
    result = subprocess.run([sys.executable, "-m", "pipeline", "restitution", str(session),
                             "--site", str(site)], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((site / sessions[0] / "manifest.json").read_text(encoding="utf-8"))
    pdf = site / sessions[0] / manifest["restitution"]["pdf"]["path"]
    assert str(pdf) in result.stdout and "MB" in result.stdout, "the file and its size reported"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    assert re.search(r"Tagged:\s+yes", info), "a tagged PDF (PDF/UA) for screen readers"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), f"every font embedded: {fonts}"
    quotes = manifest["quotes"]
    assert quotes, "the sample's cue lists have a quote"
    images_in_pdf = _pdf_images(pdf)
    photos = manifest["photos"] + manifest["ambiance"]
    assert len(images_in_pdf) == len(quotes) + len(photos), "each still and photo, once"
    files = [q["still"]["path"] for q in quotes] + [p["file"]["path"] for p in photos]
    sources = [cv2.imread(str(site / sessions[0] / f)).shape[1] for f in files]
    for image, source_width in zip(images_in_pdf, sources, strict=True):
        assert image["x_ppi"] == image["y_ppi"], f"undistorted: {image}"
        # never scaled below 300 dpi; the tiny sample's 320-pixel stills print as they are
        assert image["x_ppi"] >= 300 or image["width"] == source_width, image
    assert max(sources) > 1000 and any(i["x_ppi"] == 300 for i in images_in_pdf), (
        "the photographer's large photo is scaled down to 300 dpi"
    )
    assert f"images print at {min(i['x_ppi'] for i in images_in_pdf)} dpi" in result.stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout  # fmt: skip
    assert "Synthèse des échanges" in text and "Ce qui s'est dit" in text, "restitution.md"
    assert "Jacques Dubois" in text and "maraîcher" in text, "the quote's speaker and role"
    assert "Avec le soutien du programme" in text, "the funding mention"
    codes = [c for page in _pdf_pages_as_images(pdf, tmp_path / "pages") for c in _qr_codes(page)]
    base_url = "https://rencontres.example.org/"
    assert f"{base_url}{sessions[0]}/" in codes, "the session page"
    with serving(site) as served:
        for quote in quotes:
            assert quote["film"] == "full"
            minutes, seconds = divmod(int(quote["time_s"]), 60)
            wanted = f"{base_url}{sessions[0]}/#t={minutes}:{seconds:02d}"
            assert wanted in codes, f"the QR code of {quote['text']!r}: {codes}"
            assert wanted.removeprefix("https://") in text, "and its printed address"
            browser.get(served + "/" + wanted.removeprefix(base_url))
            _wait(browser, "const v = document.getElementById('video-full');"
                           "return v && v.readyState >= 2 && !v.paused")  # fmt: skip
            now = browser.execute_script("return document.getElementById('video-full').currentTime")
            assert quote["time_s"] - 1 <= now <= quote["time_s"] + 1.5, "plays from that moment"
        browser.get(f"{served}/{sessions[0]}/restitution/index.html")
        assert browser.find_element(By.CSS_SELECTOR, "blockquote").text.startswith("«")
        assert _axe_violations(browser) == [], "the restitution's page"
        _screenshot(browser, "restitution")


@pytest.mark.slow
def test_the_cycle_restitution_gathers_every_rencontre_after_its_contents(cycle) -> None:
    site, sessions = cycle
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="cycle/restitution-du-cycle.pdf"' in home
    pdf = site / "cycle" / "restitution-du-cycle.pdf"
    contents = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                              capture_output=True, text=True).stdout  # fmt: skip
    titles = {"premiere": "Manger local en 2040", "seconde": "Habiter la métropole"}
    for slug in sessions:
        listed = re.search(rf"{titles[slug]}[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert listed, f"{titles[slug]} in the table of contents: {contents}"
        page = subprocess.run(["pdftotext", "-f", listed[1], "-l", listed[1], str(pdf), "-"],
                              capture_output=True, text=True).stdout  # fmt: skip
        assert titles[slug] in page and "Synthèse des échanges" in page, "on the page it gives"
    order = [contents.index(titles[slug]) for slug in ("premiere", "seconde")]
    assert order == sorted(order), "in date order"
    # publishing a session again, unchanged, does not lay the cycle's document out again
    made = pdf.stat().st_mtime_ns
    publish(load_session(site.parent / sessions[1]), site, preset_name="ladder")
    assert pdf.stat().st_mtime_ns == made


@pytest.mark.slow
def test_the_gallery_shows_web_sizes_and_opens_each_image_by_keyboard(cycle, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from pipeline.publish.serve import serving

    site, sessions = cycle
    folder = site / sessions[0]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (photo,) = manifest["photos"]
    assert (photo["width"], photo["height"]) == (2400, 1600), "the sample's photo, as given"
    assert [s["width"] for s in photo["sizes"]] == [480, 1280]
    for size in photo["sizes"]:
        made = cv2.imread(str(folder / size["file"]["path"]))
        assert made.shape[:2] == (size["height"], size["width"])
        assert size["file"]["bytes"] < photo["file"]["bytes"] / 3, "lighter than the original"
    count = 1 + len(manifest["ambiance"])
    with serving(site) as base:
        browser.get(f"{base}/{sessions[0]}/index.html")
        first = browser.find_element(By.CSS_SELECTOR, ".galerie a.agrandir")
        thumbnail = first.find_element(By.TAG_NAME, "img")
        assert thumbnail.get_attribute("loading") == "lazy"
        srcset = thumbnail.get_attribute("srcset")
        assert "-480.jpg 480w" in srcset and "-1280.jpg 1280w" in srcset
        browser.execute_script("arguments[0].focus()", first)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        _wait(browser, "return document.querySelector('dialog.visionneuse').open")
        large = _wait(browser, "const i = document.querySelector('dialog.visionneuse img');"
                               "return i.complete && i.naturalWidth")  # fmt: skip
        assert large == 1280
        words = browser.find_element(By.CSS_SELECTOR, "dialog.visionneuse figcaption").text
        assert words == "La salle pendant les échanges © Service communication de la Métropole"
        assert _axe_violations(browser) == [], "the viewer open"
        buttons = browser.find_elements(By.CSS_SELECTOR, "dialog.visionneuse button")
        assert [b.text for b in buttons if b.is_displayed()] == [
            "Image précédente", "Image suivante", "Fermer"]  # fmt: skip
        _screenshot(browser, "galerie")
        browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        position = browser.find_element(By.CSS_SELECTOR, "dialog.visionneuse .position").text
        assert position.startswith(f"Image 2 sur {count} : "), "said with its caption"
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        _wait(browser, "return !document.querySelector('dialog.visionneuse').open")
        assert browser.execute_script(
            "return document.activeElement === document.querySelector('.galerie a.agrandir')"
        )
