"""``capture status``: parsing and reporting only."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.common import SessionArg, command
from pipeline.cli.console import stderr, stdout
from pipeline.core.errors import ExitCode
from pipeline.orchestrate.footprint import Footprint


@command("status")
def status_command(
    session: SessionArg,
    as_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable (stable) output.")
    ] = False,
) -> None:
    """Check session.yaml and show what the session holds: recordings, sync, problems."""
    from pipeline.orchestrate.status import session_status
    from pipeline.session import load_session

    loaded = load_session(session)
    status = session_status(loaded)
    if as_json:
        typer.echo(status.model_dump_json(indent=2))
        if status.needs_attention:
            raise typer.Exit(ExitCode.CHECK_FAILED)
        return
    s = loaded.session
    stdout.print(f"{s.title} — {s.date.isoformat()}{f', {s.place}' if s.place else ''}")
    stdout.print(f"slug: {s.slug}  language: {s.language}  speakers: {len(s.speakers)}")
    if status.busy:
        stdout.print(f"working on it now: {status.busy}")
    folders = Table(show_header=True)
    for column in ("what", "where", "state"):
        folders.add_column(column)
    for row in status.folders:
        folders.add_row(row.what, row.where, row.state)
    stdout.print(folders)
    if status.verified_files:
        stdout.print(
            f"{status.verified_files} verified file(s), {status.verified_bytes / 1e6:.1f} MB, "
            f"{status.mhl_generations} MHL generation(s)"
        )
    if status.recordings:
        table = Table(title="Recordings", title_justify="left")
        for column in ("recording", "parts", "length", "starts at", "conf.", "drift", "notes"):
            table.add_column(column)
        for r in status.recordings:
            start = f"{r.offset_s:.3f} s" if r.offset_s is not None else "-"
            conf = f"{r.offset_confidence:.2f}" if r.offset_confidence is not None else "-"
            drift = f"{r.drift_ppm:+.0f} ppm" if r.drift_ppm and abs(r.drift_ppm) >= 0.5 else "-"
            notes = "; ".join([*r.flags, *r.problems])
            table.add_row(
                r.id, str(len(r.files)), f"{r.duration_s:.1f} s", start, conf, drift, notes
            )
        stdout.print(table)
    for bad in status.unusable_files:
        stdout.print(f"unusable: {bad.path}: {'; '.join(bad.problems)}")
    sub = status.subtitles
    if sub.reviewed:
        stdout.print(
            f"subtitles: reviewed by a person ({sub.reviewed_cues} cues, {sub.changed_cues} "
            f"changed from the generated ones); films: {', '.join(sub.films) or 'none yet'}"
        )
    elif sub.generated:
        stdout.print(
            f"subtitles: generated, not reviewed yet; films: {', '.join(sub.films) or 'none'}"
        )
    costs = {c.name: c for c in status.footprint.steps} if status.footprint else {}
    steps = Table(title="Steps (capture run)", title_justify="left")
    for column in ("step", "state", "CPU", "detail"):
        steps.add_column(column)
    for step in status.steps:
        cost = costs.get(step.name)
        cpu = f"{cost.cpu_seconds:.0f} s" if cost and cost.cpu_seconds is not None else ""
        steps.add_row(step.name, step.state, cpu, step.detail or "")
    stdout.print(steps)
    if status.footprint and (status.footprint.steps or status.footprint.renditions):
        print_footprint(status.footprint)
    for card in status.cards:
        for line in card.keep:
            stdout.print(f"card {card.camera}: keep: {line}", highlight=False)
    if status.needs_attention:
        stderr.print("Needs attention:\n" + "\n".join(f"  {n}" for n in status.needs_attention))
        raise typer.Exit(ExitCode.CHECK_FAILED)


def print_footprint(footprint: Footprint) -> None:
    stdout.print(
        f"footprint: {footprint.cpu_seconds:.0f} CPU-seconds, about "
        f"{footprint.energy_wh:.1f} Wh at {footprint.watts_per_busy_core:g} W per busy core "
        "(assumed: see docs/footprint.md)",
        highlight=False,
    )
    for weight in footprint.renditions:
        stdout.print(
            f"  {weight.film} {weight.name}: {weight.bytes_per_minute / 1e6:.1f} MB per minute "
            f"watched, {weight.bytes / 1e6:.1f} MB a whole view",
            highlight=False,
        )
