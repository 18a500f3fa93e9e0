"""The subtitle stage's records: ``subtitles/reviewed/review.json``, who reviewed the
subtitles and what changed (written by ``capture subtitles import``), and
``subtitles/FILM.json``, what each film's subtitle files were made from (written by
``capture subtitles``), so that publishing can take the files as they are and refuse them
when they no longer fit the film."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.validation import StrictModel
from pipeline.session.artifacts.render import ReportSpan
from pipeline.session.model import LoadedSession


class ReviewRecord(StrictModel):
    human_reviewed: bool = True
    imported_at: datetime
    original_name: str
    sha256: str
    cues: int
    changed: int
    """Cues that differ (text or time) from the generated subtitles at import."""


def review_record(loaded: LoadedSession) -> ReviewRecord | None:
    path = loaded.folder.review_record
    if not path.is_file():
        return None
    return ReviewRecord.model_validate_json(path.read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def subtitles_source_digest(loaded: LoadedSession) -> str:
    """What the session's subtitles are made from: the reviewed master when there is one
    (its text and times) and the transcript (the words and speakers under the cues); and
    the same of each other session its cue lists cut (the cycle's synthesis)."""
    from pipeline.session.siblings import cut_session_folders  # it reads the cue lists

    found = []
    for folder in [loaded.folder, *cut_session_folders(loaded)]:
        reviewed, transcript = _sha256(folder.reviewed_subtitles), _sha256(folder.transcript_json)
        name = "" if folder == loaded.folder else f" {folder.root.name}:"
        found.append(f"{name}reviewed:{reviewed} transcript:{transcript}")
    return "".join(found)


FILM_SUBTITLE_FORMATS = ("srt", "vtt")


class FilmSubtitlesRecord(StrictModel):
    film: str
    reviewed: bool
    """Made from the reviewer's master (else from the transcript)."""
    source_digest: str
    """``subtitles_source_digest`` when they were made."""
    time_map: list[ReportSpan]
    """The film's time map they were placed with (its film plan's), which must be the one
    the film was rendered with."""
    sha256: dict[str, str]
    """Each file as written, by format."""

    def stale_reason(self, loaded: LoadedSession, time_map: list[ReportSpan]) -> str | None:
        """Why the film's subtitle files no longer fit, or None when they do."""
        folder = loaded.folder
        for extension, digest in self.sha256.items():
            path = folder.film_subtitles(self.film, extension)
            if not path.is_file():
                return f"{path} is missing"
            if _sha256(path) != digest:
                return (
                    f"{path} was changed after `capture subtitles` wrote it (corrections go "
                    "into the master: `capture subtitles review`, then `import`)"
                )
        if self.source_digest != subtitles_source_digest(loaded):
            return "the transcript or the reviewed subtitles changed since they were made"
        if self.time_map != time_map:
            return f"the {self.film} was rendered from another cut than they were placed on"
        return None


def save_film_subtitles_record(loaded: LoadedSession, record: FilmSubtitlesRecord) -> None:
    atomic_write_text(
        loaded.folder.film_subtitles_record(record.film),
        record.model_dump_json(indent=2) + "\n",
    )


def load_film_subtitles_record(loaded: LoadedSession, film: str) -> FilmSubtitlesRecord | None:
    """The record, None when the film has none (or one that is not a record)."""
    path = loaded.folder.film_subtitles_record(film)
    if not path.is_file():
        return None
    try:
        return FilmSubtitlesRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
