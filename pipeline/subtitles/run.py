"""The subtitle stage for a session: build, review package, import of the reviewed file.

Files (GUIDE §1):
* ``subtitles/generated.fr.srt``: cues built from the transcript, session clock (rewritten);
* ``subtitles/reviewed/master.fr.srt`` + ``review.json``: the reviewer's file, the source of
  truth once imported; nothing but ``capture subtitles import`` ever writes it;
* ``subtitles/full.fr.srt|.vtt``, ``highlights.fr.srt|.vtt``: the master carried onto each
  film's timeline (cues/*.yaml);
* ``subtitles/review/``: the package sent to the reviewer (SRT + HTML sheet);
* ``transcript/reviewed.txt|.md``: the transcript text as reviewed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.core.fsutil import atomic_write_bytes, atomic_write_text, read_limited
from pipeline.core.timecode import clock
from pipeline.session import FILMS, LoadedSession, check_film
from pipeline.session.artifacts.subtitles import ReviewRecord
from pipeline.session.artifacts.sync import session_end_s
from pipeline.session.artifacts.transcript import Transcript, load_transcript
from pipeline.session.cuelist import CueList, load_cue_list
from pipeline.subtitles.check import Violation, check_cues
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.formats import (
    MAX_SUBTITLE_BYTES,
    SubtitleFormatError,
    read_subtitles,
    to_srt,
    to_vtt,
)
from pipeline.subtitles.paragraphs import paragraphs
from pipeline.subtitles.retime import retime, spaced_cues
from pipeline.subtitles.review_sheet import render_review_sheet
from pipeline.subtitles.rules import RULES
from pipeline.subtitles.segment import segment_words, transcript_words
from pipeline.timeline.lower_thirds import LowerThirdOnFilm
from pipeline.timeline.lower_thirds import lower_thirds as shown_lower_thirds
from pipeline.timeline.pieces import film_pieces, timemap_of
from pipeline.timeline.resolve import FPS, resolve_cue_list, transcript_words_in_order
from pipeline.timeline.timemap import TimeMap


class NoTranscript(CaptureError):
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class BuildReport:
    reviewed: bool
    master_cues: int
    written: list[Path]
    violations: list[Violation]
    """The master's."""
    films: dict[str, list[Violation]]
    """Each film's subtitles, re-checked after retiming."""


def _transcript(loaded: LoadedSession) -> Transcript | None:
    return load_transcript(loaded.folder)


def generated_cues(loaded: LoadedSession, transcript: Transcript | None) -> list[Cue]:
    if transcript is None:
        raise NoTranscript(
            f"no transcript in {loaded.root}: run `capture transcribe {loaded.root}` first"
        )
    return segment_words(transcript_words(transcript), loaded.session.glossary.all_terms())


def _with_words(cues: list[Cue], words: list[CueWord]) -> list[Cue]:
    """Reviewed cues get back the transcript's words in their time (for speakers and the
    review sheet); a cue whose words are all one person's is that person's."""
    dressed = []
    for cue in cues:
        inside = tuple(w for w in words if cue.start_ms <= w.start_ms < cue.end_ms)
        speakers = {w.speaker for w in inside}
        speaker = cue.speaker
        if speaker is None and len(speakers) == 1 and not cue.lines[0].startswith("-"):
            speaker = speakers.pop()
        dressed.append(replace(cue, words=inside, speaker=speaker))
    return dressed


def master_cues(loaded: LoadedSession, transcript: Transcript | None) -> tuple[list[Cue], bool]:
    """(cues on the session clock, whether they are the reviewer's)."""
    reviewed = loaded.folder.reviewed_subtitles
    if reviewed.is_file():
        words = transcript_words(transcript) if transcript else []
        return _with_words(read_subtitles(reviewed), words), True
    return generated_cues(loaded, transcript), False


def timeline_maps(
    loaded: LoadedSession, master: list[Cue], transcript: Transcript | None
) -> dict[str, TimeMap]:
    """Each film's time map, from its cue list's clips resolved as the renderer resolves
    them (quotes, word boundaries, whole frames); the full version without clips is the
    whole session."""
    maps = {}
    words = transcript_words_in_order(transcript)
    for name in FILMS:
        cue_list = load_cue_list(loaded, name)
        clips = resolve_cue_list(loaded, name, cue_list, FPS, words) if cue_list else []
        if clips:
            cue_file = loaded.folder.cue_list(name)
            maps[name] = timemap_of(film_pieces(cue_list, clips, FPS, cue_file), FPS)
        elif name == "full" and master:
            maps[name] = TimeMap.identity(master[-1].end_ms)
    return maps


def _write_transcript_text(loaded: LoadedSession, cues: list[Cue]) -> list[Path]:
    found = paragraphs(cues)
    txt = loaded.folder.reviewed_transcript_txt
    md = loaded.folder.reviewed_transcript_md
    atomic_write_text(txt, "\n\n".join(p.text for p in found) + "\n")
    lines = ["# Transcription (relue)", ""]
    for p in found:
        who = f" **{p.speaker}**" if p.speaker else ""
        lines += [f"`{clock(p.start_ms, '.')}`{who} {p.text}", ""]
    atomic_write_text(md, "\n".join(lines))
    return [txt, md]


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
    lower_thirds = shown_lower_thirds(cue_list, loaded.session, timemap) if cue_list else []
    return clear_of(lower_thirds, _film_cues(loaded, master, reviewed, timemap, transcript))


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


def _film_cues(
    loaded: LoadedSession,
    master: list[Cue],
    reviewed: bool,
    timemap: TimeMap,
    transcript: Transcript | None,
) -> list[Cue]:
    if reviewed:
        return retime(master, timemap)
    words = transcript_words(transcript) if transcript else []
    terms = loaded.session.glossary.all_terms()
    cues: list[Cue] = []
    for span in timemap.spans:
        # every word heard in the clip, those fading under a transition too
        heard = span.heard_from_ms, span.heard_until_ms
        inside = [w for w in words if heard[0] <= (w.start_ms + w.end_ms) // 2 < heard[1]]
        last_end = span.heard_until_ms - RULES.min_gap_ms
        for cue in segment_words(inside, terms):
            start = max(cue.start_ms, heard[0])  # a word cut at the clip's start
            end = max(start + 1, min(cue.end_ms, last_end))
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
    return spaced_cues(cues)


def build_subtitles(loaded: LoadedSession) -> BuildReport:
    """Write the generated master (when there is a transcript) and every film's subtitles
    from the reviewed master when there is one, else from the generated one."""
    return _build(loaded, _transcript(loaded))


def _build(loaded: LoadedSession, transcript: Transcript | None) -> BuildReport:
    where = loaded.folder
    written: list[Path] = []
    if transcript is not None:
        generated = generated_cues(loaded, transcript)
        atomic_write_text(where.generated_subtitles, to_srt(generated))
        written.append(where.generated_subtitles)
    master, reviewed = master_cues(loaded, transcript)
    films: dict[str, list[Violation]] = {}
    for name, timemap in timeline_maps(loaded, master, transcript).items():
        cue_list = load_cue_list(loaded, name)
        cues = film_cues(loaded, master, reviewed, timemap, transcript, cue_list=cue_list)
        films[name] = check_cues(cues)
        for extension, text in (("srt", to_srt(cues)), ("vtt", to_vtt(cues))):
            atomic_write_text(where.film_subtitles(name, extension), text)
            written.append(where.film_subtitles(name, extension))
    if reviewed:
        written += _write_transcript_text(loaded, master)
    return BuildReport(reviewed, len(master), written, check_cues(master), films)


def write_review_package(loaded: LoadedSession) -> tuple[Path, Path]:
    """The SRT to correct (the current master) and its HTML review sheet."""
    master, _ = master_cues(loaded, _transcript(loaded))
    srt = loaded.folder.review_copy(loaded.session.slug)
    sheet = loaded.folder.review_sheet
    atomic_write_text(srt, to_srt(master))
    atomic_write_text(
        sheet, render_review_sheet(loaded.session.title, master, check_cues(master), srt.name)
    )
    return srt, sheet


@dataclass(frozen=True)
class ImportReport:
    stored: Path
    record: ReviewRecord
    violations: list[Violation]


ON_THE_CLOCK = 0.5
"""More than this share of a reviewed file's cues must share a word with the transcript at their
times (a reviewer corrects words, but keeps most of them)."""


def _check_session_clock(file: Path, cues: list[Cue], words: list[CueWord]) -> None:
    """A film's subtitles (full, highlights) imported by mistake have other times: refuse
    them rather than make them the master."""
    if not words:
        return

    def tokens(text: str) -> set[str]:
        return {t for t in re.findall(r"\w+", text.lower()) if len(t) > 2}

    holding = sum(
        1
        for c in cues
        if tokens(c.text)
        & tokens(" ".join(w.text for w in words if c.start_ms <= w.start_ms < c.end_ms))
    )
    if holding <= ON_THE_CLOCK * len(cues):  # most of them: more than half
        raise CaptureError(
            f"{file}: only {holding} of {len(cues)} cues match the transcript's words at their "
            "times: "
            "this does not look like the review file (session clock). Import the SRT from "
            "`capture subtitles review`, not a film's subtitles."
        )


def _check_within_the_session(loaded: LoadedSession, file: Path, cues: list[Cue]) -> None:
    """A cue after the last recording ends (a typo: 99:00:18 for 00:00:18) has nothing to
    caption and would stretch every film's subtitles."""
    end_s = session_end_s(loaded)
    if end_s is None:
        return
    late = [(number, c) for number, c in enumerate(cues, start=1) if c.start_ms > end_s * 1000]
    if late:
        number, cue = late[0]
        raise SubtitleFormatError(
            f"{file}: cue {number} starts at {clock(cue.start_ms)}, after the session's "
            f"recordings end ({clock(round(end_s * 1000))})"
            + (f"; {len(late) - 1} more cue(s) after it" if len(late) > 1 else "")
            + ": check its time line"
        )


def import_reviewed(loaded: LoadedSession, file: Path) -> ImportReport:
    """Check the reviewer's file (errors name the line), store it as the master, mark it
    human-reviewed, and rebuild every film's subtitles from it. A previous reviewed master
    is kept in ``reviewed/history/``."""
    cues = read_subtitles(file)  # raises with the line of any format problem
    transcript = _transcript(loaded)
    _check_session_clock(file, cues, transcript_words(transcript) if transcript else [])
    _check_within_the_session(loaded, file, cues)
    data = read_limited(file, MAX_SUBTITLE_BYTES, "subtitles")
    try:
        generated = set(generated_cues(loaded, transcript))
    except NoTranscript:
        generated = set()
    where = loaded.folder
    if where.reviewed_subtitles.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        history = where.earlier_review(stamp)
        atomic_write_bytes(history, where.reviewed_subtitles.read_bytes())
    text = to_srt(cues)
    atomic_write_bytes(where.reviewed_subtitles, text.encode("utf-8"))
    read_subtitles(where.reviewed_subtitles)  # what is stored must read back
    record = ReviewRecord(
        imported_at=datetime.now(UTC),
        original_name=file.name,
        sha256=hashlib.sha256(data).hexdigest(),
        cues=len(cues),
        changed=sum(1 for cue in cues if cue not in generated),
    )
    atomic_write_text(where.review_record, record.model_dump_json(indent=2) + "\n")
    _build(loaded, transcript)
    return ImportReport(where.reviewed_subtitles, record, check_cues(cues))


def burn_film(loaded: LoadedSession, film: str, progress=None) -> Path:
    """``renders/FILM.burned.mp4``: the render with its subtitles drawn in."""
    from pipeline.subtitles.burn import burn_subtitles

    video = loaded.folder.render(check_film(film))
    if not video.is_file():
        raise CaptureError(f"{video} does not exist: render the {film} first")
    transcript = _transcript(loaded)
    master, reviewed = master_cues(loaded, transcript)
    maps = timeline_maps(loaded, master, transcript)
    if film not in maps:
        raise CaptureError(f"{loaded.folder.cue_list(film)} has no clips")
    output = loaded.folder.burned(film)
    cue_list = load_cue_list(loaded, film)
    cues = film_cues(loaded, master, reviewed, maps[film], transcript, cue_list=cue_list)
    burn_subtitles(video, cues, output, progress)
    return output
