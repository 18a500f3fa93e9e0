"""A film as its cue list plans it: clips on the session clock, pieces on the film's frames,
and the time map between the two. Rendering, subtitles and publishing all take a film's
time map from here, so the three agree by construction."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.errors import ConfigError, Problem
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Word
from pipeline.session.cuelist import CueList, load_cue_list
from pipeline.session.siblings import folder_film_rate, sibling_base_ms
from pipeline.timeline.pieces import Piece, film_pieces, timemap_of
from pipeline.timeline.resolve import ResolvedClip, resolve_cue_list
from pipeline.timeline.timemap import TimeMap


@dataclass(frozen=True)
class FilmPlan:
    name: str
    fps: int
    """The frame rate the film is made at: the cameras' (``film_rate``)."""
    cue_list: CueList
    clips: list[ResolvedClip]
    pieces: list[Piece]
    timemap: TimeMap
    piece_problems: tuple[Problem, ...] = ()
    """Why the clips cannot be joined (a transition longer than a clip): only when asked
    for with ``strict=False``, for a caller that reports them with its own."""


def plan_film(
    loaded: LoadedSession, name: str, words: list[Word] | None = None, *, strict: bool = True
) -> FilmPlan | None:
    """The film's plan, None when its cue list is missing, empty or has no clips; every
    cue-list problem is raised with its line. ``words`` (the transcript's, in time order)
    are read from the session when not given."""
    cue_list = load_cue_list(loaded, name)
    if cue_list is None:
        return None
    fps = folder_film_rate(loaded, cue_list.sessions)
    cue_list = on_this_clock(cue_list)
    clips = resolve_cue_list(loaded, name, cue_list, fps, words)
    if not clips:
        return None
    try:
        pieces = film_pieces(cue_list, clips, fps, loaded.folder.cue_list(name))
    except ConfigError as joined:
        if strict:
            raise
        return FilmPlan(name, fps, cue_list, clips, [], TimeMap(()), tuple(joined.problems))
    return FilmPlan(name, fps, cue_list, clips, pieces, timemap_of(pieces, fps))


def on_this_clock(cue_list: CueList) -> CueList:
    """The cue list with its lower thirds and chapters in other sessions moved to those
    sessions' places on this session's clock (``session/siblings.py``), where its clips are."""

    def moved(items: list) -> list:
        return [item.model_copy(update={"at": sibling_base_ms(item.session) + item.at})
                if item.session else item for item in items]  # fmt: skip

    if not any(item.session for item in [*cue_list.lower_thirds, *cue_list.chapters]):
        return cue_list
    return cue_list.model_copy(update={"lower_thirds": moved(cue_list.lower_thirds),
                                       "chapters": moved(cue_list.chapters)})  # fmt: skip


def resolve_clips(
    loaded: LoadedSession, name: str, words: list[Word] | None = None
) -> list[ResolvedClip]:
    """The film's clips on the session clock (none without a cue list), whether or not
    its transitions fit them."""
    plan = plan_film(loaded, name, words, strict=False)
    return plan.clips if plan else []
