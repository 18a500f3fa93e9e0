"""A film's text for the site: captions and SRT exactly as ``capture subtitles`` wrote them
for the film (refused when they no longer fit it), chapters from the cue list, a plain-text
download and the transcript's paragraphs on the film's clock for the page."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.publish.rendered import RenderedFilm
from pipeline.session import LoadedSession
from pipeline.session.artifacts.render import ReportSpan
from pipeline.session.artifacts.subtitles import load_film_subtitles_record
from pipeline.session.cuelist import CueList
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.formats import read_subtitles, to_vtt_chapters
from pipeline.subtitles.paragraphs import Paragraph, paragraphs
from pipeline.timeline.timemap import TimeMap


@dataclass(frozen=True)
class FilmText:
    cues: list[Cue]
    reviewed: bool
    paragraphs: list[Paragraph]
    chapters: list[tuple[int, int, str]]
    captions: Path | None
    """The film's WebVTT (speakers as voices, placed above lower thirds) and SRT, as the
    subtitle stage wrote them; None when it wrote none."""
    srt: Path | None


def film_text(loaded: LoadedSession, film: RenderedFilm, cue_list: CueList | None) -> FilmText:
    """The film's subtitle files, checked to still fit it: a film re-cut, a transcript
    redone or a review imported since ``capture subtitles`` is a CaptureError that says so."""
    folder = loaded.folder
    record = load_film_subtitles_record(loaded, film.name)
    captions, srt = folder.film_subtitles(film.name, "vtt"), folder.film_subtitles(film.name, "srt")
    duration_ms = round(film.duration_s * 1000)
    if record is None:
        if captions.is_file():
            raise CaptureError(f"{captions} has no record of what it was made from: run "
                               f"`capture subtitles {loaded.root}` again")  # fmt: skip
        return FilmText([], False, [], chapters(cue_list, film.timemap, duration_ms), None, None)
    time_map = [ReportSpan(**asdict(span)) for span in film.timemap.spans]
    stale = record.stale_reason(loaded, time_map)
    if stale:
        raise CaptureError(f"the {film.name}'s subtitles no longer fit it: {stale}; run "
                           f"`capture subtitles {loaded.root}` (after `capture render` when the "
                           "cue list changed), then publish again")  # fmt: skip
    cues = read_subtitles(captions)
    return FilmText(cues, record.reviewed, paragraphs(cues),
                    chapters(cue_list, film.timemap, duration_ms), captions, srt)  # fmt: skip


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
    assert text.captions is not None and text.srt is not None
    atomic_write_bytes(files["captions"], text.captions.read_bytes())
    atomic_write_bytes(files["srt"], text.srt.read_bytes())
    atomic_write_text(files["chapters"], to_vtt_chapters(text.chapters))
    atomic_write_text(files["transcript"], plain_text(text.paragraphs))
    return files
