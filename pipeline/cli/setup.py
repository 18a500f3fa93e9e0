"""``capture init``, ``probe``, ``doctor`` and ``samples``: parsing and reporting only."""

from __future__ import annotations

import json
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from pipeline.cli.common import OPTIONS, SessionArg, command
from pipeline.cli.console import make_progress, stderr, stdout
from pipeline.core.errors import ConfigError, ExitCode


@command("init")
def init_command(
    session: SessionArg,
    title: Annotated[str, typer.Option(help="Title of the Rencontre.")],
    date: Annotated[str, typer.Option(help="Date of the Rencontre, YYYY-MM-DD.")],
    place: Annotated[str | None, typer.Option(help="Where it takes place.")] = None,
    slug: Annotated[str | None, typer.Option(help="Short name used in web addresses.")] = None,
) -> None:
    """Create a session folder: session.yaml with commented examples, empty cue lists."""
    from pipeline.session import FILMS
    from pipeline.session.scaffold import init_session

    try:
        day = Date.fromisoformat(date)
    except ValueError:
        raise ConfigError(f"--date {date!r} is not a date like 2026-03-12") from None
    loaded = init_session(session, title=title, date=day, place=place, slug=slug)
    stdout.print(f"Created {loaded.folder.session_file} (slug: {loaded.session.slug})")
    made = [str(loaded.folder.cue_list(film)) for film in FILMS
            if loaded.folder.cue_list(film).is_file()]  # fmt: skip
    stdout.print(f"Cue lists: {', '.join(made)}")


@command("probe")
def probe_command(
    files: Annotated[list[Path], typer.Argument(help="Media files to describe.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Describe media files (ffprobe): streams, rates, interlacing, rotation, VFR, timecode."""
    from pipeline.core.probe import probe_many

    results, failures = probe_many(files)
    if as_json:
        typer.echo(json.dumps([info.to_json() for info in results], indent=2, ensure_ascii=False))
    else:
        for info in results:
            stdout.print(_media_table(info))
    for failure in failures:
        stderr.print(f"error: {failure}")
    if failures:
        raise typer.Exit(ExitCode.MEDIA)


def _media_table(info: Any) -> Table:
    table = Table(title=str(info.path), title_justify="left", show_header=False)
    duration = f"{info.duration:.3f} s" if info.duration is not None else "unknown"
    table.add_row("container", f"{info.container}, {duration}")
    if info.creation_time:
        table.add_row("created", info.creation_time.isoformat())
    if info.timecode:
        table.add_row("timecode", info.timecode)
    for v in info.video:
        scan = f"interlaced ({v.field_order})" if v.interlaced else v.field_order
        rate = f"{float(v.frame_rate):.3f} fps" if v.frame_rate else "unknown rate"
        table.add_row(
            f"video #{v.index}",
            f"{v.codec} {v.profile or ''} {v.width}x{v.height} {rate}"
            f"{' VFR' if v.variable_frame_rate else ''}, {scan}, {v.pix_fmt} "
            f"{v.bit_depth}-bit{f', rotated {v.rotation}°' if v.rotation else ''}",
        )
    for a in info.audio:
        table.add_row(
            f"audio #{a.index}",
            f"{a.codec} {a.sample_rate} Hz, {a.channels} ch ({a.channel_layout or 'no layout'})",
        )
    if not info.audio:
        table.add_row("audio", "none")
    return table


@command("doctor")
def doctor_command(
    folder: Annotated[
        Path, typer.Option(help="Where sessions will be written (disk check).")
    ] = Path("."),
) -> None:
    """Check ffmpeg, encoders and filters, espeak-ng, Python deps, the offline model, disk."""
    from pipeline.orchestrate.doctor import Status, run_checks

    checks = run_checks(folder)
    table = Table(show_header=True)
    for column in ("check", "status", "detail"):
        table.add_column(column)
    colours = {Status.OK: "green", Status.WARNING: "yellow", Status.MISSING: "red"}
    for check in checks:
        detail = check.detail + (
            f"\n-> {check.fix}" if check.fix and check.status != Status.OK else ""
        )
        table.add_row(check.name, Text(check.status, style=colours[check.status]), detail)
    stdout.print(table)
    missing = [c for c in checks if c.failed]
    if missing:
        stderr.print(
            f"{len(missing)} required item(s) missing: {', '.join(c.name for c in missing)}"
        )
        raise typer.Exit(ExitCode.CHECK_FAILED)
    stdout.print("Everything capture needs is here.")


@command("samples")
def samples_command(
    folder: Annotated[
        Path, typer.Argument(help="Where to write cards/, the session and truth.json.")
    ],
    tiny: Annotated[
        bool, typer.Option(help="A tiny 320x180 sample under 20 s (for tests).")
    ] = False,
    drift_ppm: Annotated[
        float, typer.Option(help="Clock drift of the sound recorder, ppm.")
    ] = 80.0,
    force: Annotated[bool, typer.Option(help="Replace an existing sample in FOLDER.")] = False,
    cycle: Annotated[
        bool,
        typer.Option(
            "--cycle",
            help="A whole cycle: a second, shorter Rencontre, the closing session not filmed "
            "yet, and the cycle's site.yaml.",
        ),
    ] = False,
) -> None:
    """Generate the sample Rencontre (synthetic French debate) with its ground truth."""
    from pipeline.samples.demo_cycle import generate_cycle
    from pipeline.samples.generate import generate_sample

    if cycle:
        made = generate_cycle(folder, tiny=tiny, drift_ppm=drift_ppm, force=force,
                              progress=make_progress(OPTIONS.quiet))  # fmt: skip
        for sample in made.sessions:
            stdout.print(f"Rencontre ({sample.truth.session_duration:.1f} s): {sample.session}")
        stdout.print(f"Not filmed yet:   {made.upcoming}")
        stdout.print(f"The cycle's site: {folder / 'site.yaml'}")
        return
    result = generate_sample(
        folder, tiny=tiny, drift_ppm=drift_ppm, force=force, progress=make_progress(OPTIONS.quiet)
    )
    truth = result.truth
    stdout.print(
        f"Sample Rencontre ({truth.size}, {truth.session_duration:.1f} s, "
        f"{len(truth.script)} lines)"
    )
    for device in truth.devices:
        files = ", ".join(f.path for f in device.files)
        stdout.print(f"  {device.camera:<9} starts at {device.offset:6.2f} s  {files}")
    stdout.print(f"Session folder: {result.session}")
    stdout.print(f"Ground truth:   {result.truth_file}")
