"""A rendition copied as a fragmented MP4 and its HLS playlist of byte ranges: fragments of
whole GOPs, durations from the picture's own index whatever the order of the tracks, and a
file that is not what the playlist needs refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ffmpeg

from pipeline.core.errors import CaptureError
from pipeline.publish.fragments import read_fragmented
from pipeline.publish.hls import byte_range_playlist, fragment_rendition


@pytest.fixture
def rendition(tmp_path: Path) -> Path:
    """13 s of picture with a key frame every 2 s, and its sound."""
    path = tmp_path / "rendition.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=13", "-f", "lavfi",
           "-i", "sine=d=13:sample_rate=48000", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-c:a", "aac",
           "-movflags", "+faststart", path)  # fmt: skip
    return path


@pytest.mark.parametrize("sound_first", [False, True])
def test_fragments_are_whole_gops_timed_by_the_picture(rendition, tmp_path, sound_first) -> None:
    source = rendition
    if sound_first:  # the picture is the second track: its index is not the first
        source = tmp_path / "sound-first.mp4"
        ffmpeg("-i", rendition, "-map", "0:a", "-map", "0:v", "-c", "copy", source)
    target = tmp_path / "site" / "film.mp4"
    fragment_rendition(source, target, 6.0)
    layout = read_fragmented(target)
    assert [round(f.duration_s, 3) for f in layout.fragments] == [6.0, 6.0, 1.0]
    data = target.read_bytes()
    assert data[layout.init_size + 4 : layout.init_size + 8] == b"sidx", "ftyp+moov, then the index"
    assert all(data[f.offset + 4 : f.offset + 8] == b"moof" for f in layout.fragments)
    playlist = tmp_path / "site" / "hls" / "film.m3u8"
    peak, average = byte_range_playlist(target, playlist)
    text = playlist.read_text(encoding="utf-8")
    assert f'#EXT-X-MAP:URI="../film.mp4",BYTERANGE="{layout.init_size}@0"' in text
    assert "#EXT-X-TARGETDURATION:6" in text and text.count("#EXT-X-BYTERANGE:") == 3
    assert peak >= average > 0


def test_a_plain_mp4_is_refused_by_name(rendition) -> None:
    with pytest.raises(CaptureError, match=r"rendition\.mp4: cannot read its fragments"):
        read_fragmented(rendition)


def test_a_cut_file_is_refused_by_name(rendition, tmp_path) -> None:
    target = tmp_path / "film.mp4"
    fragment_rendition(rendition, target, 6.0)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(target.read_bytes()[:-5000])
    with pytest.raises(CaptureError, match=r"cut\.mp4"):
        read_fragmented(cut)


def test_chapter_titles_reach_the_audio_as_written(tmp_path) -> None:
    import json
    import subprocess

    from pipeline.publish.audio_chapters import with_chapters

    sound = tmp_path / "sound.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=d=6:sample_rate=48000", "-c:a", "aac", sound)
    hostile = "Débat = « ville ; campagne » #1 \\ fin\r\nsuite"
    target = tmp_path / "audio" / "full.m4a"
    # the first chapter after a title card: players read it from 0 (the card is its start)
    with_chapters(sound, target, [(800, 2500, "Ouverture"), (2500, 6000, hostile)], "Titre=1")
    found = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_chapters", "-show_format", str(target)],
        capture_output=True, text=True, check=True).stdout)  # fmt: skip
    assert [c["tags"]["title"] for c in found["chapters"]] == [
        "Ouverture", "Débat = « ville ; campagne » #1 \\ fin suite"]  # fmt: skip
    assert [float(c["start_time"]) for c in found["chapters"]] == [0.0, 2.5]
    assert found["format"]["tags"]["title"] == "Titre=1"
