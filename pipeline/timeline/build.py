"""A film's cue list resolved against the ingested recordings and the session clock.

Clip times are rounded to whole frames, so the film lasts exactly the sum of its clips.
Every problem (a camera with no recording at that time, a missing cue list) is reported
with the cue list's file and line, before anything is rendered.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ConfigError, Problem
from pipeline.ingest.run import state_file
from pipeline.ingest.state import Recording, load_state
from pipeline.session import CameraRole, LoadedSession
from pipeline.sync_session import Placement, load_sync
from pipeline.timeline.model import SourceCut, Timeline, TimelineClip
from pipeline.timeline.resolve import resolve_clips

MAX_HEIGHT = 1080


def _cuts(
    layout_media: Path, recording: Recording, placement: Placement, first_ms: int, last_ms: int
) -> tuple[SourceCut, ...] | None:
    """The file pieces holding session time [first, last), or None if not all recorded."""
    drift = placement.drift_ppm * 1e-6 if placement.drift_corrected else 0.0
    start = (first_ms / 1000 - placement.offset_s) * (1 + drift)
    end = (last_ms / 1000 - placement.offset_s) * (1 + drift)
    if start < -1e-3 or end > recording.duration_s + 1e-3:
        return None
    cuts, cursor = [], 0.0
    for name, length in zip(recording.files, recording.part_durations, strict=True):
        lo, hi = max(start, cursor), min(end, cursor + length)
        if hi > lo + 1e-6:
            cuts.append(SourceCut(layout_media / name, lo - cursor, hi - lo))
        cursor += length
    return tuple(cuts)


def build_timeline(loaded: LoadedSession, name: str) -> Timeline:
    cue_file = loaded.layout.cues / f"{name}.yaml"
    resolved = resolve_clips(loaded, name)
    if not resolved:
        raise ConfigError(f"{cue_file}: no clips to render")
    sync = load_sync(loaded)
    state = load_state(state_file(loaded))
    if sync is None:
        raise ConfigError(f"nothing on the session clock: run `capture ingest {loaded.root}`")
    fps = 25
    placed = [
        (r, sync.placement(r.id))
        for r in state.recordings
        if r.usable and sync.placement(r.id) and sync.placement(r.id).offset_s is not None
    ]
    recorder = [
        (r, p)
        for r, p in placed
        if r.has_audio
        and (
            (c := loaded.session.camera(r.camera)) is not None
            and c.role == CameraRole.RECORDER
            or (c is None and not r.has_video)
        )
    ]
    wide = [c.name for c in loaded.session.cameras if c.role == CameraRole.WIDE]
    problems, clips = [], []
    for index, clip in enumerate(resolved):
        line = clip.line
        first, last = clip.in_ms, clip.out_ms
        camera = clip.camera or (wide[0] if wide else None)
        video = next(
            (
                (r, cuts)
                for r, p in placed
                if r.has_video
                and (camera is None or r.camera == camera)
                and (cuts := _cuts(loaded.layout.media, r, p, first, last))
            ),
            None,
        )
        if video is None:
            problems.append(
                Problem(
                    cue_file, line, f"clips[{index}]",
                    f"no recording of camera {camera or '(any)'} covers "
                    f"{first / 1000:.3f}-{last / 1000:.3f} s on the session clock",
                )
            )  # fmt: skip
            continue
        sound = next(
            (
                (r, cuts)
                for r, p in recorder
                if (cuts := _cuts(loaded.layout.media, r, p, first, last))
            ),
            None,
        )
        if sound is None and video[0].has_audio:
            sound = video
        if sound is None:
            problems.append(
                Problem(cue_file, line, f"clips[{index}]", f"no sound at {first / 1000:.3f} s")
            )
            continue
        video_cuts = tuple(
            SourceCut(
                c.path, c.start_s, c.duration_s, _video(state, c.path).get("interlaced", False)
            )
            for c in video[1]
        )
        clips.append(
            TimelineClip(first, last, video[0].camera, video_cuts, sound[1], sound[0].camera)
        )
    if problems:
        raise ConfigError(problems)
    height = min(
        MAX_HEIGHT, max(_upright_height(state, cut.path) for c in clips for cut in c.video)
    )
    return Timeline(name, tuple(clips), fps, height - height % 2)


def _video(state, path: Path) -> dict:
    """The first video stream's probe data for an ingested file (empty if unknown)."""
    for entry in state.files:
        if path.as_posix().endswith("/media/" + entry.path) and entry.media:
            streams = entry.media.get("video") or []
            return streams[0] if streams else {}
    return {}


def _upright_height(state, path: Path) -> int:
    """The picture height once the rotation flag is honoured (ffmpeg rotates on decode)."""
    stream = _video(state, path)
    rotated = stream.get("rotation", 0) in (90, 270)
    return int(stream.get("width" if rotated else "height") or 720)
