"""Media probing on generated files of every kind the cameras bring."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from conftest import ffmpeg

from pipeline.core.errors import MediaError
from pipeline.core.probe import bit_depth_of, probe

SRC = "testsrc2=size=320x180:rate=25:duration=2"


def test_h264_mp4_with_audio(make_media) -> None:
    path = make_media(
        "cam.mp4", "-f", "lavfi", "-i", SRC,
        "-f", "lavfi", "-i", "sine=duration=2:sample_rate=48000",
        "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2",
        "-metadata", "creation_time=2026-03-12T18:30:04Z", "-timecode", "18:30:04:00",
    )  # fmt: skip
    info = probe(path)
    assert info.container.startswith("mov,mp4")
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.creation_time is not None and info.creation_time.hour == 18
    assert info.timecode == "18:30:04:00"
    video = info.primary_video
    assert video is not None
    assert (video.codec, video.profile, video.width, video.height) == ("h264", "High", 320, 180)
    assert video.avg_frame_rate == Fraction(25) and not video.variable_frame_rate
    assert video.sample_aspect_ratio == Fraction(1) and video.display_aspect_ratio == Fraction(
        16, 9
    )
    assert not video.interlaced and video.rotation == 0
    assert (video.pix_fmt, video.bit_depth) == ("yuv420p", 8)
    audio = info.primary_audio
    assert audio is not None
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert audio.channel_layout == "stereo"


def test_hevc_mov_rotated(make_media, tmp_path: Path) -> None:
    plain = make_media("plain.mov", "-f", "lavfi", "-i", SRC, "-c:v", "libx265",
                       "-x265-params", "log-level=none", "-pix_fmt", "yuv420p10le")  # fmt: skip
    # a phone held upright: the display matrix asks for a quarter turn
    rotated = make_media("phone.mov", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90")
    info = probe(rotated)
    video = info.primary_video
    assert video is not None and video.codec == "hevc"
    assert video.rotation == 90
    assert video.display_size == (180, 320)
    assert video.bit_depth == 10
    assert probe(plain).primary_video.rotation == 0


def test_interlaced_h264_in_mpeg_ts(make_media) -> None:
    path = make_media(
        "broadcast.ts", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=50:duration=2",
        "-vf", "tinterlace=interleave_top,fieldorder=tff", "-c:v", "libx264",
        "-flags", "+ildct+ilme", "-x264opts", "tff=1",
    )  # fmt: skip
    info = probe(path)
    assert info.container == "mpegts"
    video = info.primary_video
    assert video is not None and video.interlaced and video.field_order in ("tt", "tb")
    assert video.frame_rate == Fraction(25)


def test_variable_frame_rate_detected_from_timestamps(make_media) -> None:
    # 30 fps, then 15 fps, then 30 fps again: a phone recording in low light
    path = make_media(
        "phone.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30:duration=3",
        "-vf", "setpts='if(lt(N,30),N/30,if(lt(N,60),1+(N-30)/15,3+(N-60)/30))/TB'",
        "-fps_mode", "vfr", "-c:v", "libx264",
    )  # fmt: skip
    video = probe(path).primary_video
    assert video is not None and video.variable_frame_rate
    constant = make_media("cfr.mp4", "-f", "lavfi", "-i", SRC, "-c:v", "libx264")
    assert not probe(constant).primary_video.variable_frame_rate


def test_b_frames_beyond_the_sampled_packets_are_not_mistaken_for_vfr(make_media) -> None:
    # longer than the packets sampled: in decoding order, the last B-frames are still missing
    path = make_media(
        "long.mp4",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x90:rate=25:duration=12",
        "-c:v",
        "libx264",
        "-bf",
        "3",
        "-g",
        "50",
    )
    assert not probe(path).primary_video.variable_frame_rate


def test_ntsc_rate_in_matroska_is_not_mistaken_for_vfr(make_media) -> None:
    # Matroska rounds timestamps to 1 ms: 59.94 fps gives intervals of 16 and 17 ms
    path = make_media(
        "ntsc.mkv",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x90:rate=60000/1001:duration=2",
        "-c:v",
        "libx264",
    )
    video = probe(path).primary_video
    assert video is not None and not video.variable_frame_rate
    assert float(video.frame_rate) == pytest.approx(60000 / 1001, abs=0.01)


def test_audio_only_wav(make_media) -> None:
    path = make_media("rec.wav", "-f", "lavfi", "-i", "sine=duration=1.5:sample_rate=44100",
                      "-c:a", "pcm_s24le")  # fmt: skip
    info = probe(path)
    assert not info.has_video and info.has_audio
    audio = info.primary_audio
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s24le", 44100, 1)
    assert info.duration == pytest.approx(1.5, abs=0.01)


def test_four_channel_audio(make_media) -> None:
    path = make_media(
        "multitrack.wav", "-f", "lavfi", "-i", "sine=f=220:duration=1", "-f", "lavfi", "-i",
        "sine=f=330:duration=1", "-f", "lavfi", "-i", "sine=f=440:duration=1", "-f", "lavfi",
        "-i", "anullsrc=sample_rate=44100:channel_layout=mono", "-filter_complex",
        "[0][1][2][3]amerge=inputs=4[a]", "-map", "[a]", "-t", "1", "-c:a", "pcm_s16le",
    )  # fmt: skip
    audio = probe(path).primary_audio
    assert audio is not None and audio.channels == 4
    assert audio.channel_layout == "4.0"


def test_video_without_audio(make_media) -> None:
    path = make_media("mute.mp4", "-f", "lavfi", "-i", SRC, "-c:v", "libx264")
    info = probe(path)
    assert info.has_video and not info.has_audio and info.primary_audio is None


def test_truncated_and_empty_files_raise_media_error_naming_the_file(make_media, tmp_path):
    good = make_media("good.mp4", "-f", "lavfi", "-i", SRC, "-c:v", "libx264")
    truncated = tmp_path / "battery died.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    empty = tmp_path / "empty.MP4"
    empty.write_bytes(b"")
    for bad in (truncated, empty, tmp_path / "missing.mp4"):
        with pytest.raises(MediaError) as caught:
            probe(bad)
        assert bad.name in str(caught.value)


def test_json_form_is_serialisable(make_media) -> None:
    import json

    info = probe(make_media("x.mp4", "-f", "lavfi", "-i", SRC, "-c:v", "libx264"))
    data = json.loads(json.dumps(info.to_json()))
    assert data["video"][0]["avg_frame_rate"] == "25/1"
    assert data["video"][0]["interlaced"] is False


@pytest.mark.parametrize(
    ("pix_fmt", "raw", "depth"),
    [("yuv420p", None, 8), ("yuv420p10le", None, 10), ("yuv422p12be", None, 12),
     ("gray16le", None, 16), ("rgb48le", None, 16), ("yuv420p", "10", 10), (None, None, None)],
)  # fmt: skip
def test_bit_depth(pix_fmt, raw, depth) -> None:
    assert bit_depth_of(pix_fmt, raw) == depth


def test_only_a_file_cut_short_is_called_truncated(tmp_path: Path) -> None:
    """Healthy files of every kind a card holds pass; an MKV or MP4 cut at half does not.
    (MPEG-TS packets carry side data, an MKV's sound may start late, a VBR MP3's header
    length is a guess: none of these is a truncation.)"""
    from pipeline.core.media_integrity import short_streams, truncation_problem

    picture = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=6"]
    sound = ["-f", "lavfi", "-i", "sine=duration=6"]
    x264 = ["-c:v", "libx264", "-preset", "ultrafast"]
    made = {
        "lpcm.m2ts": [*picture, *sound, *x264, "-c:a", "pcm_bluray", "-f", "mpegts"],
        "aac.mts": [*picture, *sound, *x264, "-c:a", "aac", "-f", "mpegts"],
        "late.mkv": [*picture, "-f", "lavfi", "-i", "sine=duration=4.5", "-filter_complex",
                     "[1:a]adelay=1500:all=1[a]", "-map", "0:v", "-map", "[a]", *x264],
        "whole.mp4": [*picture, *sound, *x264, "-c:a", "aac", "-movflags", "+faststart"],
        "whole.mkv": [*picture, *sound, *x264, "-c:a", "aac"],
        "vbr.mp3": [*sound, "-c:a", "libmp3lame", "-q:a", "5", "-write_xing", "0"],
        "recorder.wav": [*sound, "-ac", "2", "-ar", "48000"],
    }  # fmt: skip
    for name, args in made.items():
        ffmpeg(*args, tmp_path / name)
        assert short_streams(probe(tmp_path / name)) == [], name
    for name in ("whole.mp4", "whole.mkv"):
        data = (tmp_path / name).read_bytes()
        cut = tmp_path / f"cut-{name}"
        cut.write_bytes(data[: len(data) // 2])
        short = short_streams(probe(cut))
        assert {s.kind for s in short} == {"picture", "sound"}, name
        assert all(1.0 < s.real_s < 5.0 and s.promised_s > 5.9 for s in short), short
        assert "keep the card" in truncation_problem(short)
