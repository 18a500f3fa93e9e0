"""The Timeline: what a film is made of, resolved down to source files and seconds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.session.cuelist import CueList, TransitionType
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
    transition: TransitionType = TransitionType.CUT
    overlap_frames: int = 0
    """Frames shared with the piece before (crossfade, dip)."""
    cut_notes: tuple[str, ...] = ()
    """Where speech moved its cuts or shortened its transition, for the report."""

    @property
    def duration_s(self) -> float:
        return (self.session_out_ms - self.session_in_ms) / 1000


def split_units(cuts: tuple[SourceCut, ...], total: int, rate: float) -> list[int]:
    """Whole frames (or samples) for each cut at ``rate``: every cut its own rounded length,
    the last one whatever the clip still needs, so the pieces add up to ``total`` exactly."""
    counts = [round(cut.duration_s * rate) for cut in cuts[:-1]]
    return [*counts, total - sum(counts)] if cuts else []


@dataclass(frozen=True)
class CardLine:
    text: str
    size: float = 1.0
    """Relative to the card's body text."""
    bold: bool = False


@dataclass(frozen=True)
class TimelineCard:
    """The opening title or the closing credits: text lines and logos on a plain ground,
    with silence."""

    kind: str
    frames: int
    lines: tuple[CardLine, ...]
    logos: tuple[Path, ...] = ()
    transition: TransitionType = TransitionType.CUT
    overlap_frames: int = 0


TimelineItem = TimelineClip | TimelineCard


@dataclass(frozen=True)
class Timeline:
    name: str
    items: tuple[TimelineItem, ...]
    fps: int
    height: int
    timemap: TimeMap
    cue_list: CueList | None = None
    """What the film was built from (its lower thirds, chapters and quotes)."""

    @property
    def clips(self) -> tuple[TimelineClip, ...]:
        return tuple(i for i in self.items if isinstance(i, TimelineClip))

    @property
    def cut_notes(self) -> list[str]:
        return [note for clip in self.clips for note in clip.cut_notes]

    def item_frames(self, item: TimelineItem) -> int:
        if isinstance(item, TimelineCard):
            return item.frames
        return round(item.duration_s * self.fps)

    @property
    def frames(self) -> int:
        return sum(self.item_frames(i) - i.overlap_frames for i in self.items)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    @property
    def needs_transitions(self) -> bool:
        return any(i.overlap_frames for i in self.items)
