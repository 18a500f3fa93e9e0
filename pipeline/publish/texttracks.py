"""A film's text for the site: captions (the reviewed subtitles when there are, through the
film's time map), chapters from the cue lists, SRT and plain-text downloads, and the
transcript's paragraphs on the film's clock for the page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.fsutil import atomic_write_text
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import load_transcript
from pipeline.session.cuelist import CueList
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.film_cues import film_cues
from pipeline.subtitles.formats import to_srt, to_vtt, to_vtt_chapters
from pipeline.subtitles.master import master_cues
from pipeline.subtitles.paragraphs import Paragraph, paragraphs
from pipeline.timeline.timemap import TimeMap


@dataclass(frozen=True)
class FilmText:
    cues: list[Cue]
    reviewed: bool
    paragraphs: list[Paragraph]
    chapters: list[tuple[int, int, str]]


def film_text(
    loaded: LoadedSession, timemap: TimeMap, cue_list: CueList | None, duration_ms: int
) -> FilmText:
    transcript = load_transcript(loaded.folder)
    if transcript is None and not loaded.folder.reviewed_subtitles.parent.is_dir():
        cues, reviewed = [], False
    else:
        master, reviewed = master_cues(loaded, transcript)
        cues = film_cues(loaded, master, reviewed, timemap, transcript, cue_list=cue_list)
    return FilmText(cues, reviewed, paragraphs(cues), chapters(cue_list, timemap, duration_ms))


def chapters(
    cue_list: CueList | None, timemap: TimeMap, duration_ms: int
) -> list[tuple[int, int, str]]:
    """Each chapter whose moment is in the film, on the film's clock, until the next one."""
    placed = []
    for chapter in cue_list.chapters if cue_list else []:
        start = timemap.to_output(chapter.at)
        if start is not None:
            placed.append((start, chapter.title))
    placed.sort()
    return [
        (start, placed[i + 1][0] if i + 1 < len(placed) else duration_ms, title)
        for i, (start, title) in enumerate(placed)
    ]


def plain_text(found: list[Paragraph]) -> str:
    return "\n\n".join(f"{p.speaker} : {p.text}" if p.speaker else p.text for p in found) + "\n"


def write_text_tracks(text: FilmText, folder: Path, stem: str) -> dict[str, Path]:
    """``<stem>.fr.vtt`` (captions), ``.fr.srt``, ``.chapters.vtt``, ``.transcript.txt``."""
    files = {
        "captions": folder / f"{stem}.fr.vtt",
        "srt": folder / f"{stem}.fr.srt",
        "chapters": folder / f"{stem}.chapters.vtt",
        "transcript": folder / f"{stem}.transcript.txt",
    }
    atomic_write_text(files["captions"], to_vtt(text.cues))
    atomic_write_text(files["srt"], to_srt(text.cues))
    atomic_write_text(files["chapters"], to_vtt_chapters(text.chapters))
    atomic_write_text(files["transcript"], plain_text(text.paragraphs))
    return files
