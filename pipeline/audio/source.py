"""The session's best sound: the recording the transcript is made from and cut points are
measured in, with its place on the session clock."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.session import CameraRole, LoadedSession
from pipeline.session.artifacts.ingest import Recording, load_state
from pipeline.session.artifacts.sync import load_sync


class NoSessionSound(CaptureError):
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class SoundSource:
    recording: Recording
    offset_s: float
    drift: float
    """Relative clock rate to undo: session time = offset + t / (1 + drift)."""


def best_sound(loaded: LoadedSession) -> SoundSource:
    """The recorder when there is one, else a wide camera, else the longest recording with
    sound; it must have a place on the session clock."""
    sync = load_sync(loaded)
    ingested = load_state(loaded.folder.ingest_state).recordings
    recordings = [r for r in ingested if r.usable and r.has_audio]
    if not recordings or sync is None:
        raise NoSessionSound(
            f"nothing to transcribe in {loaded.root}: run `capture ingest {loaded.root}` first"
        )

    def rank(recording: Recording) -> tuple[int, float]:
        camera = loaded.session.camera(recording.camera)
        if recording.is_sound_recorder(loaded.session):
            order = 0
        else:
            order = 1 if camera is not None and camera.role == CameraRole.WIDE else 2
        return order, -recording.duration_s

    for recording in sorted(recordings, key=rank):
        placement = sync.placement(recording.id)
        if placement is None or placement.offset_s is None:
            continue
        return SoundSource(recording, placement.offset_s, placement.clock_drift)
    raise NoSessionSound("no recording with sound has a place on the session clock")
