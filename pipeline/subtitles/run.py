"""The subtitle stage for a session: build, review package, import of the reviewed file.

Files (GUIDE §1):
* ``subtitles/generated.fr.srt``: cues built from the transcript, session clock (rewritten);
* ``subtitles/reviewed/master.fr.srt`` + ``review.json``: the reviewer's file, the source of
  truth once imported; nothing but ``capture subtitles import`` ever writes it;
* ``subtitles/full.fr.srt|.vtt``, ``highlights.fr.srt|.vtt``: the master carried onto each
  film's timeline (cues/*.yaml), with ``full.json``/``highlights.json``, what they were made
  from (publish takes the files as written, and refuses them once they no longer fit);
* ``subtitles/review/``: the package sent to the reviewer (SRT + HTML sheet);
* ``transcript/reviewed.txt|.md``: the transcript text as reviewed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_bytes, atomic_write_text, read_limited
from pipeline.core.timecode import clock
from pipeline.session import LoadedSession, check_film
from pipeline.session.artifacts.render import ReportSpan
from pipeline.session.artifacts.subtitles import (
    FILM_SUBTITLE_FORMATS,
    FilmSubtitlesRecord,
    ReviewRecord,
    save_film_subtitles_record,
    subtitles_source_digest,
)
from pipeline.session.artifacts.sync import session_end_s
from pipeline.session.artifacts.transcript import Transcript, load_transcript
from pipeline.subtitles.check import Violation, check_cues
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.film_cues import film_cues, timeline_maps
from pipeline.subtitles.formats import (
    MAX_SUBTITLE_BYTES,
    SubtitleFormatError,
    read_subtitles,
    to_srt,
    to_vtt,
)
from pipeline.subtitles.master import NoTranscript, generated_cues, master_cues
from pipeline.subtitles.paragraphs import paragraphs
from pipeline.subtitles.review_sheet import render_review_sheet
from pipeline.subtitles.rules import session_rules
from pipeline.subtitles.segment import transcript_words


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
    rules = session_rules(loaded)
    films: dict[str, list[Violation]] = {}
    source = subtitles_source_digest(loaded)
    for name, film in timeline_maps(loaded, master, transcript).items():
        cues = film_cues(loaded, master, reviewed, film.timemap, transcript,
                         cue_list=film.cue_list)  # fmt: skip
        films[name] = check_cues(cues, rules)
        texts = {"srt": to_srt(cues), "vtt": to_vtt(cues)}
        assert tuple(texts) == FILM_SUBTITLE_FORMATS
        for extension, text in texts.items():
            atomic_write_text(where.film_subtitles(name, extension), text)
            written.append(where.film_subtitles(name, extension))
        save_film_subtitles_record(loaded, FilmSubtitlesRecord(
            film=name, reviewed=reviewed, source_digest=source,
            time_map=[ReportSpan(**asdict(span)) for span in film.timemap.spans],
            sha256={ext: hashlib.sha256(text.encode()).hexdigest() for ext, text in texts.items()},
        ))  # fmt: skip
    if reviewed:
        written += _write_transcript_text(loaded, master)
    return BuildReport(reviewed, len(master), written, check_cues(master, rules), films)


def write_review_package(loaded: LoadedSession) -> tuple[Path, Path]:
    """The SRT to correct (the current master) and its HTML review sheet."""
    master, _ = master_cues(loaded, _transcript(loaded))
    srt = loaded.folder.review_copy(loaded.session.slug)
    sheet = loaded.folder.review_sheet
    atomic_write_text(srt, to_srt(master))
    atomic_write_text(
        sheet,
        render_review_sheet(
            loaded.session.title, master, check_cues(master, session_rules(loaded)), srt.name
        ),
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
    return ImportReport(where.reviewed_subtitles, record, check_cues(cues, session_rules(loaded)))


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
        raise CaptureError(f"{loaded.folder.cue_list(film).relative_to(loaded.root)} has no clips")
    output = loaded.folder.burned(film)
    planned = maps[film]
    cues = film_cues(loaded, master, reviewed, planned.timemap, transcript,
                     cue_list=planned.cue_list)  # fmt: skip
    burn_subtitles(video, cues, output, progress)
    return output
