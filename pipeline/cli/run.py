"""``capture run``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing
from pipeline.cli.console import make_progress, stderr, stdout

SiteOption = Annotated[
    Path | None,
    typer.Option("--site", help="Publish to this mini-site folder.", show_default=False),
]
EngineOption = Annotated[
    str, typer.Option(help="Transcription engine: faster-whisper or openai-whisper.")
]
ModelOption = Annotated[
    str, typer.Option(help="Transcription model: base (installed offline), a name or a path.")
]
ChunkOption = Annotated[
    float,
    typer.Option(
        min=0.1,
        help="Transcribe in chunks of about this many minutes (checkpoints; in capture batch, "
        "chunks are transcribed in parallel). Another length gives another transcript.",
    ),
]


@command("run")
def run_command(
    session: SessionArg,
    site: SiteOption = None,
    until: Annotated[
        str | None, typer.Option(help="Stop after this step.", show_default=False)
    ] = None,
    force: Annotated[
        list[str] | None,
        typer.Option(help="Redo this step even if unchanged (repeatable).", show_default=False),
    ] = None,
    engine: EngineOption = "faster-whisper",
    model: ModelOption = "base",
    chunk_minutes: ChunkOption = 10.0,
) -> None:
    """Every step in order (ingest, sync, transcribe, subtitles, render-full,
    render-highlights, render-synthesis, social, slideshow, publish), each skipped when its
    inputs are unchanged."""
    from pipeline.orchestrate.run import Verdict, run_session

    report = run_session(
        open_for_writing(session, "run"), site=site, until=until, force=force or [], engine=engine,
        model=model, chunk_seconds=chunk_minutes * 60, progress=make_progress(OPTIONS.quiet),
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


@command("batch")
def batch_command(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="A cycle folder (every session in it) or session folders.", show_default=False
        ),  # fmt: skip
    ],
    site: SiteOption = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="A running Dask scheduler (tcp://HOST:8786); default: a local "
            "cluster on this machine.",
            show_default=False,
        ),  # fmt: skip
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Workers of the local cluster.")] = 2,
    engine: EngineOption = "faster-whisper",
    model: ModelOption = "base",
    chunk_minutes: ChunkOption = 10.0,
) -> None:
    """Every step of every session of a cycle (or those named), as `capture run` would do
    them, in parallel on a Dask cluster (a session's films side by side, its transcription
    chunk by chunk): what is up to date is skipped, a killed batch resumes, the site's
    pages are rebuilt once at the end."""
    from pipeline.cli.batch_view import BatchView
    from pipeline.orchestrate.batch import run_batch

    with BatchView(stdout, quiet=OPTIONS.quiet) as view:
        report = run_batch(folders, site=site, scheduler=scheduler, workers=workers,
                           engine=engine, model=model, chunk_seconds=chunk_minutes * 60,
                           on_event=view.event,
                           on_start=view.start)  # fmt: skip
    table = Table(title="capture batch", title_justify="left")
    for column in ("session", "ran", "skipped", "time", "result"):
        table.add_column(column)
    for outcome in report.sessions:
        ran = [s.name for s in outcome.steps if s.verdict == "ran"]
        skipped = sum(s.verdict == "skipped" for s in outcome.steps)
        result = f"failed: {outcome.failed}" if outcome.failed else "done"
        table.add_row(Path(outcome.root).name, ", ".join(ran) or "nothing", str(skipped),
                      f"{outcome.seconds:.0f} s", result)  # fmt: skip
    stdout.print(table)
    for root, why in report.skipped:
        stdout.print(f"not run: {root}: {why}")
    stdout.print(f"{len(report.sessions)} session(s) in {report.seconds:.0f} s")
    if report.index is not None:
        stdout.print(f"site: {report.index}")
    if report.site_error:
        stderr.print(f"the site's pages were not rebuilt: {report.site_error}", markup=False)
        raise typer.Exit(1)
    if report.failed:
        for outcome in report.failed:
            stderr.print(f"{outcome.root}: {outcome.failed}", markup=False)
        raise typer.Exit(1)
