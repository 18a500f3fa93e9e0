"""Cue-list clips to session-clock times: quotes found in the transcript, cut points moved
to word boundaries (unless ``exact``), everything on whole frames.

A quote is matched tolerant of case, punctuation and small recognition errors (a fuzzy
score over as many transcript words as the quote has). No match, or several equally good
ones, is an error that lists the candidates with their times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from pipeline.errors import ConfigError, Problem
from pipeline.session import LoadedSession
from pipeline.subtitles.cues import clock
from pipeline.timeline.cuelist import CueList, Transition, load_cue_list
from pipeline.timeline.timecode import on_frame
from pipeline.transcription.glossary import plain_text
from pipeline.transcription.transcript import Transcript, Word, load_transcript
from pipeline.yamlio import LoadedYaml, load_yaml

MATCH_MIN = 80.0
TIE_MARGIN = 3.0
FPS = 25
"""The films' frame rate (PAL, as the cameras of French public events record)."""
SNAP_MARGIN_MS = 80
"""A cut moved to a word boundary keeps this much air (two frames) outside the word."""


@dataclass(frozen=True)
class ResolvedClip:
    in_ms: int
    out_ms: int
    camera: str | None
    line: int | None
    transition: Transition = field(default_factory=Transition)
    """Into this clip from what precedes it."""
    audio: str | None = None


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


def _snap(ms: int, words: list[Word], start: bool) -> int:
    """A cut inside a word moves out of it, to just before (start) or after (end) it."""
    for word in words:
        if word.start_ms < ms < word.end_ms:
            return word.start_ms - SNAP_MARGIN_MS if start else word.end_ms + SNAP_MARGIN_MS
    return ms


def resolve_clips(
    loaded: LoadedSession, name: str, fps: int = FPS, words: list[Word] | None = None
) -> list[ResolvedClip]:
    """``words`` (the transcript's, in time order) are read from the session when not given."""
    cue_list = load_cue_list(loaded, name)
    return resolve_cue_list(loaded, name, cue_list, fps, words) if cue_list else []


def resolve_cue_list(
    loaded: LoadedSession,
    name: str,
    cue_list: CueList,
    fps: int = FPS,
    words: list[Word] | None = None,
) -> list[ResolvedClip]:
    cue_file = loaded.layout.cues / f"{name}.yaml"
    lines = load_yaml(cue_file)
    if words is None:
        words = transcript_words_in_order(load_transcript(loaded.layout.transcript))
    problems, clips = [], []
    for index, clip in enumerate(cue_list.clips):
        line = lines.line_of(("clips", index))
        try:
            if clip.from_quote or clip.to_quote:
                if not words:
                    raise ValueError("quotes need a transcript: run `capture transcribe` first")
            if clip.from_quote:
                first, _ = find_quote(clip.from_quote, words)
                start = words[first].start_ms - SNAP_MARGIN_MS
            else:
                start = clip.in_ms if clip.exact else _snap(clip.in_ms, words, True)
            if clip.to_quote:
                _, last = find_quote(clip.to_quote, words)
                end = words[last - 1].end_ms + SNAP_MARGIN_MS
            else:
                end = clip.out_ms if clip.exact else _snap(clip.out_ms, words, False)
            if end <= start:
                raise ValueError(f"ends ({clock(end)}) before it starts ({clock(start)})")
        except ValueError as error:
            problems.append(Problem(cue_file, line, f"clips[{index}]", str(error)))
            continue
        clips.append(
            ResolvedClip(
                on_frame(max(0, start), fps),
                on_frame(end, fps),
                clip.camera,
                line,
                clip.transition,
                clip.audio,
            )  # fmt: skip
        )
    problems += _unknown_speakers(loaded, cue_list, cue_file, lines)
    if problems:
        raise ConfigError(problems)
    return clips


def _unknown_speakers(
    loaded: LoadedSession, cue_list: CueList, cue_file: Path, lines: LoadedYaml
) -> list[Problem]:
    """A lower third shows a name and role from session.yaml: a name not there is a typo."""
    session = loaded.session
    known = [p.name for p in [session.facilitator, *session.speakers] if p is not None]
    return [
        Problem(
            cue_file,
            lines.line_of(("lower_thirds", index)),
            f"lower_thirds[{index}]",
            f"{item.speaker!r} is not a speaker or the facilitator in session.yaml"
            + (f": use one of {', '.join(known)}" if known else ""),
        )
        for index, item in enumerate(cue_list.lower_thirds)
        if item.speaker not in known
    ]
