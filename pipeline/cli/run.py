"""``capture run``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing
from pipeline.cli.console import make_progress, stderr, stdout


@command("run")
def run_command(
    session: SessionArg,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Publish to this mini-site folder.", show_default=False),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Stop after this step.", show_default=False)
    ] = None,
    force: Annotated[
        list[str] | None,
        typer.Option(help="Redo this step even if unchanged (repeatable).", show_default=False),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Transcription engine: faster-whisper or openai-whisper.")
    ] = "faster-whisper",
    model: Annotated[
        str, typer.Option(help="Transcription model: base (installed offline), a name or a path.")
    ] = "base",
) -> None:
    """Every step in order (ingest, sync, transcribe, subtitles, render-full,
    render-highlights, render-synthesis, social, slideshow, publish), each skipped when its
    inputs are unchanged."""
    from pipeline.orchestrate.run import Verdict, run_session

    report = run_session(
        open_for_writing(session, "run"), site=site, until=until, force=force or [], engine=engine,
        model=model, progress=make_progress(OPTIONS.quiet),
    )  # fmt: skip
    table = Table(title="capture run", title_justify="left")
    for column in ("step", "", "why", "time", "CPU", "result"):
        table.add_column(column)
    for result in report.results:
        ran = result.verdict == Verdict.RAN
        time = f"{result.seconds:.1f} s" if ran else ""
        cpu = f"{result.cpu_seconds:.0f} s" if ran else ""
        reason = result.reason if result.verdict != Verdict.FAILED else "see below"
        table.add_row(result.name, result.verdict.value, reason, time, cpu, result.summary or "")
    stdout.print(table)
    for result in report.results:
        for warning in result.warnings:
            stderr.print(f"warning: {result.name}: {warning}", markup=False)
    stdout.print(f"log: {report.log}")
    failed = report.failed
    if failed is not None:
        stderr.print(f"{failed.name} failed: {failed.reason}", markup=False)
        stderr.print("Fix it and run again: finished steps are not redone.")
        raise typer.Exit(failed.exit_code)
    site_index = Path(site).resolve() / "index.html" if site else None
    if site_index and site_index.is_file() and not until:
        stdout.print(f"site: {site_index}")
