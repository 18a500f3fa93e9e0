"""``capture subtitles``: build, check, review, import, burn (parsing and reporting only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli import OPTIONS, command, open_for_writing, recorded_step
from pipeline.console import make_progress, stdout
from pipeline.core.errors import ConfigError, ExitCode
from pipeline.subtitles.check import Severity

USAGE = (
    "SESSION | check FILE | review SESSION | import SESSION FILE | burn SESSION [highlights|full]"
)


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


def _arguments(words: list[str], count: int, action: str) -> list[Path]:
    if len(words) != count:
        raise ConfigError(f"usage: capture subtitles {action} — expected {USAGE}")
    return [Path(w) for w in words]


@command("subtitles")
def subtitles_command(
    words: Annotated[list[str], typer.Argument(metavar=USAGE, show_default=False)],
) -> None:
    """French subtitles: build them (SESSION), check a file, send for review, import the
    reviewed file (the source of truth from then on), or burn them into a render."""
    from pipeline.subtitles import run
    from pipeline.subtitles.check import check_cues
    from pipeline.subtitles.formats import read_subtitles

    action, rest = words[0], words[1:]
    if action == "check":
        (file,) = _arguments(rest, 1, "check FILE")
        if _report(check_cues(read_subtitles(file)), file.name):
            raise typer.Exit(ExitCode.CHECK_FAILED)
    elif action == "review":
        (session,) = _arguments(rest, 1, "review SESSION")
        srt, sheet = run.write_review_package(open_for_writing(session, "subtitles review"))
        stdout.print(f"To review: {srt}\nReview sheet: {sheet}")
        stdout.print(f"Then: capture subtitles import {session} {srt.name} (corrected)")
    elif action == "import":
        session, file = _arguments(rest, 2, "import SESSION FILE")
        report = run.import_reviewed(open_for_writing(session, "subtitles import"), file)
        hard = _report(report.violations, file.name)
        stdout.print(
            f"Stored as the reviewed master: {report.stored} ({report.record.cues} cues, "
            f"{report.record.changed} changed); every film's subtitles were rebuilt from it."
        )
        if hard:
            stdout.print("Fix the hard-rule violations above and import the file again.")
            raise typer.Exit(ExitCode.CHECK_FAILED)
    elif action == "burn":
        if len(rest) not in (1, 2):
            raise ConfigError(f"usage: capture subtitles burn SESSION [highlights|full]; {USAGE}")
        loaded = open_for_writing(Path(rest[0]), "subtitles burn")
        timeline = rest[1] if len(rest) == 2 else "highlights"
        output = run.burn_timeline(loaded, timeline, make_progress(OPTIONS.quiet))
        stdout.print(f"Burnt-in subtitles: {output}")
    else:
        (session,) = _arguments(words, 1, "SESSION")
        loaded = open_for_writing(session, "subtitles")
        with recorded_step(loaded, "subtitles", "capture subtitles"):
            report = run.build_subtitles(loaded)
        source = "the reviewed master" if report.reviewed else "the transcript"
        stdout.print(f"{report.master_cues} cue(s) from {source}:")
        for path in report.written:
            stdout.print(f"  {path}")
        _report(report.violations, "the master subtitles")
        for film, violations in report.films.items():
            _report(violations, f"the {film} subtitles")
