"""``capture subtitles``: build, check, review, import, burn, as sub-commands of a group
(parsing and reporting only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from rich.table import Table
from typer.core import TyperGroup

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing, recorded_step
from pipeline.cli.console import make_progress, stdout
from pipeline.core.errors import ExitCode
from pipeline.subtitles.check import Severity


def _violations_table(title: str, violations) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("n°", "début", "règle", "détail"):
        table.add_column(column)
    for v in violations:
        table.add_row(str(v.cue), v.when, v.rule_name, v.detail)
    return table


def _report(violations, what: str) -> int:
    """Print hard-rule violations, what the reviewer must condense and style notes apart;
    the count of hard ones."""
    groups = {severity: [v for v in violations if v.severity is severity] for severity in Severity}
    titles = {
        Severity.HARD: f"Règles impératives non respectées — {what}",
        Severity.REVIEW: f"À condenser par le relecteur — {what}",
        Severity.STYLE: f"Remarques de style — {what}",
    }
    for severity, found in groups.items():
        if found:
            stdout.print(_violations_table(titles[severity], found))
    stdout.print(
        f"{what}: {len(groups[Severity.HARD])} hard-rule violation(s),"
        f" {len(groups[Severity.REVIEW])} cue(s) to condense,"
        f" {len(groups[Severity.STYLE])} style warning(s)"
    )
    return len(groups[Severity.HARD])


class _BuildByDefault(TyperGroup):
    """``capture subtitles SESSION`` means ``capture subtitles build SESSION``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["build", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_BuildByDefault,
    no_args_is_help=True,
    help="French subtitles: build them (capture subtitles SESSION is build), check a file, send "
    "for review, import the reviewed file (the source of truth from then on), or burn them into "
    "a render.",
)
FileArg = Annotated[
    Path, typer.Argument(help="A subtitle file (.srt or .vtt).", show_default=False)
]


@command("build", group="subtitles")
def build_command(session: SessionArg) -> None:
    """Subtitles from the transcript, or from the reviewed master once there is one."""
    from pipeline.subtitles.run import build_subtitles

    loaded = open_for_writing(session, "subtitles")
    with recorded_step(loaded, "subtitles", "capture subtitles"):
        report = build_subtitles(loaded)
    source = "the reviewed master" if report.reviewed else "the transcript"
    stdout.print(f"{report.master_cues} cue(s) from {source}:")
    for path in report.written:
        stdout.print(f"  {path}")
    _report(report.violations, "the master subtitles")
    for film, violations in report.films.items():
        _report(violations, f"the {film} subtitles")


@command("check", group="subtitles")
def check_command(
    file: FileArg,
    fps: Annotated[
        int | None,
        typer.Option(
            "--fps",
            min=1,
            help="The film's frame rate, for the gap between cues (default: the archive preset's).",
        ),
    ] = None,
) -> None:
    """Check a subtitle file against the rules (exit 1 on a hard-rule violation)."""
    from pipeline.subtitles.check import check_cues
    from pipeline.subtitles.formats import read_subtitles
    from pipeline.subtitles.rules import rules_at

    if _report(check_cues(read_subtitles(file), rules_at(fps)), file.name):
        raise typer.Exit(ExitCode.CHECK_FAILED)


@command("review", group="subtitles")
def review_command(session: SessionArg) -> None:
    """Write the file to review and its review sheet."""
    from pipeline.subtitles.run import write_review_package

    srt, sheet = write_review_package(open_for_writing(session, "subtitles review"))
    stdout.print(f"To review: {srt}\nReview sheet: {sheet}")
    stdout.print(f"Then: capture subtitles import {session} {srt.name} (corrected)")


@command("import", group="subtitles")
def import_command(session: SessionArg, file: FileArg) -> None:
    """Store the reviewed file as the master and rebuild every film's subtitles from it."""
    from pipeline.subtitles.run import import_reviewed

    report = import_reviewed(open_for_writing(session, "subtitles import"), file)
    hard = _report(report.violations, file.name)
    stdout.print(
        f"Stored as the reviewed master: {report.stored} ({report.record.cues} cues, "
        f"{report.record.changed} changed); every film's subtitles were rebuilt from it."
    )
    if hard:
        stdout.print("Fix the hard-rule violations above and import the file again.")
        raise typer.Exit(ExitCode.CHECK_FAILED)


@command("burn", group="subtitles")
def burn_command(
    session: SessionArg,
    film: Annotated[str, typer.Argument(help="full, highlights or synthesis.")] = "highlights",
) -> None:
    """Burn the film's subtitles into a copy of its render (renders/FILM.burned.mp4)."""
    from pipeline.session import check_film
    from pipeline.subtitles.run import burn_film

    check_film(film)
    loaded = open_for_writing(session, "subtitles burn")
    output = burn_film(loaded, film, make_progress(OPTIONS.quiet))
    stdout.print(f"Burnt-in subtitles: {output}")
