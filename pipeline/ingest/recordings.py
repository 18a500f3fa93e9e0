"""Ingested files grouped into recordings: a camera's take, its chapters joined in order."""

from __future__ import annotations

from datetime import datetime

from pipeline.ingest.chapters import Part, group_chapters
from pipeline.session.artifacts.ingest import (
    IngestState,
    Recording,
)


def build_recordings(state: IngestState) -> list[Recording]:
    """Logical recordings from every usable media file (chapters joined)."""
    media = {
        f.path: f for f in state.files if f.kind in ("video", "audio") and f.usable and f.media
    }
    parts = [
        Part(
            path=f.path,
            camera=f.camera,
            duration=f.media.get("duration"),
            creation_time=_time(f.media.get("creation_time")),
        )
        for f in media.values()
    ]
    recordings = []
    for chapters in group_chapters(parts):
        group = chapters.parts
        first = media[group[0].path].media or {}
        durations = [float(p.duration or 0.0) for p in group]
        has_video = all(media[p.path].media.get("video") for p in group)
        has_audio = all(media[p.path].media.get("audio") for p in group)
        recordings.append(
            Recording(
                id=group[0].path,
                camera=group[0].camera,
                files=[p.path for p in group],
                part_durations=durations,
                duration_s=round(sum(durations), 6),
                has_video=has_video,
                has_audio=has_audio,
                creation_time=group[0].creation_time,
                timecode=first.get("timecode"),
                frame_rate=((first.get("video") or [{}])[0]).get("avg_frame_rate"),
                problems=chapters.problems,
            )
        )
    return recordings


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
