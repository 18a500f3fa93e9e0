"""What each step of capture run leaves: one of these files missing (deleted by hand) makes
the step run again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.orchestrate.context import RunContext
from pipeline.orchestrate.inputs import has_clips
from pipeline.session import FILMS
from pipeline.session.folder import SLIDESHOW_FILE, SLIDESHOW_RECORD
from pipeline.session.siblings import is_cycle_film_folder


def ingest_files(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.ingest_state]


def sync_files(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.sync_result]


def transcript_file(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.transcript_json]


def subtitle_files(ctx: RunContext) -> list[Path]:
    folder = ctx.loaded.folder
    return [path for film in FILMS if has_clips(ctx, film)
            for path in (folder.film_subtitles(film, "vtt"), folder.film_subtitles(film, "srt"),
                         folder.film_subtitles_record(film))]  # fmt: skip


def film_files(film: str) -> Callable[[RunContext], list[Path]]:
    """The film, its report and the web renditions the report lists (the audio-only one
    too)."""

    def files(ctx: RunContext) -> list[Path]:
        from pydantic import ValidationError

        from pipeline.session.artifacts.render import load_render_report

        folder = ctx.loaded.folder
        made = [folder.render(film), folder.render_report(film)]
        try:
            report = load_render_report(made[1]) if made[1].is_file() else None
        except (ValidationError, ValueError, OSError):
            return made  # an unreadable report: the film is redone anyway
        if report is None:
            return made
        made += [folder.web_rendition(film, rendition.name) for rendition in report.web]
        return made + ([folder.web_listening(film)] if report.listening else [])

    return files


def site_files(ctx: RunContext) -> list[Path]:
    from pipeline.publish.manifest import CYCLE_FILM_FOLDER

    if ctx.site is None:
        return []
    if is_cycle_film_folder(ctx.loaded):  # the cycle's synthesis: on the home page
        return [ctx.site / CYCLE_FILM_FOLDER / "manifest.json", ctx.site / "index.html"]
    folder = ctx.site / ctx.loaded.session.slug
    return [folder / "index.html", folder / "manifest.json", ctx.site / "index.html"]


def social_files(ctx: RunContext) -> list[Path]:
    from pipeline.social.model import read_social_report
    from pipeline.social.run import report_path

    made = [report_path(ctx.loaded)]
    report = read_social_report(made[0])
    return made + [ctx.loaded.root / f for c in (report.clips if report else [])
                   for f in (c.file, c.poster)]  # fmt: skip


def slideshow_files(ctx: RunContext) -> list[Path]:
    renders = ctx.loaded.folder.renders
    return [renders / SLIDESHOW_FILE, renders / SLIDESHOW_RECORD]
