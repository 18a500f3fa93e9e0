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
    if result.restitution is None:
        stdout.print(f"the cycle's synthesis: {result.manifest.parent} (on the home page)")
    else:
        stdout.print(f"session page: {result.page}")
    stdout.print(f"site index:   {result.index}")
    stdout.print(f"manifest:     {result.manifest}")


@command("restitution")
def restitution_command(
    session: SessionArg,
    site: Annotated[
        Path,
        typer.Option(
            "--site", help="The mini-site the session is published in.", show_default=False
        ),
    ],  # fmt: skip
    preset: Annotated[
        str | None,
        typer.Option(help="Delivery preset (default: the one the films were rendered with)."),
    ] = None,
) -> None:
    """The written restitution of a published Rencontre: its page on the site and a
    print-ready A4 PDF (the synthesis from restitution.md, the quotes of the cue lists with a
    still and a QR code to their moment, images, speakers, credits), and the cycle's. The
    session is published again first (nothing is re-encoded), so every link is current."""
    from pipeline.publish.restitution.document import SHARP_PRINT_DPI
    from pipeline.publish.restitution.run import CYCLE_PDF
    from pipeline.publish.run import rendering_preset, republish_restitution

    loaded = open_for_writing(session, "restitution")
    preset = rendering_preset(loaded, preset)
    with recorded_step(loaded, "publish", "capture restitution", same_as_run=preset == "web",
                       site=site):  # fmt: skip
        result = republish_restitution(loaded, site, preset_name=preset,
                                       progress=make_progress(OPTIONS.quiet))  # fmt: skip
    assert result.restitution is not None  # refused for the cycle's synthesis
    entry, printed = result.restitution.entry, result.restitution.pdf
    folder = result.page.parent
    state = "laid out" if printed else "unchanged since the last time"
    stdout.print(f"restitution page: {folder / entry.page.path}")
    stdout.print(f"restitution PDF:  {folder / entry.pdf.path} ({state}: {entry.pages} A4 "
                 f"page(s), {entry.pdf.bytes / 1e6:.2f} MB)")  # fmt: skip
    if entry.lowest_dpi is not None:
        soft = entry.lowest_dpi < SHARP_PRINT_DPI
        note = " (soft in print: the films' stills are small)" if soft else ""
        stdout.print(f"images print at {entry.lowest_dpi} dpi or more{note}")
    cycle = site.resolve() / CYCLE_PDF
    if cycle.is_file():
        stdout.print(f"cycle's restitution: {cycle} ({cycle.stat().st_size / 1e6:.2f} MB)")


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
