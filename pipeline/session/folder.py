"""Where everything lives inside a session folder (GUIDE §1), and path containment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError

SESSION_FILE = "session.yaml"
FILMS = ("full", "highlights", "synthesis")
"""The films a session folder can make: the full version (version intégrale), the
highlights, and the synthesis (the cycle's film, cut from its sessions: usually in a folder
of its own with no cameras, ``session/siblings.py``). A film without a cue list is not made
(except the full version: then the whole session)."""
SLIDESHOW_FILE = "slideshow.mp4"
"""The photos as a film, in ``renders/`` (``render/slideshow.py``)."""
SLIDESHOW_RECORD = "slideshow.json"
"""Beside it: which photos it shows."""
LANGUAGE = "fr"
"""The language of transcripts and subtitles (in their file names)."""


@dataclass(frozen=True)
class SessionFolder:
    """Where everything lives inside a session folder (GUIDE §1): the one place that names
    what each stage leaves behind (docs/architecture.md has the table of who writes and who
    reads each file)."""

    root: Path

    @property
    def session_file(self) -> Path:
        return self.root / SESSION_FILE

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def transcript(self) -> Path:
        return self.root / "transcript"

    @property
    def subtitles(self) -> Path:
        return self.root / "subtitles"

    @property
    def cues(self) -> Path:
        return self.root / "cues"

    @property
    def renders(self) -> Path:
        return self.root / "renders"

    def folders(self) -> list[Path]:
        """The folders ``capture init`` creates."""
        return [
            self.media,
            self.work,
            self.transcript,
            self.subtitles,
            self.subtitles / "reviewed",
            self.cues,
            self.renders,
        ]

    # work/: records and caches of the steps
    @property
    def ingest_state(self) -> Path:
        """What ingest copied and verified, and the recordings it found."""
        return self.work / "ingest.json"

    @property
    def ingest_lock(self) -> Path:
        return self.work / "ingest.lock"

    @property
    def session_lock(self) -> Path:
        """Held by the writing command at work on the session."""
        return self.work / "capture.lock"

    @property
    def sync_result(self) -> Path:
        """Every recording placed on the session clock."""
        return self.work / "sync.json"

    @property
    def run_state(self) -> Path:
        """What ``capture run`` did, step by step, with each step's input digests."""
        return self.work / "run.json"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def audio_cache(self) -> Path:
        """Decoded sound of the recordings, kept for re-runs (derived, disposable)."""
        return self.work / "cache" / "audio"

    def transcribe_checkpoints(self, key: str) -> Path:
        """The chunks of one transcription run (its parameters and sound give ``key``)."""
        return self.work / "transcribe" / key

    # transcript/
    @property
    def transcript_json(self) -> Path:
        return self.transcript / "transcript.json"

    @property
    def transcript_txt(self) -> Path:
        return self.transcript / "transcript.txt"

    @property
    def transcript_md(self) -> Path:
        return self.transcript / "transcript.md"

    @property
    def reviewed_transcript_txt(self) -> Path:
        """The transcript's text as the subtitle reviewer corrected it (written by subtitles)."""
        return self.transcript / "reviewed.txt"

    @property
    def reviewed_transcript_md(self) -> Path:
        return self.transcript / "reviewed.md"

    # subtitles/
    @property
    def generated_subtitles(self) -> Path:
        """Cues built from the transcript, on the session clock (rewritten each time)."""
        return self.subtitles / f"generated.{LANGUAGE}.srt"

    @property
    def reviewed_subtitles(self) -> Path:
        """The reviewer's file: the source of truth once imported."""
        return self.subtitles / "reviewed" / f"master.{LANGUAGE}.srt"

    @property
    def review_record(self) -> Path:
        return self.subtitles / "reviewed" / "review.json"

    def earlier_review(self, stamp: str) -> Path:
        """A reviewed master replaced by a newer one at ``stamp``, kept."""
        return self.subtitles / "reviewed" / "history" / f"master-{stamp}.{LANGUAGE}.srt"

    def review_copy(self, slug: str) -> Path:
        """The subtitles sent to the reviewer to correct."""
        return self.subtitles / "review" / f"{slug}.{LANGUAGE}.srt"

    @property
    def review_sheet(self) -> Path:
        """The page the reviewer reads beside the file (rules broken, words unsure)."""
        return self.subtitles / "review" / "review.html"

    def film_subtitles(self, film: str, extension: str) -> Path:
        """A film's subtitles on its own timeline (``srt`` or ``vtt``)."""
        return self.subtitles / f"{film}.{LANGUAGE}.{extension}"

    def film_subtitles_record(self, film: str) -> Path:
        """What a film's subtitle files were made from (``FilmSubtitlesRecord``)."""
        return self.subtitles / f"{film}.json"

    # cues/ and renders/
    def cue_list(self, film: str) -> Path:
        return self.cues / f"{film}.yaml"

    def render(self, film: str, *, preview: bool = False) -> Path:
        return self.renders / f"{film}{'.preview' if preview else ''}.mp4"

    def render_report(self, film: str, *, preview: bool = False) -> Path:
        return self.renders / f"{film}{'.preview' if preview else ''}.json"

    def web_rendition(self, film: str, rung: str) -> Path:
        """One rung of the film's web ladder, made by ``capture render`` beside the master."""
        return self.renders / "web" / f"{film}-{rung}.mp4"

    def web_listening(self, film: str) -> Path:
        """The film's audio-only rendition, made with its web ladder."""
        return self.renders / "web" / f"{film}-audio.m4a"

    def burned(self, film: str) -> Path:
        """The film with its subtitles drawn in."""
        return self.renders / f"{film}.burned.mp4"


def check_film(film: str) -> str:
    """``film`` if capture makes a film of that name (ConfigError otherwise)."""
    if film not in FILMS:
        raise ConfigError(f"film {film!r}: use {' or '.join(FILMS)}")
    return film


def resolve_inside(root: Path, relative: str) -> Path:
    """Resolve ``relative`` under ``root``, refusing absolute paths and escapes (``..``, links)."""
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith("~"):
        raise ValueError("must be a path relative to the session folder, not an absolute one")
    try:
        base = root.resolve()
        resolved = (base / candidate).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, an unreadable folder
        raise ValueError(f"cannot be resolved ({exc})") from None
    if resolved == base:
        raise ValueError("must name a file inside the session folder, not the folder itself")
    if base not in resolved.parents:
        raise ValueError("leads outside the session folder (through '..' or a symbolic link)")
    return resolved
