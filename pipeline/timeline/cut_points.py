"""Where a film cuts: in the pauses between words, never inside one.

The editor asks for a time or quotes a word; speech decides where the cut lands. A cut goes
into a pause of the transcript (the stretch between one word's end and the next word's
start, less a breath kept on both sides), to its quietest frame boundary when the session's
sound can be read (room tone, not the tail of a word Whisper timed short). An in-point
prefers the pause before the moment asked (nothing the editor asked for is lost), an
out-point the pause after. When no pause lies within reach, the cut stays where asked and
says so.

A transition overlaps two clips: the outgoing clip's last ``d`` seconds and the incoming
clip's first ``d`` play together. Each overlap is taken from the pause its cut sits in:
the out-point is pushed later and the in-point earlier into their pauses, and the
transition is shortened when a pause is too short, so no word of either clip is faded out.
Every cut that moved by more than a frame, and every word a transition still covers, is a
``CutNote`` for the render report and the editor's terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.core.timecode import format_time_ms
from pipeline.session.artifacts.transcript import Word
from pipeline.timeline.speech import Pause, SessionSound, Speech

REACH_MS = 2500
"""How far a cut may move to find a pause."""
INTO_PAUSE_MS = 1000
"""How far into a pause found at the edge of reach the cut may go to find room tone: a
transcript's word often ends before its sound does."""
LOUDNESS_PER_SECOND_DB = 15.0
"""Within a pause, each second away from the moment asked counts as this many decibels
louder: the quietest point wins, but not at any distance."""
QUIET_DB = 10.0
"""A transition's overlap stays where the sound is within this of the cut's own level."""
WINDOW_MS = 20
"""The sound's level at a frame boundary is measured over ±20 ms."""


def transition_frames(seconds: float, fps: int) -> int:
    """An even number of frames (at least two), so each half is whole frames."""
    return max(2, 2 * math.floor(seconds * fps / 2 + 0.5))


@dataclass(frozen=True)
class CutNote:
    edge: str
    """"in" or "out"."""
    asked_ms: int
    placed_ms: int
    reason: str

    def __str__(self) -> str:
        if self.asked_ms == self.placed_ms:
            return f"{self.edge} {format_time_ms(self.asked_ms)}: {self.reason}"
        return (
            f"{self.edge} {format_time_ms(self.asked_ms)} → {format_time_ms(self.placed_ms)}: "
            f"{self.reason}"
        )


@dataclass(frozen=True)
class PlacedCut:
    ms: int
    pause: Pause | None
    """The pause it sits in (None: no pause within reach)."""
    note: CutNote | None


def _frames_in(pause: Pause, asked_ms: int, edge: str, fps: int) -> list[int]:
    """Frame boundaries (ms, on the session clock) inside ``pause`` where the cut may go.
    From a moment asked inside the pause, an in-point only moves earlier and an out-point
    only later (nothing asked for is lost); a switch between cameras either way."""
    frame = 1000 / fps
    first = max(pause.start_ms, asked_ms - REACH_MS - INTO_PAUSE_MS, 0)
    last = min(pause.end_ms, asked_ms + REACH_MS + INTO_PAUSE_MS)
    if pause.start_ms <= asked_ms <= pause.end_ms:
        if edge == "in":  # (give or take half a frame of silence)
            last = min(last, asked_ms + frame / 2)
        elif edge == "out":
            first = max(first, asked_ms - frame / 2)
    return [round(n * frame) for n in range(math.ceil(first / frame), math.floor(last / frame) + 1)]


def _distance(pause: Pause, asked_ms: int, edge: str) -> tuple[float, bool]:
    """How far ``pause`` is from the moment asked, and whether reaching it loses some of
    what was asked (an in-point moved later, an out-point moved earlier)."""
    if pause.start_ms <= asked_ms <= pause.end_ms:
        return 0.0, False
    if asked_ms > pause.end_ms:  # the pause is earlier
        return asked_ms - pause.end_ms, edge == "out"
    return pause.start_ms - asked_ms, edge == "in"


def _skips_a_word(pause: Pause, asked_ms: int) -> bool:
    """Whether reaching ``pause`` from ``asked_ms`` on the wrong side drops a whole word, not
    only the one the moment asked falls in (a word starting right at an in-point, or ending
    right at an out-point, is whole: it is not one the moment falls in)."""
    if pause.start_ms > asked_ms:  # later: the word before the pause must hold the moment
        return pause.before is not None and pause.before.start_ms >= asked_ms
    return pause.after is not None and pause.after.end_ms <= asked_ms


def _levels_db(sound: SessionSound, moments: list[int]) -> np.ndarray:
    """The sound's level (dBFS) around each moment, read in one stretch."""
    first, last = moments[0] - WINDOW_MS, moments[-1] + WINDOW_MS
    samples = sound.read(first, last)
    per_ms = sound.rate / 1000
    levels = []
    for moment in moments:
        lo = int((moment - WINDOW_MS - first) * per_ms)
        hi = int((moment + WINDOW_MS - first) * per_ms)
        window = samples[max(0, lo) : max(0, hi)]
        if len(window) < (hi - lo) * 0.9 or np.isnan(window).any():
            levels.append(0.0)  # outside the recording: no place for a cut
            continue
        power = float(np.mean(window.astype(np.float64) ** 2))
        levels.append(10 * math.log10(power + 1e-12))
    return np.array(levels)


def _word(word: Word | None) -> str:
    return f"“{word.text.strip()}”" if word is not None else "the recording's edge"


def frame_at(asked_ms: int, edge: str, frame_ms: float) -> int:
    """The frame boundary at or before an in-point, at or after an out-point (the word
    asked is kept whole), the nearest one for a switch."""
    frames = asked_ms / frame_ms
    if edge == "in":
        number = math.floor(frames + 1e-9)
    elif edge == "out":
        number = math.ceil(frames - 1e-9)
    else:
        number = round(frames)
    return round(number * frame_ms)


def _reason(pause: Pause, asked_ms: int, placed_ms: int, edge: str) -> str:
    if edge == "switch" or pause.start_ms <= asked_ms <= pause.end_ms:
        if pause.before is None:
            return f"to the quietest moment before {_word(pause.after)}"
        if pause.after is None:
            return f"to the quietest moment after {_word(pause.before)}"
        return (f"to the quietest moment between {_word(pause.before)} and "
                f"{_word(pause.after)}")  # fmt: skip
    if placed_ms < asked_ms:
        lost = ", leaving out the word it fell in" if edge == "out" else ""
        return f"moved before {_word(pause.after)}{lost}"
    lost = ", leaving out the word it fell in" if edge == "in" else ""
    return f"moved after {_word(pause.before)}{lost}"


def place_cut(asked_ms: int, edge: str, speech: Speech) -> PlacedCut:
    """The frame boundary where a cut asked at ``asked_ms`` lands. ``edge``: "in" (a clip
    starts: the pause at or before is preferred), "out" (a clip ends: at or after), or
    "switch" (one clip ends where the next begins, another camera: the nearest pause)."""
    frame_ms, fps, words, sound = speech.frame_ms, speech.fps, speech.words, speech.sound
    candidates, skipped = [], 0
    for pause in speech.pauses.near(asked_ms, REACH_MS):
        distance, loses = _distance(pause, asked_ms, edge if edge != "switch" else "")
        if distance > REACH_MS:
            continue
        if loses and _skips_a_word(pause, asked_ms):
            skipped += 1
            continue
        frames = _frames_in(pause, asked_ms, edge, fps)
        if frames:  # a pause on the side that loses the word asked only when no other is
            candidates.append(((loses, distance), pause, frames))
    if not candidates:
        placed = frame_at(asked_ms, edge, frame_ms)
        inside = next((w for w in words if w.start_ms < asked_ms < w.end_ms), None)
        where = f": the cut is inside {_word(inside)}" if inside else ""
        reach = f"{REACH_MS / 1000:g} s"
        reason = (
            f"no pause within {reach} that keeps every word asked{where}"
            if skipped
            else f"no pause between words within {reach}{where}"
        )
        return PlacedCut(placed, None, CutNote(edge, asked_ms, placed, reason))
    _, pause, frames = min(candidates, key=lambda c: c[0])
    cost = np.array([abs(f - asked_ms) / 1000 * LOUDNESS_PER_SECOND_DB for f in frames])
    if sound is not None and len(frames) > 1:
        cost = cost + _levels_db(sound, frames)
    placed = frames[int(np.argmin(cost))]
    note = None
    if abs(placed - asked_ms) > frame_ms:
        note = CutNote(edge, asked_ms, placed, _reason(pause, asked_ms, placed, edge))
    return PlacedCut(placed, pause, note)


@dataclass(frozen=True)
class PlannedTransition:
    out_ms: int
    """The outgoing clip's out-point, pushed later into its pause."""
    in_ms: int
    """The incoming clip's in-point, brought earlier into its pause."""
    frames: int
    """The overlap, an even number of frames."""
    notes: tuple[CutNote, ...]


def _frame_span(pause: Pause | None, frame_ms: float) -> tuple[int, int] | None:
    """The first and last frame numbers inside ``pause``."""
    if pause is None:
        return None
    first = math.ceil(pause.start_ms / frame_ms)
    last = math.floor(pause.end_ms / frame_ms) if math.isfinite(pause.end_ms) else first + 10**6
    return (first, last) if last >= first else None


def _quiet_span(cut: PlacedCut, frame_ms: float, sound: SessionSound | None):
    """The frame numbers around ``cut`` that are pause and, when the sound can be read, as
    quiet as the cut's own moment give or take QUIET_DB: a transcript's word often ends
    before its sound does, and a transition laid over that tail would fade it."""
    span = _frame_span(cut.pause, frame_ms)
    if span is None or sound is None:
        return span
    at = round(cut.ms / frame_ms)
    reach = math.ceil((REACH_MS + INTO_PAUSE_MS) / frame_ms)
    lo, hi = max(span[0], at - reach), min(span[1], at + reach)
    if not lo <= at <= hi:
        return span
    levels = _levels_db(sound, [round(n * frame_ms) for n in range(lo, hi + 1)])
    loudest = levels[at - lo] + QUIET_DB
    first, last = at, at
    while first > lo and levels[first - 1 - lo] <= loudest:
        first -= 1
    while last < hi and levels[last + 1 - lo] <= loudest:
        last += 1
    return first, last


def _fades(speech: Speech, edge: str, at_ms: int, kind: str, under: list[tuple[float, float]]):
    """The note for a transition no pause holds, naming the words under it."""
    faded = [w for w in speech.words if any(a < w.end_ms and w.start_ms < b for a, b in under)]
    said = ", ".join(_word(w) for w in faded[:4]) + ("…" if len(faded) > 4 else "")
    return CutNote(edge, at_ms, at_ms, f"no pause holds the {kind}: it fades {said or 'speech'}")


def plan_transition(
    outgoing: PlacedCut, incoming: PlacedCut, frames: int, kind: str, speech: Speech
) -> PlannedTransition:
    """The overlap taken from the pauses the two cuts sit in: the outgoing clip's last
    ``frames`` and the incoming clip's first must both be pause. The out-point is pushed
    later and the in-point earlier as needed; the transition is shortened (to an even number
    of frames, at least two) to what both pauses hold; one that fits in neither stays as
    asked and names the words it fades."""
    frame_ms, fps = speech.frame_ms, speech.fps
    out_span = _quiet_span(outgoing, frame_ms, speech.sound)
    in_span = _quiet_span(incoming, frame_ms, speech.sound)
    room = min(out_span[1] - out_span[0], in_span[1] - in_span[0]) if out_span and in_span else 0
    fitting = min(frames, 2 * (room // 2))
    if fitting < 2 or out_span is None or in_span is None:
        length = frames * frame_ms
        under = [(outgoing.ms - length, outgoing.ms), (incoming.ms, incoming.ms + length)]
        note = _fades(speech, "in", incoming.ms, kind, under)
        return PlannedTransition(outgoing.ms, incoming.ms, frames, (note,))
    out_ms = max(outgoing.ms, round((out_span[0] + fitting) * frame_ms))
    in_ms = min(incoming.ms, round((in_span[1] - fitting) * frame_ms))
    notes = []
    if fitting < frames:
        notes.append(_shortened("in", incoming.ms, incoming.ms, kind, frames, fitting, fps))
    if out_ms != outgoing.ms:
        notes.append(CutNote("out", outgoing.ms, out_ms, f"extended into the pause for the {kind}"))
    if in_ms != incoming.ms:
        notes.append(
            CutNote("in", incoming.ms, in_ms, f"brought forward into the pause for the {kind}")
        )
    return PlannedTransition(out_ms, in_ms, fitting, tuple(notes))


def _shortened(edge: str, asked: int, placed: int, kind: str, frames: int, fitting: int, fps: int):
    return CutNote(edge, asked, placed, f"{kind} shortened from {frames / fps:.2f} s to "
                   f"{fitting / fps:.2f} s: the pauses hold no more")  # fmt: skip


def plan_switch(cut: PlacedCut, frames: int, kind: str, speech: Speech) -> PlannedTransition:
    """A transition where one camera hands over to another at the same moment: both clips
    play the same stretch of the session under it (``frames`` centred on the cut), so the
    sound runs on; that stretch is taken from the cut's pause, shortened to fit it."""
    frame_ms = speech.frame_ms
    span = _quiet_span(cut, frame_ms, speech.sound)
    fitting = min(frames, 2 * ((span[1] - span[0]) // 2)) if span else 0
    at = round(cut.ms / frame_ms)
    if fitting < 2 or span is None:
        fitting, half = frames, frames // 2
        under = [(cut.ms - half * frame_ms, cut.ms + half * frame_ms)]
        notes = [_fades(speech, "switch", cut.ms, kind, under)]
    else:
        half = fitting // 2
        at = min(max(at, span[0] + half), span[1] - half)
        placed = round(at * frame_ms)
        notes = [_shortened("switch", cut.ms, placed, kind, frames, fitting, speech.fps)
                 ] if fitting < frames else []  # fmt: skip
    return PlannedTransition(
        round((at + half) * frame_ms), round((at - half) * frame_ms), fitting, tuple(notes)
    )
