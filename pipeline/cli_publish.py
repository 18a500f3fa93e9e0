"""``capture publish``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli import OPTIONS, SessionArg, command
from pipeline.console import make_progress, stdout


@command("publish")
def publish_command(
    session: SessionArg,
    site: Annotated[
        Path,
        typer.Option("--site", help="The mini-site's folder (created if new).", show_default=False),
    ],
    preset: Annotated[str, typer.Option(help="Delivery preset (presets/*.yaml).")] = "web",
) -> None:
    """Publish a session's films, text and documents to the mini-site; the site's index is
    rebuilt from every session's manifest, other sessions are left as they are."""
    from pipeline.publish.run import publish
    from pipeline.session import load_session

    result = publish(
        load_session(Path(session)), site, preset_name=preset,
        progress=make_progress(OPTIONS.quiet),
    )  # fmt: skip
    if result.encoded:
        stdout.print(f"encoded: {', '.join(result.encoded)}")
    else:
        stdout.print("nothing to re-encode: the films have not changed since the last publish")
    stdout.print(f"session page: {result.page}")
    stdout.print(f"site index:   {result.index}")
    stdout.print(f"manifest:     {result.manifest}")
