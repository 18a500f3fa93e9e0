"""The master subtitles carried onto each film's timeline (through its time map), clear of
its lower thirds."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipeline.core.errors import CaptureError
from pipeline.session import FILMS, LoadedSession
from pipeline.session.artifacts.transcript import Transcript, load_transcript
from pipeline.session.cuelist import CueList
from pipeline.session.extras import extra_files, is_extra_time
from pipeline.session.siblings import SYNTHESIS, Sibling, named_siblings, sibling_sessions
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.master import master_cues
from pipeline.subtitles.retime import retime, spaced_cues
from pipeline.subtitles.rules import SubtitleRules, session_rules
from pipeline.subtitles.segment import segment_words, transcript_words
from pipeline.subtitles.sound_cues import session_sounds, with_sound_cues
from pipeline.timeline.film_plan import plan_film
from pipeline.timeline.lower_thirds import LowerThirdOnFilm
from pipeline.timeline.lower_thirds import lower_thirds as shown_lower_thirds
from pipeline.timeline.quotes import transcript_words_in_order
from pipeline.timeline.timemap import TimeMap
from pipeline.transcription.extra_transcripts import current_extra_transcript


@dataclass(frozen=True)
class FilmMap:
    timemap: TimeMap
    cue_list: CueList | None
    """None for the full version without a cue list (the whole session)."""


def timeline_maps(
    loaded: LoadedSession, master: list[Cue], transcript: Transcript | None
) -> dict[str, FilmMap]:
    """Each film's time map, planned as the renderer plans it (``plan_film``); the full
    version without clips is the whole session."""
    maps = {}
    words = transcript_words_in_order(transcript)
    for name in FILMS:
        plan = plan_film(loaded, name, words)
        if plan:
            maps[name] = FilmMap(plan.timemap, plan.cue_list)
        elif name == "full" and master:
            maps[name] = FilmMap(TimeMap.identity(master[-1].end_ms), None)
    return maps


def _shifted(word: CueWord, span) -> CueWord:
    return replace(word, start_ms=span.to_output(word.start_ms), end_ms=span.to_output(word.end_ms))


def film_cues(
    loaded: LoadedSession,
    master: list[Cue],
    reviewed: bool,
    timemap: TimeMap,
    transcript: Transcript | None,
    *,
    cue_list: CueList | None,
) -> list[Cue]:
    """A film's subtitles: the reviewed master cut by the film's clips, or, without a
    review, new cues built clip by clip from the words heard in each clip (so generated
    subtitles always meet the rules and never span a cut); where two clips are heard
    together under a transition, the outgoing clip's cue ends before the incoming one's.
    Cues shown while one of ``cue_list``'s lower thirds is on screen go above it."""
    lower_thirds = (
        shown_lower_thirds(
            cue_list, loaded.session, timemap, sibling_sessions(loaded, cue_list.sessions)
        )  # fmt: skip
        if cue_list
        else []
    )
    rules = session_rules(loaded)
    others = _other_sessions(loaded, cue_list)
    cues = _film_cues(loaded, master, reviewed, timemap, transcript, rules, others)
    if others.reviewed:  # the reviewers' masters of other sessions, cut by the film's clips
        cues = spaced_cues([*cues, *retime(others.reviewed, timemap, rules)], rules)
    return clear_of(lower_thirds, cues)


def clear_of(lower_thirds: list[LowerThirdOnFilm], cues: list[Cue]) -> list[Cue]:
    """``cues`` with those shown while a lower third is on screen raised above it, as
    subtitlers move a subtitle up while a name is shown under a speaker; the others stay."""
    placed = []
    for cue in cues:
        under = [
            item.top
            for item in lower_thirds
            if cue.start_ms < round(item.end_s * 1000) and round(item.start_s * 1000) < cue.end_ms
        ]
        placed.append(replace(cue, clear_above=max(under)) if under else cue)
    return placed


def _extra_words(loaded: LoadedSession, timemap: TimeMap) -> list[CueWord]:
    """The words of the recordings off the session clock that the film shows, at their
    place on the clock (``session/extras.py``), from their own transcripts."""
    if not any(is_extra_time(span.session_start_ms) for span in timemap.spans):
        return []
    words: list[CueWord] = []
    for extra in extra_files(loaded):
        transcript = current_extra_transcript(loaded, extra)
        if transcript is None:
            raise CaptureError(f"{extra.relative} has no transcript, or one of an earlier "
                               f"file: run `capture transcribe {loaded.root}`")  # fmt: skip
        words += [replace(w, start_ms=extra.to_session(w.start_ms),
                          end_ms=extra.to_session(w.end_ms))
                  for w in transcript_words(transcript)]  # fmt: skip
    return words


def _moved(cue: Cue, sibling: Sibling) -> Cue:
    words = tuple(replace(w, start_ms=sibling.to_host(w.start_ms), end_ms=sibling.to_host(w.end_ms))
                  for w in cue.words)  # fmt: skip
    return replace(cue, start_ms=sibling.to_host(cue.start_ms),
                   end_ms=sibling.to_host(cue.end_ms), words=words)  # fmt: skip


@dataclass(frozen=True)
class _OtherSessions:
    """What the other sessions a film cuts (``session/siblings.py``) say, at their places
    on this session's clock."""

    reviewed: list[Cue]
    """The reviewed masters of those a reviewer corrected (cut by the film's clips)."""
    words: list[CueWord]
    """The transcripts' words of the others (captioned clip by clip, as the film's own)."""
    sounds: list[tuple[int, int, str]]


def _other_sessions(loaded: LoadedSession, cue_list: CueList | None) -> _OtherSessions:
    found = _OtherSessions([], [], [])
    if cue_list is None or not cue_list.sessions:
        return found
    for sibling in named_siblings(loaded, cue_list.sessions):
        folder = sibling.loaded.folder
        transcript = load_transcript(folder)
        if folder.reviewed_subtitles.is_file():
            master, _ = master_cues(sibling.loaded, transcript)
            found.reviewed.extend(_moved(cue, sibling) for cue in master)
            continue
        if transcript is None:
            raise CaptureError(f"no transcript in {sibling.loaded.root}, which "
                               f"{loaded.folder.cue_list(SYNTHESIS).name} cuts: run `capture "
                               f"transcribe {sibling.loaded.root}` first")  # fmt: skip
        found.words.extend(replace(w, start_ms=sibling.to_host(w.start_ms),
                                   end_ms=sibling.to_host(w.end_ms))
                           for w in transcript_words(transcript))  # fmt: skip
        found.sounds.extend((sibling.to_host(a), sibling.to_host(b), kind)
                            for a, b, kind in session_sounds(transcript.sounds))  # fmt: skip
    return found


def _film_cues(
    loaded: LoadedSession,
    master: list[Cue],
    reviewed: bool,
    timemap: TimeMap,
    transcript: Transcript | None,
    rules: SubtitleRules,
    others: _OtherSessions,
) -> list[Cue]:
    extra = _extra_words(loaded, timemap) + others.words
    if reviewed:
        terms = loaded.session.glossary.all_terms()
        return retime(sorted([*master, *segment_words(extra, terms, rules)],
                             key=lambda c: c.start_ms), timemap, rules)  # fmt: skip
    words = (transcript_words(transcript) if transcript else []) + extra
    sounds = (session_sounds(transcript.sounds) if transcript else []) + others.sounds
    terms = loaded.session.glossary.all_terms()
    cues: list[Cue] = []
    heard_sounds: list[tuple[int, int, str]] = []
    for span in timemap.spans:
        for start, end, kind in sounds:  # the part of each sound this clip lets be heard
            first, last = max(start, span.heard_from_ms), min(end, span.heard_until_ms)
            if last > first:
                heard_sounds.append((span.to_output(first), span.to_output(last), kind))
        # every word heard in the clip, those fading under a transition too
        heard = span.heard_from_ms, span.heard_until_ms
        inside = [w for w in words if heard[0] <= (w.start_ms + w.end_ms) // 2 < heard[1]]
        last_end = span.heard_until_ms - rules.min_gap_ms
        for cue in segment_words(inside, terms, rules):
            start = max(cue.start_ms, heard[0])  # a word cut at the clip's start
            # a cue cut short by the clip's start is held long enough to be read again
            end = max(start + 1, min(max(cue.end_ms, start + rules.min_duration_ms), last_end))
            cues.append(
                replace(
                    cue,
                    start_ms=span.to_output(start),
                    end_ms=span.to_output(end),
                    words=tuple(
                        replace(
                            w,
                            start_ms=span.to_output(max(w.start_ms, heard[0])),
                            end_ms=span.to_output(w.end_ms),
                        )
                        for w in cue.words
                    ),
                )
            )
    return with_sound_cues(spaced_cues(cues, rules), heard_sounds, rules)
