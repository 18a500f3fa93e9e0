"""Ingested files grouped into recordings: a camera's take, its chapters joined in order."""

from __future__ import annotations

from pipeline.ingest.chapters import Part, group_chapters
from pipeline.session.artifacts.ingest import IngestedFile, IngestState, ProbedMedia, Recording


def build_recordings(state: IngestState) -> list[Recording]:
    """Logical recordings from every usable media file (chapters joined)."""
    media: dict[str, tuple[IngestedFile, ProbedMedia]] = {
        f.path: (f, probed)
        for f in state.files
        if f.kind in ("video", "audio") and f.usable and (probed := f.probed) is not None
    }
    parts = [
        Part(
            path=f.path,
            camera=f.camera,
            duration=probed.duration,
            creation_time=probed.creation_time,
        )  # fmt: skip
        for f, probed in media.values()
    ]
    recordings = []
    for chapters in group_chapters(parts):
        group = chapters.parts
        first = media[group[0].path][1]
        durations = [float(p.duration or 0.0) for p in group]
        has_video = all(media[p.path][1].video for p in group)
        has_audio = all(media[p.path][1].audio for p in group)
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
                timecode=first.timecode,
                frame_rate=first.primary_video.avg_frame_rate if first.primary_video else None,
                problems=chapters.problems,
            )
        )
    return recordings
