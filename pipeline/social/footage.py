"""What a social clip shows and plays: the close-up camera when one filmed the moment (else
the wide shot), and the session's sound recorder (else that camera's own sound)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.errors import CaptureError
from pipeline.core.timecode import clock
from pipeline.session import CameraRole, LoadedSession
from pipeline.session.artifacts.ingest import load_state
from pipeline.timeline.build import placed_recordings, probed_video, recording_cuts
from pipeline.timeline.model import SourceCut


@dataclass(frozen=True)
class ClipSource:
    camera: str
    video: tuple[SourceCut, ...]
    audio: tuple[SourceCut, ...]
    width: int
    height: int
    fps: float


def clip_source(loaded: LoadedSession, start_ms: int, end_ms: int) -> ClipSource:
    state = load_state(loaded.folder.ingest_state)
    placed = placed_recordings(loaded, state)
    session = loaded.session
    rank = {CameraRole.CLOSE: 0, CameraRole.WIDE: 1}
    cameras = [(r, p) for r, p in placed if r.has_video]
    cameras.sort(key=lambda rp: rank.get(getattr(session.camera(rp[0].camera), "role", None), 2))
    media = loaded.folder.media
    video = next(((r, cuts) for r, p in cameras
                  if (cuts := recording_cuts(media, r, p, start_ms, end_ms))), None)  # fmt: skip
    if video is None:
        raise CaptureError(f"no camera filmed {clock(start_ms)}–{clock(end_ms)}")
    recorders = [(r, p) for r, p in placed if r.has_audio and r.is_sound_recorder(session)]
    sound = next(((r, cuts) for r, p in recorders
                  if (cuts := recording_cuts(media, r, p, start_ms, end_ms))), None)  # fmt: skip
    if sound is None and video[0].has_audio:
        sound = video
    if sound is None:
        raise CaptureError(f"no sound recorded at {clock(start_ms)}")
    probed = probed_video(state, video[1][0].path)
    rate = probed.real_frame_rate or probed.avg_frame_rate or "25"
    numerator, _, denominator = rate.partition("/")
    fps = float(numerator) / float(denominator or 1)
    turned = probed.rotation in (90, 270)
    width, height = (probed.height, probed.width) if turned else (probed.width, probed.height)
    return ClipSource(video[0].camera, video[1], sound[1], width, height, fps)
