"""Every encoder setting capture uses.

Delivery choices (codec, profile, level, rates, the web ladder, loudness) live in presets:
YAML files shipped in the package, overridable by the user. Lookup order for a preset name:
``$CAPTURE_PRESETS/<name>.yaml``, then the session's ``presets/<name>.yaml`` when a session
folder is given, then the presets inside the package. A path to a ``.yaml`` file is also
accepted.

The settings that follow from what a file is for (a fast preview, the master, the frames
re-encoded at a stream-copy cut, burnt-in subtitles, stills) are the named profiles below.
They stay out of the ``Preset`` model on purpose: its content is part of what a render
depends on, so a new field there would re-render every film once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.core.errors import ConfigError
from pipeline.core.validation import validate_loaded
from pipeline.core.yamlio import load_yaml

PACKAGE = "pipeline.presets"
AUDIO_CODEC = "aac"
PREVIEW_AUDIO_KBPS = 96
LADDER_SPEED = "faster"
"""x264's speed for the web renditions (their quality is each rung's crf and rates). Chosen
by measurement (``bench/bench_encoders.py``, docs/footprint.md): on debate-like 1080p
picture at the 1080p rung's capped CRF, ``faster`` gives the quality of ``medium`` (SSIM
0.958 vs 0.957, PSNR 41.6 vs 41.7 dB) at the same bit rate for 31% less CPU; ``veryfast``
loses more (0.955, 41.1 dB), ``slow`` gains nothing at the cap."""
AV1_ENCODER = "libsvtav1"
AV1_SPEED = 10
"""SVT-AV1's preset for AV1 renditions (a rung with ``codec: av1``; ``web.yaml`` offers one,
commented out), by the same measurement: at preset 10 and the 1080p rung's cap (CRF 30) it
matches x264 ``faster``'s quality on average for 28% fewer bytes, far fewer on a still,
grainy wide shot but more on moving detail; preset 8 gains 0.3 dB for 1.8× the CPU."""
JPEG_STILL_QUALITY = 3
"""ffmpeg's ``-q:v`` for posters and stills (2 best .. 31 worst)."""
JPEG_SPRITE_QUALITY = 5
"""For seek-bar thumbnails, small and many."""


@dataclass(frozen=True)
class EncoderProfile:
    """A video encoder at a speed and a constant quality."""

    codec: str
    speed: str
    crf: int

    def args(self) -> list[str]:
        return ["-preset", self.speed, "-crf", str(self.crf)]


PREVIEW = EncoderProfile("libx264", "ultrafast", 30)
"""``capture render --preview``: as fast as possible, for checking a cut."""
MASTER = EncoderProfile("libx264", "medium", 20)
"""A rendered film (renders/FILM.mp4) whose size or rate no web rung has (a film that
must be re-encoded is otherwise its top rendition itself); the renditions are encoded
beside it from the same graph."""
SMART_CUT = EncoderProfile("libx264", "medium", 16)
"""The few frames re-encoded at each stream-copy cut: close to the camera's own quality."""
BURN_IN = EncoderProfile("libx264", "veryfast", 20)
"""A copy of a film with its subtitles drawn in."""
REQUIRED_ENCODERS = (MASTER.codec, AUDIO_CODEC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Loudness(_Model):
    integrated_lufs: Annotated[float, Field(ge=-40, le=-5)]
    tolerance_lu: Annotated[float, Field(gt=0, le=5)] = 1.0
    true_peak_dbtp: Annotated[float, Field(ge=-9, le=0)] = -1.0
    loudness_range_lu: Annotated[float, Field(ge=1, le=50)] = 11.0


class AudioPreset(_Model):
    codec: str = "aac"
    sample_rate: Annotated[int, Field(ge=8000, le=96000)] = 48000
    channels: Annotated[int, Field(ge=1, le=8)] = 2
    bitrate_kbps: Annotated[int, Field(ge=32, le=512)] = 128
    loudness: Loudness


RUNG_NAME = r"^[0-9A-Za-z_]{1,32}$"
"""A rung's name is part of file names (``full-720p.mp4``): letters, digits, underscores."""


class Rung(_Model):
    name: Annotated[str, Field(pattern=RUNG_NAME)]
    height: Annotated[int, Field(ge=90, le=4320, multiple_of=2)]
    bitrate_kbps: Annotated[int, Field(ge=100)]
    maxrate_kbps: Annotated[int, Field(ge=100)]
    bufsize_kbps: Annotated[int, Field(ge=100)]
    crf: Annotated[int, Field(ge=0, le=63)]
    """x264's CRF (0-51), or SVT-AV1's (0-63) for an AV1 rung."""
    codec: Literal["h264", "av1"] = "h264"
    """av1: offered beside the H.264 rendition of its height to browsers that play AV1 (the
    session page lists it first), left out of HLS, never the master."""

    @model_validator(mode="after")
    def _crf_in_range(self) -> Rung:
        if self.codec == "h264" and self.crf > 51:
            raise ValueError(f"crf {self.crf}: x264's CRF goes from 0 to 51")
        return self


class VideoPreset(_Model):
    codec: str = "libx264"
    profile: str = "high"
    level: str = "4.1"
    pix_fmt: str = "yuv420p"
    frame_rate: Annotated[int, Field(ge=1, le=120)]
    """The delivery rate of the renditions (films are made at the cameras' rate)."""
    gop_seconds: Annotated[float, Field(gt=0, le=10)] = 2.0
    rungs: Annotated[list[Rung], Field(min_length=1)]

    @model_validator(mode="after")
    def _rungs_distinct(self) -> VideoPreset:
        names = [rung.name for rung in self.rungs]
        if len(set(names)) != len(names):
            raise ValueError(f"rung names repeat ({', '.join(names)}): each names its files")
        heights = {rung.height for rung in self.rungs if rung.codec == "h264"}
        alone = [r.name for r in self.rungs if r.codec == "av1" and r.height not in heights]
        if alone:
            raise ValueError(f"AV1 rung {alone[0]} has no H.264 rung of its height to stand "
                             f"beside (every browser plays H.264)")  # fmt: skip
        return self


class ListeningPreset(_Model):
    """The audio-only rendition (``renders/web/FILM-audio.m4a``): the debate to listen to,
    for a small footprint: AAC-LC, mono by default (speech), at the film's loudness."""

    bitrate_kbps: Annotated[int, Field(ge=24, le=320)] = 64
    channels: Annotated[int, Field(ge=1, le=2)] = 1


class HlsPreset(_Model):
    segment_seconds: Annotated[float, Field(ge=1, le=30)] = 6.0


class Preset(_Model):
    name: str
    description: str = ""
    audio: AudioPreset
    video: VideoPreset
    hls: HlsPreset | None = None
    listening: ListeningPreset | None = None
    """None: no audio-only rendition."""


def packaged_preset_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in resources.files(PACKAGE).iterdir()
        if entry.name.endswith(".yaml")
    )


PRESET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _find(name: str, session_root: Path | None) -> Path | None:
    """The user's preset file for ``name``, or None to use the packaged one."""
    if name.endswith((".yaml", ".yml")):
        return Path(name)
    if not PRESET_NAME.match(name):
        raise ConfigError(f"{name!r} is not a preset name (lowercase letters, digits, - and _)")
    candidates = []
    if os.environ.get("CAPTURE_PRESETS"):
        candidates.append(Path(os.environ["CAPTURE_PRESETS"]) / f"{name}.yaml")
    if session_root is not None:
        candidates.append(session_root / "presets" / f"{name}.yaml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_preset(name: str, *, session_root: Path | None = None) -> Preset:
    user_file = _find(name, session_root)
    if user_file is not None:
        return validate_loaded(load_yaml(user_file), Preset)
    packaged = resources.files(PACKAGE) / f"{name}.yaml"
    if not packaged.is_file():
        known = ", ".join(packaged_preset_names())
        raise ConfigError(f"no preset named {name!r} (known presets: {known})")
    # as_file gives a real path even from a zipped install, for as long as we read it
    with resources.as_file(packaged) as path:
        return validate_loaded(load_yaml(Path(path)), Preset)
