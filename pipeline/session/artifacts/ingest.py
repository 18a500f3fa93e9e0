"""What ingest knows about a session, saved in ``SESSION/work/ingest.json``.

Written atomically after every verified file, so a killed ingest resumes where it stopped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.validation import StrictModel
from pipeline.session.model import CameraRole, Session

STATE_VERSION = 1


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


class IngestState(StrictModel):
    version: int = STATE_VERSION
    files: list[IngestedFile] = []
    recordings: list[Recording] = []
    generations: int = 0

    def file(self, relative: str) -> IngestedFile | None:
        return next((f for f in self.files if f.path == relative), None)

    def record(self, entry: IngestedFile) -> None:
        self.files = [f for f in self.files if f.path != entry.path] + [entry]


def load_state(path: Path) -> IngestState:
    if not path.is_file():
        return IngestState()
    return IngestState.model_validate_json(path.read_text(encoding="utf-8"))


def save_state(path: Path, state: IngestState) -> None:
    atomic_write_text(path, state.model_dump_json(indent=2) + "\n")
