"""How each sample device records the room: its colouring, its files, its quirks."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ffmpeg

from pipeline.core.ffgraph import graph_args
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import OutputFile, run_ffmpeg

RATE = 48_000
_IN = "__capture_input__"
_OUT = "__capture_output__"
_FACE = "__capture_face__"


@dataclass(frozen=True)
class Colouring:
    """A microphone's sound: room reflections, mains hum and hiss (camera mics, GUIDE §4)."""

    echo_delays_ms: tuple[int, ...]
    echo_decays: tuple[float, ...]
    highpass_hz: int
    lowpass_hz: int
    hum_hz: int
    hum_level: float
    noise_level: float
    seed: int


def colour_audio(clean: Path, out: Path, colouring: Colouring, seconds: float) -> None:
    """Apply a camera microphone's colouring to a clean mono WAV (timing is unchanged)."""
    speech = ffmpeg.input(_IN).audio
    speech = speech.filter(
        "aecho",
        0.9,
        0.8,
        "|".join(str(d) for d in colouring.echo_delays_ms),
        "|".join(str(d) for d in colouring.echo_decays),
    )
    speech = speech.filter("highpass", f=colouring.highpass_hz).filter(
        "lowpass", f=colouring.lowpass_hz
    )
    hum = ffmpeg.input(
        f"sine=frequency={colouring.hum_hz}:sample_rate={RATE}:duration={seconds}", f="lavfi"
    ).filter("volume", colouring.hum_level)
    hiss = ffmpeg.input(
        f"anoisesrc=color=pink:sample_rate={RATE}:amplitude={colouring.noise_level}"
        f":seed={colouring.seed}:duration={seconds}",
        f="lavfi",
    )
    mixed = ffmpeg.filter([speech, hum, hiss], "amix", inputs=3, normalize=0, duration="first")
    stream = ffmpeg.output(mixed, _OUT, acodec="pcm_s16le", ar=RATE, ac=1)
    run_ffmpeg(graph_args(stream, {_IN: clean, _OUT: OutputFile(out)}), duration=seconds)


def record_as_recorder(mono: Path, out: Path, seconds: float) -> None:
    """The recorder's file format: 24-bit stereo PCM WAV at 48 kHz."""
    stream = ffmpeg.output(ffmpeg.input(_IN).audio, _OUT, acodec="pcm_s24le", ar=RATE, ac=2)
    run_ffmpeg(
        graph_args(stream, {_IN: mono, _OUT: OutputFile(out)}), duration=seconds, label=out.name
    )


@dataclass(frozen=True)
class CameraLook:
    name: str
    label: str
    width: int
    height: int
    fps: int
    x264_preset: str
    crf: int
    face: Path | None = None
    """A picture of the speaker (``samples/face.py``) shown right of centre, swaying gently,
    so the close-up has a face to find (and to crop on) away from the frame's middle."""


FACE_CENTRE = 0.68
"""Where the close-up's face stands across the frame (a centred 9:16 crop misses it)."""


def encode_camera_file(
    audio: Path,
    out: Path,
    look: CameraLook,
    *,
    device_start: float,
    session_offset: float,
    seconds: float,
    creation_time: datetime,
    timecode: str | None,
    progress: ProgressReporter | None,
) -> None:
    """A camera file: test pattern with the camera's name and the session clock burnt in.

    ``device_start`` is where this file starts within the camera's own recording (non-zero for
    a second chapter), ``session_offset`` where the camera's recording starts on the session
    clock, so the burnt-in clock reads session time.
    """
    end = device_start + seconds
    video = ffmpeg.input(
        f"testsrc2=size={look.width}x{look.height}:rate={look.fps}:duration={end}", f="lavfi"
    ).video
    if look.face is not None:
        face = ffmpeg.input(_FACE, loop=1, framerate=look.fps).video
        sway = f"{look.width // 60}*sin(t/2)"
        video = video.overlay(face, x=f"W*{FACE_CENTRE}-w/2+{sway}", y="(H-h)/2", shortest=1)
    if device_start:
        video = video.trim(start=device_start).setpts("PTS-STARTPTS")
    size = max(10, look.height // 12)
    style = {
        "x": size // 2,
        "fontsize": size,
        "box": 1,
        "boxcolor": "black@0.6",
        "boxborderw": size // 4,
    }
    # drawtext reads both texts from files: nothing is escaped by hand, and the label is
    # never expanded (only the clock, which is ours, uses %{pts})
    with tempfile.TemporaryDirectory(prefix="capture-drawtext-") as texts:
        label_file = Path(texts) / "label.txt"
        label_file.write_text(look.label, encoding="utf-8")
        clock_file = Path(texts) / "clock.txt"
        clock_file.write_text(f"%{{pts:hms:{session_offset + device_start:.3f}}}", "utf-8")
        video = video.drawtext(
            textfile=str(label_file), expansion="none", y=size // 2, fontcolor="white", **style
        )
        video = video.drawtext(
            textfile=str(clock_file),
            expansion="normal",
            y=look.height - 2 * size,
            fontcolor="yellow",
            **style,
        )
        _encode(video, audio, out, look, seconds, creation_time, timecode, progress)


def _encode(
    video: Any,
    audio: Path,
    out: Path,
    look: CameraLook,
    seconds: float,
    creation_time: datetime,
    timecode: str | None,
    progress: ProgressReporter | None,
) -> None:
    sound = ffmpeg.input(_IN).audio
    options: dict[str, object] = {
        "vcodec": "libx264",
        "preset": look.x264_preset,
        "crf": look.crf,
        "pix_fmt": "yuv420p",
        "g": look.fps * 2,
        "acodec": "aac",
        "ar": RATE,
        "ac": 2,
        "audio_bitrate": "128k",
        "t": f"{seconds:.3f}",
        "map_metadata": -1,
        "fflags": "+bitexact",
        "metadata": f"creation_time={creation_time.isoformat()}",
    }
    if timecode:
        options["timecode"] = timecode
    stream = ffmpeg.output(video, sound, _OUT, **options)
    files: dict[str, Any] = {_IN: audio, _OUT: OutputFile(out)}
    if look.face is not None:
        files[_FACE] = look.face
    run_ffmpeg(
        graph_args(stream, files),
        duration=seconds,
        progress=progress,
        label=f"{look.name}: {out.name}",
    )
