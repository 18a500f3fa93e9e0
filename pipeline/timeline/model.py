"""The Timeline: what a film is made of, resolved down to source files and seconds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.timeline.timemap import TimeMap


@dataclass(frozen=True)
class SourceCut:
    """``duration_s`` of ``path`` from ``start_s`` (file time)."""

    path: Path
    start_s: float
    duration_s: float
    interlaced: bool = False


@dataclass(frozen=True)
class TimelineClip:
    session_in_ms: int
    session_out_ms: int
    camera: str
    video: tuple[SourceCut, ...]
    """The picture, possibly over several chapter files."""
    audio: tuple[SourceCut, ...]
    """The sound: the recorder by default, else the camera's own."""
    audio_source: str

    @property
    def duration_s(self) -> float:
        return (self.session_out_ms - self.session_in_ms) / 1000


@dataclass(frozen=True)
class Timeline:
    name: str
    clips: tuple[TimelineClip, ...]
    fps: int
    height: int

    @property
    def duration_s(self) -> float:
        return sum(c.duration_s for c in self.clips)

    @property
    def timemap(self) -> TimeMap:
        return TimeMap.from_clips([(c.session_in_ms, c.session_out_ms) for c in self.clips])
