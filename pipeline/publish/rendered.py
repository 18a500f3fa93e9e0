"""A film as ``capture render`` left it: the master, its web renditions, its length, its
time map and preset (read from ``renders/FILM.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.core.errors import CaptureError
from pipeline.core.presets import load_preset
from pipeline.render.ladder import ladder_digest
from pipeline.session import LoadedSession
from pipeline.session.artifacts.render import load_render_report
from pipeline.timeline.timemap import Span, TimeMap


@dataclass(frozen=True)
class WebRendition:
    name: str
    width: int
    height: int
    path: Path
    bytes: int


@dataclass(frozen=True)
class WebListening:
    """The audio-only rendition."""

    path: Path
    bytes: int
    bitrate_kbps: int


@dataclass(frozen=True)
class RenderedFilm:
    name: str
    master: Path
    duration_s: float
    timemap: TimeMap
    preset: str | None
    renditions: tuple[WebRendition, ...] = ()
    report: Path | None = None
    ladder: str | None = None
    """The digest of the ladder the renditions were made with (``render/ladder.py``)."""
    listening: WebListening | None = None

    def clip_seconds(self) -> list[tuple[float, float]]:
        """The film's clips in film seconds (title card and credits left out)."""
        spans = [
            (s.output_start_ms, s.output_start_ms + s.session_end_ms - s.session_start_ms)
            for s in self.timemap.spans
        ]
        return [(a / 1000, b / 1000) for a, b in spans] or [(0.0, self.duration_s)]


def rendered_film(loaded: LoadedSession, name: str) -> RenderedFilm | None:
    master = loaded.folder.render(name)
    report = loaded.folder.render_report(name)
    if not master.is_file() or not report.is_file():
        return None
    try:
        made = load_render_report(report)
    except (ValidationError, UnicodeDecodeError) as error:
        raise CaptureError(f"{report} is not a render report ({_first_fault(error)}): render "
                           f"the {name} again") from None  # fmt: skip
    spans = tuple(Span(**span.model_dump()) for span in made.time_map)
    renditions = tuple(  # the path from the rung's name, never from the report's text
        WebRendition(r.name, r.width, r.height, loaded.folder.web_rendition(name, r.name), r.bytes)
        for r in made.web
    )
    heard = made.listening
    listening = (  # its path from the film's name, as the renditions'
        WebListening(loaded.folder.web_listening(name), heard.bytes, heard.bitrate_kbps)
        if heard
        else None
    )
    return RenderedFilm(name, master, made.duration_s, TimeMap(spans), made.preset, renditions,
                        report, made.ladder, listening)  # fmt: skip


def _first_fault(error: ValidationError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text: {error.reason} at byte {error.start}"
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def check_renditions(loaded: LoadedSession, film: RenderedFilm, preset_name: str) -> None:
    """The film's web renditions are there, made with the preset's ladder, as the render
    left them; else a CaptureError says which render to run again."""
    wanted = ladder_digest(load_preset(preset_name, session_root=loaded.root))
    again = f"`capture render {loaded.root} {film.name}`"
    if not film.renditions:
        raise CaptureError(
            f"the {film.name} has no web renditions (rendered by an earlier capture): "
            f"render it again with {again}"
        )
    if film.ladder != wanted:
        raise CaptureError(
            f"the {film.name} was rendered with the {film.preset!r} preset, whose web "
            f"ladder or sound is not {preset_name!r}'s: render it again with {again} "
            f"--preset {preset_name}, or publish with --preset {film.preset}"
        )
    listening = [film.listening] if film.listening else []
    for rendition in [*film.renditions, *listening]:
        if not rendition.path.is_file() or rendition.path.stat().st_size != rendition.bytes:
            raise CaptureError(f"{rendition.path} is missing or not the file the render "
                               f"made: render the {film.name} again with {again}")  # fmt: skip
