"""What the sample Rencontre is: its two sizes and its ground truth
(truth.json): where each device started, its drift, its files, and when each line was spoken."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.samples import script as S


@dataclass(frozen=True)
class SampleSize:
    name: str
    width: int
    height: int
    fps: int
    script: tuple[S.Line, ...]
    camera_a_offset: float
    camera_b_offset: float
    lead_in_after_a: float
    """Room tone between camera A's start and the first word."""
    tail: float
    """Room tone after the last sound."""
    x264_preset: str
    crf: int


TINY = SampleSize("tiny", 320, 180, 25, S.TINY_SCRIPT, 1.52, 3.64, 0.6, 0.6, "ultrafast", 30)
DEMO = SampleSize("demo", 1280, 720, 25, S.DEMO_SCRIPT, 3.16, 9.72, 1.0, 1.5, "ultrafast", 26)


TRUTH_VERSION = 1


@dataclass
class ScriptLineTruth:
    speaker: str
    name: str
    text: str
    start: float
    end: float


@dataclass
class FileTruth:
    path: str
    """Relative to the samples folder."""
    start: float
    """Where this file starts within its device's recording, in device seconds."""
    duration: float


@dataclass
class DeviceTruth:
    camera: str
    role: str
    offset: float
    """Session-clock time (seconds) at which the device started recording."""
    drift_ppm: float
    """Device time = (session time - offset) x (1 + drift_ppm / 1e6)."""
    duration: float
    """Length of the whole recording in device seconds (all chapters)."""
    creation_time: str
    files: list[FileTruth] = field(default_factory=list)


@dataclass
class Truth:
    version: int
    size: str
    slug: str
    fps: int
    width: int
    height: int
    sample_rate: int
    session_duration: float
    devices: list[DeviceTruth]
    script: list[ScriptLineTruth]
    applause: list[tuple[float, float]]
