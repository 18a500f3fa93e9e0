"""The ``capture`` application: global options, logging and signals, and the one error
boundary every command runs behind. Commands live in one module per group and are
registered here, so no command module imports this one."""

from __future__ import annotations

import functools
import logging
import os
import signal
import traceback
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from pipeline import __version__
from pipeline.cli import ingest, publish, render, run, setup, status, subtitles, transcribe
from pipeline.cli.common import COMMANDS, OPTIONS
from pipeline.cli.console import stderr, stdout
from pipeline.core.errors import CaptureError, ConfigError, FileSystemError, exit_code_for

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="capture",
    help="The Rencontres video pipeline: from camera cards to a published mini-site.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _report_errors(function: F) -> F:
    """Map every error to one clear message and its exit code (tracebacks: CAPTURE_DEBUG=1)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the one boundary
            if os.environ.get("CAPTURE_DEBUG") == "1":
                stderr.print(traceback.format_exc())
            stderr.print(_describe(error))
            raise typer.Exit(exit_code_for(error)) from None

    return wrapper  # type: ignore[return-value]


def _describe(error: BaseException) -> str:
    if isinstance(error, ConfigError):
        return "\n".join(f"error: {problem}" for problem in error.problems)
    if isinstance(error, CaptureError):
        return f"error: {error}"
    if (known := FileSystemError.known(error)) is not None:
        return f"error: {known}"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return (
        f"internal error ({type(error).__name__}): {error}\n"
        "Run again with CAPTURE_DEBUG=1 to see the traceback."
    )


def _sigterm_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _version_callback(value: bool) -> None:
    if value:
        stdout.print(f"capture {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every command run (debug level).")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = None,
) -> None:
    OPTIONS.quiet = quiet
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # a run's log file may ask the loggers for more

    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)


GROUPS = {"subtitles": subtitles.app}
ORDER = [m.__name__ for m in (setup, ingest, transcribe, status, publish, render, run, subtitles)]
"""The order ``capture --help`` lists the commands in (the subtitles group comes last)."""
for _command in sorted(COMMANDS, key=lambda c: ORDER.index(c.function.__module__)):
    target = app if _command.group is None else GROUPS[_command.group]
    target.command(_command.name)(_report_errors(_command.function))
app.add_typer(subtitles.app, name="subtitles")
