"""What ingest knows about a session, saved in ``SESSION/work/ingest.json``.

Written atomically after every verified file, so a killed ingest resumes where it stopped.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.presets import load_preset
from pipeline.core.validation import StrictModel
from pipeline.session.model import CameraRole, LoadedSession, Session

STATE_VERSION = 1


class _ProbeView(BaseModel):
    """A read-only view of what ``MediaInfo.to_json`` saved (other keys are kept in the
    file, ignored here)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _rate(text: str | None) -> Fraction | None:
    try:
        rate = Fraction(text) if text else None
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate else None


class ProbedVideo(_ProbeView):
    codec: str | None = None
    width: int
    height: int
    rotation: int = 0
    avg_frame_rate: str | None = None
    real_frame_rate: str | None = None
    variable_frame_rate: bool = False
    interlaced: bool = False

    @property
    def frame_rate(self) -> Fraction | None:
        """The nominal rate, by ``VideoStream.frame_rate``'s rule: the base rate of a
        constant-rate stream, else the average."""
        real, average = _rate(self.real_frame_rate), _rate(self.avg_frame_rate)
        if not self.variable_frame_rate and real:
            return real
        return average or real

    @property
    def upright_height(self) -> int:
        """The picture height once the rotation flag is honoured (ffmpeg rotates on decode)."""
        return self.width if self.rotation in (90, 270) else self.height


class ProbedAudio(_ProbeView):
    codec: str | None = None
    sample_rate: int
    channels: int


class ProbedMedia(_ProbeView):
    """A recording file as ingest probed it."""

    duration: float | None = None
    creation_time: datetime | None = None
    timecode: str | None = None
    video: list[ProbedVideo] = []
    audio: list[ProbedAudio] = []

    @property
    def primary_video(self) -> ProbedVideo | None:
        return self.video[0] if self.video else None


class IngestedFile(StrictModel):
    camera: str
    source: str
    """Absolute path of the original on the card."""
    path: str
    """Path of the copy, relative to SESSION/media."""
    kind: str
    size: int
    source_mtime_ns: int
    hash_format: str
    hash: str
    verified_at: datetime
    usable: bool = True
    problems: list[str] = []
    media: dict[str, Any] | None = None
    """Probe results (MediaInfo.to_json) for recordings."""
    mhl_generation: int | None = None
    """The ASC MHL generation that records this copy (None: not yet recorded)."""

    @property
    def probed(self) -> ProbedMedia | None:
        return ProbedMedia.model_validate(self.media) if self.media else None


class Recording(StrictModel):
    """One logical recording: a camera's take, possibly split in chapters by the camera."""

    id: str
    camera: str
    files: list[str]
    """Ordered parts, relative to SESSION/media."""
    part_durations: list[float]
    duration_s: float
    has_video: bool
    has_audio: bool
    creation_time: datetime | None = None
    timecode: str | None = None
    frame_rate: str | None = None
    """The first part's frame rate, "25/1" (for timecode arithmetic)."""
    usable: bool = True
    problems: list[str] = []

    def is_sound_recorder(self, session: Session) -> bool:
        """A sound recorder: declared so in session.yaml, or an undeclared device with no
        picture."""
        camera = session.camera(self.camera)
        if camera is None:
            return not self.has_video
        return camera.role == CameraRole.RECORDER


FILMED_RATES = (Fraction(10), Fraction(120))
"""The frame rates cameras film at, from time-lapse-ish 10 to slow-motion 120."""


class IngestState(StrictModel):
    version: int = STATE_VERSION
    files: list[IngestedFile] = []
    recordings: list[Recording] = []
    generations: int = 0

    def file(self, relative: str) -> IngestedFile | None:
        return next((f for f in self.files if f.path == relative), None)

    def record(self, entry: IngestedFile) -> None:
        self.files = [f for f in self.files if f.path != entry.path] + [entry]

    def probed(self, relative: str) -> ProbedMedia | None:
        """What ingest probed of a file (``relative`` to SESSION/media), None if unknown."""
        entry = self.file(relative)
        return entry.probed if entry else None

    def film_rate(self, session: Session) -> int | None:
        """The frame rate films of this session are made at: the cameras' (the first wide
        camera's when they differ, else the most common), in whole frames per second (29.97
        is made at 30, its frames conformed by timestamp); None when no recording has a
        picture. A rate no camera films at (a broken header, a variable-rate file's time
        base: 90000) is not taken."""
        rates: dict[str, Fraction] = {}
        for recording in self.recordings:
            video = self.probed(recording.files[0]) if recording.usable else None
            rate = video.primary_video.frame_rate if video and video.primary_video else None
            if rate and FILMED_RATES[0] <= rate <= FILMED_RATES[1]:
                rates.setdefault(recording.camera, rate)
        if not rates:
            return None
        wide = [c.name for c in session.cameras if c.role == CameraRole.WIDE and c.name in rates]
        chosen = rates[wide[0]] if wide else max(rates.values(), key=list(rates.values()).count)
        return max(1, round(chosen))


def load_state(path: Path) -> IngestState:
    if not path.is_file():
        return IngestState()
    return IngestState.model_validate_json(path.read_text(encoding="utf-8"))


def save_state(path: Path, state: IngestState) -> None:
    atomic_write_text(path, state.model_dump_json(indent=2) + "\n")


ARCHIVE_PRESET = "archive"
"""Whose frame rate films take when no recording has a picture to give one."""


def film_rate(loaded: LoadedSession) -> int:
    """The frame rate of the session's films: the cameras' (``IngestState.film_rate``),
    else the archive preset's."""
    found = load_state(loaded.folder.ingest_state).film_rate(loaded.session)
    return found if found is not None else archive_rate(loaded.root)


def archive_rate(session_root: Path | None = None) -> int:
    """The archive preset's frame rate (the session's own preset when it has one)."""
    return round(load_preset(ARCHIVE_PRESET, session_root=session_root).video.frame_rate)
