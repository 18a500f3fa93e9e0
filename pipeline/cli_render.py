"""``capture render``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli import OPTIONS, SessionArg, command
from pipeline.console import make_progress, stdout
from pipeline.errors import ConfigError


@command("render")
def render_command(
    session: SessionArg,
    film: Annotated[str, typer.Argument(help="full or highlights.", show_default=False)],
    preview: Annotated[
        bool, typer.Option("--preview", help="Fast 360p proxy, no loudness passes.")
    ] = False,
    preset: Annotated[str, typer.Option(help="Delivery preset (presets/*.yaml).")] = "web",
) -> None:
    """Render a film from its cue list (cues/FILM.yaml) to renders/FILM.mp4 (+ .json)."""
    from pipeline.render.run import render
    from pipeline.session import load_session
    from pipeline.timeline.cuelist import TIMELINES

    if film not in TIMELINES:
        raise ConfigError(f"film {film!r}: use {' or '.join(TIMELINES)}")
    result = render(
        load_session(Path(session)),
        film,
        preview=preview,
        preset_name=preset,
        progress=make_progress(OPTIONS.quiet),
    )
    stdout.print(f"{result.output} ({result.duration_s:.3f} s)")
    if result.integrated_lufs is not None:
        stdout.print(
            f"loudness {result.integrated_lufs:.1f} LUFS, true peak "
            f"{result.true_peak_dbtp:.1f} dBTP (pass two: {result.normalization})"
        )
    stdout.print(f"report: {result.report}")
