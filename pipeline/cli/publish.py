"""``capture publish``: parsing and reporting only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing, recorded_step
from pipeline.cli.console import make_progress, stdout


@command("publish")
def publish_command(
    session: SessionArg,
    site: Annotated[
        Path,
        typer.Option("--site", help="The mini-site's folder (created if new).", show_default=False),
    ],
    preset: Annotated[str, typer.Option(help="Delivery preset (presets/*.yaml).")] = "web",
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Publish into a folder capture did not make, or over another session's slug.",
        ),
    ] = False,
) -> None:
    """Publish a session's films, text and documents to the mini-site; the site's index is
    rebuilt from every session's manifest, other sessions are left as they are."""
    from pipeline.publish.run import publish

    loaded = open_for_writing(session, "publish")
    with recorded_step(loaded, "publish", "capture publish", same_as_run=preset == "web",
                       site=site):  # fmt: skip
        result = publish(loaded, site, preset_name=preset, force=force,
                         progress=make_progress(OPTIONS.quiet))  # fmt: skip
    if result.encoded:
        stdout.print(f"packaged again: {', '.join(result.encoded)}")
    else:
        stdout.print("nothing to re-encode: the films have not changed since the last publish")
    stdout.print(f"session page: {result.page}")
    stdout.print(f"site index:   {result.index}")
    stdout.print(f"manifest:     {result.manifest}")


@command("serve")
def serve_command(
    site: Annotated[Path, typer.Argument(help="The mini-site's folder.", show_default=False)],
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Preview the mini-site in a browser as a real host serves it (byte ranges, so films
    seek; the right MIME types), until Ctrl-C."""
    from pipeline.core.errors import CaptureError
    from pipeline.publish.serve import make_server

    if not (site / "index.html").is_file():
        raise CaptureError(f"{site} has no index.html: publish a session into it first")
    server = make_server(site.resolve(), host, port)
    stdout.print(f"serving {site} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    finally:
        server.server_close()
