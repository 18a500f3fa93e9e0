"""``capture ingest`` and ``capture sync``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing, recorded_step
from pipeline.cli.console import make_progress, stderr, stdout
from pipeline.core.errors import ConfigError, ExitCode


def _parse_camera(value: str) -> tuple[str, Path]:
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise ConfigError(f"--camera {value!r}: expected NAME=PATH, e.g. --camera A=/media/CARD_A")
    return name, Path(path)


@command("ingest")
def ingest_command(
    session: SessionArg,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Cards or folders (default: sources in session.yaml)."),
    ] = None,
    camera: Annotated[
        list[str] | None, typer.Option(help="NAME=PATH: read PATH as camera NAME (repeatable).")
    ] = None,
    hash_format: Annotated[
        str, typer.Option("--hash", help="Hash: xxh128 (default), xxh64 or md5.")
    ] = "xxh128",
    no_sync: Annotated[bool, typer.Option(help="Skip the audio sync that follows.")] = False,
) -> None:
    """Copy the cards into SESSION/media with verification and an ASC MHL, then sync."""
    from pipeline.ingest.offload import HASH_FORMATS
    from pipeline.ingest.plan import plan_ingest, resolve_sources
    from pipeline.ingest.run import run_ingest
    from pipeline.ingest.wipe import card_verdict

    if hash_format not in HASH_FORMATS:
        raise ConfigError(f"--hash {hash_format!r}: use one of {', '.join(HASH_FORMATS)}")
    loaded = open_for_writing(session, "ingest")
    specs = resolve_sources(loaded, sources or [], [_parse_camera(c) for c in camera or []])
    plan = plan_ingest(loaded, specs)
    stdout.print(_plan_table(plan))
    if not plan.to_copy:
        stdout.print("Everything on these cards is already copied and verified: nothing to copy.")
    progress = make_progress(OPTIONS.quiet)
    same_as_run = not (sources or camera) or not loaded.session.sources
    with recorded_step(loaded, "ingest", "capture ingest", same_as_run=same_as_run):
        report = run_ingest(loaded, plan, hash_format=hash_format, progress=progress)
    if report.copied:
        stdout.print(
            f"Copied and verified {len(report.copied)} file(s) "
            f"({sum(f.size for f in report.copied) / 1e6:.1f} MB, {hash_format}); "
            f"MHL generation {report.generation} in {loaded.folder.media / 'ascmhl'}"
        )
    if report.skipped:
        stdout.print(f"{report.skipped} file(s) already verified by an earlier ingest: skipped.")
    if not no_sync and report.state.recordings:
        from pipeline.sync.run import run_sync

        with recorded_step(loaded, "sync", "capture ingest"):
            _print_sync(run_sync(loaded, progress))
    problems = [f"{f.path}: {'; '.join(f.problems)}" for f in report.unusable]
    problems += [str(failure) for failure in report.failures]
    for problem in problems:
        stderr.print(f"unusable: {problem}" if ": " in problem else problem)
    media = loaded.folder.media
    _print_wipe_verdicts([card_verdict(spec, report.state, media) for spec in specs])
    if problems:
        stderr.print(f"{len(problems)} file(s) need attention (see above); everything else is in.")
        raise typer.Exit(ExitCode.MEDIA)


def _print_wipe_verdicts(verdicts: list[Any]) -> None:
    for verdict in verdicts:
        out = stdout if verdict.safe_to_wipe else stderr
        out.print(f"card {verdict.camera} ({verdict.path}): {verdict.summary}", highlight=False)
        for line in verdict.keep:
            out.print(f"  keep: {line}", highlight=False)


def _plan_table(plan: Any) -> Table:
    table = Table(title="Found on the cards", title_justify="left")
    for column in ("camera", "file", "kind", "size", "state"):
        table.add_column(column)
    for item in plan.files:
        state = "verified earlier" if item.done else "to copy"
        table.add_row(
            item.found.camera,
            str(item.found.path),
            item.found.kind.value,
            f"{item.found.size / 1e6:.1f} MB",
            state,
        )
    return table


def _print_sync(result: Any) -> None:
    table = Table(title="Session clock", title_justify="left")
    for column in ("recording", "starts at", "method", "confidence", "drift", "notes"):
        table.add_column(column)
    for p in result.placements:
        start = f"{p.offset_s:.3f} s" if p.offset_s is not None else "not placed"
        drift = f"{p.drift_ppm:+.1f} ppm" + (" (corrected)" if p.drift_corrected else "")
        table.add_row(
            p.recording, start, p.method, f"{p.offset_confidence:.2f}", drift, "; ".join(p.problems)
        )
    stdout.print(table)


@command("sync")
def sync_command(session: SessionArg) -> None:
    """Place every ingested recording on the session clock (ingest runs it; this re-runs it)."""
    from pipeline.sync.run import run_sync

    loaded = open_for_writing(session, "sync")
    with recorded_step(loaded, "sync", "capture sync"):
        _print_sync(run_sync(loaded, make_progress(OPTIONS.quiet)))
