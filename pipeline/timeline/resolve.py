"""Cue-list clips to session-clock times: quotes found in the transcript (``quotes.py``),
cut points moved to word boundaries and into pauses (unless ``exact``), everything on whole
frames; clips of recordings off the clock and of other sessions at their places on it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.core.errors import CaptureError, ConfigError, Problem
from pipeline.core.timecode import clock, on_frame
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Word, load_transcript
from pipeline.session.cuelist import Clip, CueList, Transition, TransitionType
from pipeline.session.extras import open_extra
from pipeline.session.siblings import (
    SIBLING_SLOT_MS,
    Sibling,
    check_places,
    open_sibling,
    sibling_base_ms,
)
from pipeline.timeline.cut_points import (
    CutNote,
    PlacedCut,
    frame_at,
    place_cut,
    plan_switch,
    plan_transition,
    transition_frames,
)
from pipeline.timeline.quotes import asked_span, transcript_words_in_order
from pipeline.timeline.session_sound import with_other_sessions
from pipeline.timeline.speech import Pause, Speech


@dataclass(frozen=True)
class ResolvedClip:
    in_ms: int
    out_ms: int
    camera: str | None
    line: int | None
    transition: Transition = field(default_factory=Transition)
    """Into this clip from what precedes it."""
    audio: str | None = None
    notes: tuple[CutNote, ...] = ()
    """Cuts moved by more than a frame, transitions changed or covering words."""
    file: str | None = None
    """A recording off the session clock (``in_ms``/``out_ms`` are then its place on the
    clock, ``session/extras.py``)."""
    session: str | None = None
    """Another session of the cycle (``in_ms``/``out_ms`` are then at its place on this
    session's clock, ``session/siblings.py``)."""


def _siblings(loaded: LoadedSession, cue_list: CueList, cue_file: Path) -> list[Sibling]:
    """The other sessions the cue list names, each that can be opened (one that cannot is
    reported at the line of each clip naming it)."""
    opened = []
    for name in sorted(cue_list.sessions):
        try:
            opened.append(open_sibling(loaded, name))
        except CaptureError:
            continue
    try:
        check_places({s.name for s in opened})
    except CaptureError as error:
        raise ConfigError([Problem(cue_file, None, None, str(error))]) from None
    return opened


def resolve_cue_list(
    loaded: LoadedSession,
    name: str,
    cue_list: CueList,
    fps: int,
    words: list[Word] | None = None,
) -> list[ResolvedClip]:
    """``words`` (the transcript's, in time order) are read from the session when not given."""
    cue_file = loaded.folder.cue_list(name)
    if words is None:
        words = transcript_words_in_order(load_transcript(loaded.folder))
    siblings = _siblings(loaded, cue_list, cue_file)
    placed_words, sound, sibling_words = with_other_sessions(loaded, words, siblings)
    speech = Speech(placed_words, fps, sound)
    by_name = {s.name: s for s in siblings}
    problems: list[Problem] = []
    clips: list[ResolvedClip] = []
    edges: list[_Edges] = []
    asked_before: int | None = None  # where the clip before was asked to end (not exact)
    for index, clip in enumerate(cue_list.clips):
        line = cue_list.line_of(("clips", index))
        try:
            if clip.file is not None:  # off the session clock: cut where asked, on frames
                first, last = _in_file(loaded, clip)
                clips.append(ResolvedClip(on_frame(first, fps), on_frame(last, fps), None, line,
                                          clip.transition, None, (), clip.file))  # fmt: skip
                placed = clips[-1]
                edges.append(_Edges(PlacedCut(placed.in_ms, None, None),
                                    PlacedCut(placed.out_ms, None, None), True, False))  # fmt: skip
                asked_before = None
                continue
            if clip.session is not None:
                asked_in, asked_out = _in_sibling(loaded, clip, by_name, sibling_words)
            else:
                asked_in, asked_out = asked_span(clip, words)
            if clip.exact:
                cut_in = PlacedCut(_exact_frame(clip.in_ms, asked_in, "in", fps), None, None)
                cut_out = PlacedCut(_exact_frame(clip.out_ms, asked_out, "out", fps), None, None)
                switch = False
            else:
                switch = asked_before is not None and asked_in == asked_before
                edge = "switch" if switch else "in"
                cut_in = place_cut(asked_in, edge, speech)
                cut_out = place_cut(asked_out, "out", speech)
                if cut_out.ms <= cut_in.ms:  # a clip shorter than the word it falls in
                    cut_in = PlacedCut(frame_at(asked_in, "in", 1000 / fps), None, None)
                    cut_out = PlacedCut(frame_at(asked_out, "out", 1000 / fps), None, None)
                if switch:  # one cut for both: the camera changes, the speech runs on
                    kept = tuple(n for n in clips[-1].notes if n.edge != "out")
                    clips[-1] = replace(clips[-1], out_ms=cut_in.ms, notes=kept)
                    edges[-1] = replace(edges[-1], cut_out=cut_in)
        except ValueError as error:
            problems.append(Problem(cue_file, line, f"clips[{index}]", str(error)))
            asked_before = None
            continue
        asked_before = None if clip.exact else asked_out
        notes = tuple(n for n in (cut_in.note, cut_out.note) if n is not None)
        clips.append(ResolvedClip(cut_in.ms, cut_out.ms, clip.camera, line, clip.transition,
                                  clip.audio, notes, session=clip.session))  # fmt: skip
        edges.append(_Edges(cut_in, cut_out, clip.exact, switch))
    if not problems:
        clips = _around_speech(clips, edges, speech, bool(cue_list.title_card))
    problems += _unknown_speakers(loaded, cue_list, cue_file)
    problems += _unknown_sessions(loaded, cue_list, cue_file)
    if problems:
        raise ConfigError(problems)
    return clips


@dataclass(frozen=True)
class _Edges:
    cut_in: PlacedCut
    cut_out: PlacedCut
    exact: bool
    switch: bool
    """The clip starts where the one before ends (another camera, the same moment)."""


def _in_sibling(
    loaded: LoadedSession, clip: Clip, by_name: dict[str, Sibling], words: dict[str, list[Word]]
) -> tuple[int, int]:
    """Where the editor asked a clip of another session to start and end, at that session's
    place on this one's clock."""
    assert clip.session is not None
    sibling = by_name.get(clip.session)
    if sibling is None:
        try:
            open_sibling(loaded, clip.session)
        except CaptureError as error:
            raise ValueError(str(error)) from None
        raise ValueError(f"session {clip.session!r} cannot be opened")
    if (clip.from_quote or clip.to_quote) and not words[sibling.name]:
        raise ValueError(f"session {sibling.name!r} has no transcript to find quotes in: run "
                         f"`capture transcribe {sibling.loaded.root}`")  # fmt: skip
    asked_in, asked_out = asked_span(clip, words[sibling.name])
    if asked_out >= SIBLING_SLOT_MS:
        raise ValueError(f"{clock(asked_out)} is past the {SIBLING_SLOT_MS // 3_600_000} hours "
                         "a session may last")  # fmt: skip
    return sibling.to_host(asked_in), sibling.to_host(asked_out)


def _in_file(loaded: LoadedSession, clip: Clip) -> tuple[int, int]:
    """The clip of a recording off the session clock, at its place on the clock."""
    assert clip.file is not None and clip.in_ms is not None and clip.out_ms is not None
    try:
        extra = open_extra(loaded, clip.file)
    except CaptureError as error:
        raise ValueError(str(error)) from None
    if not extra.info.has_video:
        raise ValueError(f"{clip.file!r} has no picture")
    if clip.out_ms > extra.duration_ms:
        raise ValueError(f"out ({clock(clip.out_ms)}) is past the end of {clip.file!r} "
                         f"({clock(extra.duration_ms)})")  # fmt: skip
    return extra.to_session(clip.in_ms), extra.to_session(clip.out_ms)


def _exact_frame(time_ms: int | None, asked_ms: int, edge: str, fps: int) -> int:
    """``exact: true``: a time on its nearest frame; a quote's edge on the frame that keeps
    the quoted word whole."""
    return on_frame(asked_ms, fps) if time_ms is not None else frame_at(asked_ms, edge, 1000 / fps)


def _around_speech(
    clips: list[ResolvedClip], edges: list[_Edges], speech: Speech, after_a_card: bool
) -> list[ResolvedClip]:
    """Each crossfade or dip taken from the pauses its cuts sit in (``plan_transition``; at a
    change of camera, ``plan_switch``); into the first clip, after the title card, only the
    incoming side has speech."""
    planned = list(clips)
    fps = speech.fps
    for index, clip in enumerate(clips):
        kind = clip.transition.type
        if kind == TransitionType.CUT or edges[index].exact or (index and edges[index - 1].exact):
            continue
        if index == 0 and not after_a_card:
            continue  # refused later, with its line
        frames = transition_frames(clip.transition.duration, fps)
        incoming = edges[index].cut_in
        if edges[index].switch:
            plan = plan_switch(incoming, frames, kind.value, speech)
        else:
            card = PlacedCut(0, Pause(0, math.inf, None, None), None)  # no speech on a card
            outgoing = edges[index - 1].cut_out if index else card
            plan = plan_transition(outgoing, incoming, frames, kind.value, speech)
        transition = clip.transition.model_copy(update={"duration": plan.frames / fps})
        ours = tuple(n for n in plan.notes if n.edge != "out")
        planned[index] = replace(planned[index], in_ms=plan.in_ms, transition=transition,
                                 notes=planned[index].notes + ours)  # fmt: skip
        if index:
            theirs = tuple(n for n in plan.notes if n.edge == "out")
            planned[index - 1] = replace(planned[index - 1], out_ms=plan.out_ms,
                                         notes=planned[index - 1].notes + theirs)  # fmt: skip
    return planned


def _unknown_sessions(loaded: LoadedSession, cue_list: CueList, cue_file: Path) -> list[Problem]:
    """A chapter in another session that cannot be opened (a lower third's is reported with
    its speaker, a clip's with the clip), and a chapter or lower third past the hours a
    session may last."""
    problems = []
    items = [("chapters", i, c) for i, c in enumerate(cue_list.chapters)]
    items += [("lower_thirds", i, t) for i, t in enumerate(cue_list.lower_thirds)]
    for key, index, item in items:
        if item.session is None:
            continue
        where = (cue_file, cue_list.line_of((key, index)), f"{key}[{index}]")
        if item.at - sibling_base_ms(item.session) >= SIBLING_SLOT_MS:
            hours = SIBLING_SLOT_MS // 3_600_000
            problems.append(Problem(*where, f"at is past the {hours} hours a session may last"))
        elif key == "chapters":
            try:
                open_sibling(loaded, item.session)
            except CaptureError as error:
                problems.append(Problem(*where, str(error)))
    return problems


def _unknown_speakers(loaded: LoadedSession, cue_list: CueList, cue_file: Path) -> list[Problem]:
    """A lower third shows a name and role from session.yaml (that of the session it is in):
    a name not there is a typo."""
    problems = []
    for index, item in enumerate(cue_list.lower_thirds):
        where = f"lower_thirds[{index}]"
        line = cue_list.line_of(("lower_thirds", index))
        try:
            session = open_sibling(loaded, item.session).loaded if item.session else loaded
        except CaptureError as error:
            problems.append(Problem(cue_file, line, where, str(error)))
            continue
        known = [p.name for p in session.session.people]
        if item.speaker not in known:
            yaml = session.folder.session_file if item.session else "session.yaml"
            problems.append(Problem(cue_file, line, where,
                f"{item.speaker!r} is not a speaker or the facilitator in {yaml}"
                + (f": use one of {', '.join(known)}" if known else "")))  # fmt: skip
    return problems
