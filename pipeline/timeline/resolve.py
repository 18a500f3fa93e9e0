"""Cue-list clips to session-clock times: quotes found in the transcript, cut points moved
to word boundaries (unless ``exact``), everything on whole frames.

A quote is matched tolerant of case, punctuation and small recognition errors (a fuzzy
score over as many transcript words as the quote has). No match, or several equally good
ones, is an error that lists the candidates with their times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from pipeline.audio.sound import RecordingSound
from pipeline.audio.source import best_sound
from pipeline.core.errors import CaptureError, ConfigError, Problem
from pipeline.core.timecode import clock, on_frame
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Transcript, Word, load_transcript
from pipeline.session.cuelist import Clip, CueList, Transition, TransitionType
from pipeline.session.extras import open_extra
from pipeline.timeline.cut_points import (
    CutNote,
    PlacedCut,
    frame_at,
    place_cut,
    plan_switch,
    plan_transition,
    transition_frames,
)
from pipeline.timeline.speech import BREATH_MS, Pause, SessionSound, Speech
from pipeline.transcription.glossary import plain_text

MATCH_MIN = 80.0
TIE_MARGIN = 3.0
SOUND_RATE = 16_000
"""The rate the session's sound is read at to find the quietest point of a pause (the
transcription's: its decode is already cached)."""


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


def transcript_words_in_order(transcript: Transcript | None) -> list[Word]:
    return sorted(transcript.words, key=lambda w: w.start_ms) if transcript else []


def find_quote(quote: str, words: list[Word]) -> tuple[int, int]:
    """(index of the first word, index after the last) of the one best match of ``quote``."""
    wanted = plain_text(quote)
    size = max(1, len(wanted.split()))
    scored = []
    for start in range(0, max(0, len(words) - size) + 1):
        for length in {max(1, size - 1), size, size + 1}:
            heard = plain_text(" ".join(w.text for w in words[start : start + length]))
            scored.append((fuzz.ratio(wanted, heard), start, start + length))
    scored.sort(key=lambda s: -s[0])
    best = [s for s in scored if s[0] >= MATCH_MIN]
    if not best:
        shown = "; ".join(
            f"{clock(words[s].start_ms)} “{' '.join(w.text for w in words[s:e])}” ({score:.0f} %)"
            for score, s, e in scored[:3]
        )
        raise ValueError(f"quote “{quote}” not found in the transcript; closest: {shown or 'none'}")
    top = best[0]
    rivals = [s for s in best if s[0] >= top[0] - TIE_MARGIN and abs(s[1] - top[1]) > size]
    if rivals:
        shown = "; ".join(
            f"{clock(words[s].start_ms)} ({score:.0f} %)" for score, s, _ in [top, *rivals][:4]
        )
        raise ValueError(f"quote “{quote}” matches several places: {shown}; quote more words")
    return top[1], top[2]


_OPENED: dict[tuple[str, ...], RecordingSound] = {}
"""Recordings opened for their sound, per process: the mono mix's weights are measured over
the whole recording once (some 10 s for two hours), not once per film."""


def session_sound(loaded: LoadedSession) -> SessionSound | None:
    """The sound the transcript was made from, on the session clock, opened when first read
    (None when the session has none yet). A recording that cannot be read gives NaN: the
    cut is then placed by the words alone, never refused for it."""
    try:
        source = best_sound(loaded)
    except (CaptureError, OSError):
        return None
    recording = source.recording
    key = (str(loaded.root), recording.id, *recording.files, *map(str, recording.part_durations))

    def read(first_ms: int, last_ms: int) -> np.ndarray:
        scale = (1 + source.drift) * SOUND_RATE / 1000
        first = round((first_ms - source.offset_s * 1000) * scale)
        count = max(0, round((last_ms - source.offset_s * 1000) * scale) - first)
        out = np.full(count, np.nan, dtype=np.float32)
        try:
            if key not in _OPENED:
                _OPENED[key] = RecordingSound(loaded.folder, recording, SOUND_RATE)
            sound = _OPENED[key]
            lo, hi = max(0, first), min(len(sound), first + count)
            if hi > lo:
                out[lo - first : hi - first] = sound.mono_between(lo, hi)
        except (CaptureError, OSError, ValueError):
            pass  # no sound to measure: every moment of the pause is as good
        return out

    return SessionSound(read, SOUND_RATE)


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
    speech = Speech(words, fps, session_sound(loaded) if words else None)
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
            asked_in, asked_out = _asked(clip, words)
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
                                  clip.audio, notes))  # fmt: skip
        edges.append(_Edges(cut_in, cut_out, clip.exact, switch))
    if not problems:
        clips = _around_speech(clips, edges, speech, bool(cue_list.title_card))
    problems += _unknown_speakers(loaded, cue_list, cue_file)
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


def _asked(clip: Clip, words: list[Word]) -> tuple[int, int]:
    """Where the editor asked the clip to start and end: times, or a breath outside the
    quoted words."""
    if (clip.from_quote or clip.to_quote) and not words:
        raise ValueError("quotes need a transcript: run `capture transcribe` first")
    asked_in, asked_out = clip.in_ms, clip.out_ms
    if clip.from_quote:
        first, _ = find_quote(clip.from_quote, words)
        asked_in = max(0, words[first].start_ms - BREATH_MS)
    if clip.to_quote:
        _, last = find_quote(clip.to_quote, words)
        asked_out = words[last - 1].end_ms + BREATH_MS
    assert asked_in is not None and asked_out is not None
    if asked_out <= asked_in:
        raise ValueError(f"ends ({clock(asked_out)}) before it starts ({clock(asked_in)})")
    return asked_in, asked_out


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


def _unknown_speakers(loaded: LoadedSession, cue_list: CueList, cue_file: Path) -> list[Problem]:
    """A lower third shows a name and role from session.yaml: a name not there is a typo."""
    session = loaded.session
    known = [p.name for p in [session.facilitator, *session.speakers] if p is not None]
    return [
        Problem(
            cue_file,
            cue_list.line_of(("lower_thirds", index)),
            f"lower_thirds[{index}]",
            f"{item.speaker!r} is not a speaker or the facilitator in session.yaml"
            + (f": use one of {', '.join(known)}" if known else ""),
        )
        for index, item in enumerate(cue_list.lower_thirds)
        if item.speaker not in known
    ]
