"""What every command module shares: global options, the session argument, opening a
session for writing, recording a step, and ``command`` (which only records a command: the
application in ``cli/app.py`` registers it behind the one error boundary)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _Options:
    quiet: bool = False


OPTIONS = _Options()


@dataclass(frozen=True)
class Command:
    name: str
    function: Callable[..., Any]
    group: str | None = None
    """The sub-command group (``subtitles``), or None for a top-level command."""


COMMANDS: list[Command] = []
"""Every command, in the order ``capture --help`` lists them."""


def command(name: str, *, group: str | None = None) -> Callable[[F], F]:
    """Record ``function`` as the command ``name`` (of ``group``); see ``cli/app.py``."""

    def record(function: F) -> F:
        COMMANDS.append(Command(name, function, group))
        return function

    return record


def recorded_step(loaded: Any, step: str, command_name: str, **options: Any) -> Any:
    """The work of a step done by its own command, recorded in run.json as ``run`` does."""
    from pipeline.orchestrate.standalone import recorded_step as record

    return record(loaded, step, command_name, **options)


def open_for_writing(session: Path, command_name: str) -> Any:
    """The session, loaded, with its lock held until this command ends: a second writing
    command on the same session stops with a message naming this one."""
    from pipeline.session import load_session
    from pipeline.session.lock import lock_session

    loaded = load_session(Path(session))
    lock_session(loaded, f"capture {command_name}")
    return loaded


SessionArg = Annotated[Path, typer.Argument(help="The session folder.", show_default=False)]
