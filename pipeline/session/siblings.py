"""Other sessions of the cycle, cut into a film (the cycle's synthesis): a clip, lower third
or chapter names one by ``session: <folder>``, a folder beside this one, and gives its times
on that session's clock.

As with recordings off the clock (``session/extras.py``), each named session is given a
place of its own on this session's clock, past any session and past the off-clock files'
places, so the film's time map, its captions (that session's master subtitles, shifted
there) and its clips are one kind of thing for the timeline, the subtitles and the render.
The place depends on the folder's name alone."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from pipeline.core.errors import CaptureError, ConfigError
from pipeline.session.artifacts.ingest import film_rate
from pipeline.session.extras import EXTRA_BASE_MS, EXTRA_SLOT_MS, SLOTS
from pipeline.session.folder import SessionFolder
from pipeline.session.model import LoadedSession, Session, load_session

SIBLING_BASE_MS = EXTRA_BASE_MS + SLOTS * EXTRA_SLOT_MS
"""Past every place an off-clock recording can take."""
SIBLING_SLOT_MS = EXTRA_SLOT_MS
"""Room for a session of up to 10 hours."""

FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
"""A folder beside this one: a plain name, never a path."""


@dataclass(frozen=True)
class Sibling:
    name: str
    """The folder's name, as the cue list gives it."""
    loaded: LoadedSession

    @property
    def base_ms(self) -> int:
        return sibling_base_ms(self.name)

    def to_host(self, own_ms: int) -> int:
        return self.base_ms + own_ms

    def to_own(self, host_ms: int) -> int:
        return host_ms - self.base_ms


def sibling_base_ms(name: str) -> int:
    slot = zlib.crc32(name.encode("utf-8")) % SLOTS
    return SIBLING_BASE_MS + slot * SIBLING_SLOT_MS


def sibling_name_at(host_ms: int, names: list[str]) -> str | None:
    """Which of ``names`` has its place on the clock at ``host_ms``."""
    return next((n for n in names if 0 <= host_ms - sibling_base_ms(n) < SIBLING_SLOT_MS), None)


def open_sibling(loaded: LoadedSession, name: str) -> Sibling:
    """The session in folder ``name`` beside this one, loaded; a CaptureError says what is
    wrong."""
    if not FOLDER_NAME.fullmatch(name) or name in (".", ".."):
        raise CaptureError(f"session {name!r}: give the name of a session folder beside "
                           f"{loaded.root.name!r}, not a path")  # fmt: skip
    folder = loaded.root.parent / name
    if folder.is_symlink() or folder.resolve().parent != loaded.root.parent.resolve():
        raise CaptureError(f"session {name!r} is a link: name a session folder beside "
                           f"{loaded.root.name!r} itself")  # fmt: skip
    if folder.resolve() == loaded.root.resolve():
        raise CaptureError(f"session {name!r} is this session: leave `session` out")
    if not (folder / "session.yaml").is_file():
        raise CaptureError(f"session {name!r}: no session folder {folder}")
    try:
        return Sibling(name, load_session(folder))
    except ConfigError as error:
        raise CaptureError(f"session {name!r}: {error}") from None


def check_places(names: set[str]) -> None:
    """Two sessions sharing a place on the clock are an error (rename one folder)."""
    taken: dict[int, str] = {}
    for name in sorted(names):
        other = taken.setdefault(sibling_base_ms(name), name)
        if other != name:
            raise CaptureError(f"sessions {name!r} and {other!r} share a place on the clock: "
                               "rename one folder")  # fmt: skip


def named_siblings(loaded: LoadedSession, names: set[str]) -> list[Sibling]:
    """The sessions named, once each and in name order."""
    check_places(names)
    return [open_sibling(loaded, name) for name in sorted(names)]


def sibling_sessions(loaded: LoadedSession, names: set[str]) -> dict[str, Session]:
    """The sessions named, by folder name (their people, for lower thirds)."""
    return {s.name: s.loaded.session for s in named_siblings(loaded, names)}


SYNTHESIS = "synthesis"
"""The film a cycle's synthesis folder makes (``cues/synthesis.yaml``)."""


def is_cycle_film_folder(loaded: LoadedSession) -> bool:
    """A folder with no cameras and no sources of its own and a synthesis cue list: it only
    cuts the cycle's other sessions, and is published as the cycle's film, not as a
    session (a session announced before it is filmed has no cue list)."""
    session = loaded.session
    return (not session.cameras and not session.sources
            and loaded.folder.cue_list(SYNTHESIS).is_file())  # fmt: skip


def cut_session_folders(loaded: LoadedSession) -> list[SessionFolder]:
    """The folders of the other sessions this folder's cue lists cut, in name order (a cue
    list that does not load, or a name that is no folder, is left out: what uses them
    reports it at its line)."""
    from pipeline.session.cuelist import load_cue_list
    from pipeline.session.folder import FILMS

    names: set[str] = set()
    for film in FILMS:
        try:
            cues = load_cue_list(loaded, film)
        except CaptureError:
            continue
        names |= cues.sessions if cues else set()
    found = []
    for name in sorted(names):
        try:
            found.append(open_sibling(loaded, name).loaded.folder)
        except CaptureError:
            continue
    return found


def folder_film_rate(loaded: LoadedSession, names: set[str] | None = None) -> int:
    """The frame rate of the folder's films: its cameras' (``film_rate``); for a folder
    with no recordings of its own (the cycle's synthesis), that of the first, in name
    order, of the sessions its cue lists cut (``names``, else read from the cue lists)."""
    session = loaded.session
    if session.cameras or session.sources:
        return film_rate(loaded)
    if names is None:
        names = {folder.root.name for folder in cut_session_folders(loaded)}
    for name in sorted(names):
        try:
            return film_rate(open_sibling(loaded, name).loaded)
        except CaptureError:
            continue  # reported at its lines
    return film_rate(loaded)
