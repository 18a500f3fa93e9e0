"""Recordings off the session clock (a vox pop at the cocktail, an interview filmed the day
before, a cutaway): a cue list clip names one by ``file`` and cuts it by file time.

Each such file is given a place of its own on the session clock, far past any session
(``EXTRA_BASE_MS`` + a slot from its path), so the film's time map, its captions (from the
file's own transcript, shifted there) and its clips are one kind of thing for the timeline,
the subtitles and the render. The slot depends on the path alone: the same file lands at
the same place in every film and every run."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import CaptureError, MediaError
from pipeline.core.probe import MediaInfo, probe
from pipeline.session.cuelist import load_cue_list
from pipeline.session.folder import FILMS, resolve_inside
from pipeline.session.model import LoadedSession

EXTRA_BASE_MS = 1_000 * 3_600_000
"""1,000 hours: past the end of any session."""
EXTRA_SLOT_MS = 10 * 3_600_000
"""Room for a recording of up to 10 hours."""
SLOTS = 10_000


@dataclass(frozen=True)
class ExtraFile:
    relative: str
    """As the cue list names it, inside the session folder."""
    path: Path
    info: MediaInfo

    @property
    def base_ms(self) -> int:
        return extra_base_ms(self.relative)

    @property
    def duration_ms(self) -> int:
        return round((self.info.duration or 0.0) * 1000)

    def to_session(self, file_ms: int) -> int:
        return self.base_ms + file_ms

    def to_file(self, session_ms: int) -> int:
        return session_ms - self.base_ms


def extra_base_ms(relative: str) -> int:
    slot = zlib.crc32(Path(relative).as_posix().encode("utf-8")) % SLOTS
    return EXTRA_BASE_MS + slot * EXTRA_SLOT_MS


def is_extra_time(session_ms: int) -> bool:
    return EXTRA_BASE_MS <= session_ms < EXTRA_BASE_MS + SLOTS * EXTRA_SLOT_MS


RECORDING_TYPES = {".mp4", ".mov", ".m4v", ".mkv", ".mts", ".mxf"}
"""Camera and phone files: a playlist or a stream description (which could make ffmpeg read
elsewhere) is not a recording."""


def open_extra(loaded: LoadedSession, relative: str) -> ExtraFile:
    """The file, inside the session folder, probed; a CaptureError names what is wrong."""
    try:
        path = resolve_inside(loaded.root, relative)
    except ValueError as error:
        raise CaptureError(f"{relative!r} {error}") from None
    if not path.is_file():
        raise CaptureError(f"{relative!r} is not in the session folder")
    if path.suffix.lower() not in RECORDING_TYPES:
        raise CaptureError(f"{relative!r} is not a camera file "
                           f"({', '.join(sorted(RECORDING_TYPES))})")  # fmt: skip
    try:
        info = probe(path, check_vfr=False)
    except MediaError as error:
        raise CaptureError(f"{relative!r} cannot be read as a recording: {error}") from None
    if not info.has_audio:
        raise CaptureError(f"{relative!r} has no sound (a clip off the session clock plays "
                           "its own sound)")  # fmt: skip
    if not info.duration:
        raise CaptureError(f"{relative!r}: its length cannot be read")
    if info.duration * 1000 > EXTRA_SLOT_MS:
        raise CaptureError(f"{relative!r} is longer than {EXTRA_SLOT_MS // 3_600_000} hours: "
                           "cut the part you need into a file of its own")  # fmt: skip
    return ExtraFile(relative, path, info)


def extra_files(loaded: LoadedSession) -> list[ExtraFile]:
    """Every recording the cue lists cut by file, once each; two whose slots collide are
    an error (rename one)."""
    named = sorted({clip.file for name in FILMS if (cues := load_cue_list(loaded, name))
                    for clip in cues.clips if clip.file})  # fmt: skip
    slots: dict[int, str] = {}
    for relative in named:
        other = slots.setdefault(extra_base_ms(relative), relative)
        if other != relative:
            raise CaptureError(f"{relative!r} and {other!r} share a place on the clock: "
                               "rename one of them")  # fmt: skip
    return [open_extra(loaded, relative) for relative in named]
