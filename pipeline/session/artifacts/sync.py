"""``work/sync.json``: every recording placed on the session clock (written by sync)."""

from __future__ import annotations

from datetime import datetime

from pipeline.core.validation import StrictModel
from pipeline.session.artifacts.ingest import load_state
from pipeline.session.model import LoadedSession


class Placement(StrictModel):
    recording: str
    camera: str
    offset_s: float | None
    """Session-clock second at which the recording starts (None: could not be placed)."""
    offset_confidence: float
    method: str
    """reference | audio | creation_time | manual | none"""
    drift_ppm: float = 0.0
    drift_corrected: bool = False
    problems: list[str] = []

    @property
    def clock_drift(self) -> float:
        """The clock rate to undo when placing this recording's moments (0 unless the drift
        was measured large enough to correct): session time = offset + t / (1 + drift)."""
        return self.drift_ppm * 1e-6 if self.drift_corrected else 0.0


class SyncResult(StrictModel):
    version: int = 1
    reference: str | None
    created_at: datetime
    placements: list[Placement]

    def placement(self, recording_id: str) -> Placement | None:
        return next((p for p in self.placements if p.recording == recording_id), None)


def load_sync(loaded: LoadedSession) -> SyncResult | None:
    path = loaded.folder.sync_result
    if not path.is_file():
        return None
    return SyncResult.model_validate_json(path.read_text(encoding="utf-8"))


def session_end_s(loaded: LoadedSession) -> float | None:
    """When the last placed recording ends on the session clock (None before ingest and
    sync): nothing of the session can happen later."""
    sync = load_sync(loaded)
    if sync is None:
        return None
    ends = [
        placement.offset_s + recording.duration_s
        for recording in load_state(loaded.folder.ingest_state).recordings
        if (placement := sync.placement(recording.id)) and placement.offset_s is not None
    ]
    return max(ends, default=None)
