"""``capture render``: parsing and reporting only."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing, recorded_step
from pipeline.cli.console import make_progress, stdout


@command("render")
def render_command(
    session: SessionArg,
    film: Annotated[
        str,
        typer.Argument(
            help="full, highlights, or synthesis (the cycle's film).", show_default=False
        ),
    ],
    preview: Annotated[
        bool, typer.Option("--preview", help="Fast 360p proxy, no loudness passes.")
    ] = False,
    preset: Annotated[str, typer.Option(help="Delivery preset (presets/*.yaml).")] = "web",
    reencode: Annotated[
        bool,
        typer.Option("--reencode", help="Render the picture even when it could be copied."),
    ] = False,
) -> None:
    """Render a film from its cue list (cues/FILM.yaml) to renders/FILM.mp4 (+ .json)."""
    from pipeline.render.run import render
    from pipeline.session import check_film

    check_film(film)
    loaded = open_for_writing(session, f"render {film}")
    # a preview writes its own file (renders/FILM.preview.mp4): the run's film is untouched
    step = nullcontext() if preview else recorded_step(
        loaded, f"render-{film}", f"capture render {film}", same_as_run=preset == "web"
    )  # fmt: skip
    with step:
        result = render(
            loaded,
            film,
            preview=preview,
            preset_name=preset,
            allow_copy=not reencode,
            progress=make_progress(OPTIONS.quiet),
        )
    stdout.print(f"{result.output} ({result.duration_s:.3f} s)")
    if result.integrated_lufs is not None:
        stdout.print(
            f"loudness {result.integrated_lufs:.1f} LUFS, true peak "
            f"{result.true_peak_dbtp:.1f} dBTP (pass two: {result.normalization})"
        )
    method = result.assembly
    if method and method.method == "stream copy":
        stdout.print(f"picture assembled by stream copy: {method.copied_frames} frames copied, "
                     f"{method.encoded_frames} re-encoded at the cuts")  # fmt: skip
    elif method and method.reason:
        stdout.print(f"picture rendered (not copied: {method.reason})", markup=False)
    for note in result.cut_notes:
        stdout.print(f"cut: {note}", markup=False, highlight=False)
    stdout.print(f"report: {result.report}")
    if result.editorial:
        stdout.print(f"for editing software: {', '.join(p.name for p in result.editorial)}")
    if result.editorial_error:
        stdout.print(f"warning: no OTIO/FCP XML/EDL export: {result.editorial_error}",
                     markup=False)  # fmt: skip


@command("social")
def social_command(session: SessionArg) -> None:
    """Social clips of the quotes marked `social: true` in the cue lists: 9:16 and 1:1, framed
    on the speaker's face, captions and name inside the platforms' safe zone, -14 LUFS, with
    a poster (renders/social/, listed in renders/social.json, published with the session)."""
    from pipeline.social.run import make_social_clips

    loaded = open_for_writing(session, "social")
    with recorded_step(loaded, "social", "capture social"):
        report = make_social_clips(loaded, make_progress(OPTIONS.quiet))
    if not report.clips:
        stdout.print("no quote of the cue lists is marked `social: true`: nothing to make")
    for clip in report.clips:
        face = "framed on the face" if clip.faces else "no face found: centred"
        if not clip.matched:
            face += "; the transcript words the quote otherwise: cut from its time, check it"
        stdout.print(f"{loaded.root / clip.file}: {clip.width}x{clip.height}, "
                     f"{clip.duration_s:.1f} s, {clip.integrated_lufs:.1f} LUFS, "
                     f"{clip.bytes / 1e6:.1f} MB, {face}")  # fmt: skip


@command("slideshow")
def slideshow_command(session: SessionArg) -> None:
    """The photos of session.yaml as a short film (renders/slideshow.mp4): each held a few
    seconds with a slow zoom, crossfaded, with its caption and credit; shown on the session
    page by the next publish."""
    from pipeline.render.slideshow import make_slideshow

    loaded = open_for_writing(session, "slideshow")
    with recorded_step(loaded, "slideshow", "capture slideshow", same_as_run=True):
        made = make_slideshow(loaded, make_progress(OPTIONS.quiet))
    stdout.print(f"{made.output} ({made.photos} photos, {made.duration_s:.1f} s)")
