"""The steps of ``capture run``, in order: each with what its result depends on (``inputs``)
and the core function that makes it. The CLI commands of each stage call the same functions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.orchestrate.fingerprint import Fingerprint
from pipeline.orchestrate.inputs import (
    RunContext,
    always_needed,
    ingest_fingerprint,
    ingest_not_needed,
    no_recordings,
    publish_fingerprint,
    publish_not_needed,
    reachable_sources,
    render_fingerprint,
    render_not_needed,
    slideshow_fingerprint,
    slideshow_not_needed,
    social_fingerprint,
    social_not_needed,
    subtitles_fingerprint,
    sync_fingerprint,
    transcribe_fingerprint,
)
from pipeline.orchestrate.outputs import (
    film_files,
    ingest_files,
    site_files,
    slideshow_files,
    social_files,
    subtitle_files,
    sync_files,
    transcript_file,
)
from pipeline.session.siblings import is_cycle_film_folder


@dataclass(frozen=True)
class Outcome:
    summary: str
    warnings: list[str] = field(default_factory=list)
    cpu_seconds: float | None = None
    """The step's CPU time, when it measured it itself: the process's would count other
    tasks' work (a batch's transcribe step, waiting for its chunks outside its worker's
    thread pool while the worker runs other tasks)."""


@dataclass(frozen=True)
class Step:
    name: str
    not_needed: Callable[[RunContext], str | None]
    """Why the step has nothing to do in this session (None: it applies)."""
    fingerprint: Callable[[RunContext], Fingerprint]
    action: Callable[[RunContext], Outcome]
    outputs: Callable[[RunContext], list[Path]]
    """What the step leaves behind: one missing (deleted by hand) makes the step run again."""
    after: tuple[str, ...] = ()
    """The steps whose outputs it reads: ``capture run`` runs the steps in order, ``capture
    batch`` runs a step once these are done (a session's films side by side)."""


# --- ingest -----------------------------------------------------------------------------


def _ingest(ctx: RunContext) -> Outcome:
    from pipeline.ingest.run import ingest_declared

    loaded = ctx.loaded
    if not reachable_sources(ctx):
        raise CaptureError("none of the sources in session.yaml can be read: connect the cards")
    report = ingest_declared(loaded, progress=ctx.progress)
    warnings = [f"{f.path}: {'; '.join(f.problems)}" for f in report.unusable]
    warnings += [str(failure) for failure in report.failures]
    return Outcome(f"{len(report.copied)} file(s) copied and verified, {report.skipped} "
                   "already verified", warnings)  # fmt: skip


# --- sync -------------------------------------------------------------------------------


def _sync(ctx: RunContext) -> Outcome:
    from pipeline.sync.run import run_sync

    result = run_sync(ctx.loaded, ctx.progress)
    unplaced = [p.recording for p in result.placements if p.offset_s is None]
    warnings = [f"{p.recording}: {'; '.join(p.problems)}" for p in result.placements if p.problems]
    warnings += [f"{r}: not placed on the session clock" for r in unplaced]
    placed = len(result.placements) - len(unplaced)
    return Outcome(f"{placed} recording(s) on the session clock", warnings)


# --- transcribe -------------------------------------------------------------------------


def _transcribe(ctx: RunContext) -> Outcome:
    from pipeline.transcription.run import run_transcribe, shared_engine

    engine = shared_engine(ctx.engine, ctx.model) if ctx.share_engine else None
    spread = ctx.transcribe_elsewhere
    elsewhere: list[float] = []  # the CPU time of the chunks the cluster transcribed
    own = time.thread_time()
    transcript = run_transcribe(
        ctx.loaded, engine=engine, engine_name=ctx.engine, model=ctx.model,
        chunk_seconds=ctx.chunk_seconds, progress=ctx.progress,
        elsewhere=None if spread is None else lambda plan: elsewhere.append(spread(plan) or 0.0),
    )  # fmt: skip
    summary = f"{len(transcript.words)} word(s) in {len(transcript.segments)} segment(s)"
    if not elsewhere:
        return Outcome(summary)
    # this thread's own work (Whisper's threads only ran for chunks done here, if any) and
    # the chunks' (the decode of the sound by ffmpeg, before, is left out)
    return Outcome(summary, cpu_seconds=round(time.thread_time() - own + elsewhere[0], 2))


# --- subtitles --------------------------------------------------------------------------


def _subtitles(ctx: RunContext) -> Outcome:
    from pipeline.subtitles.check import Severity
    from pipeline.subtitles.run import build_subtitles

    report = build_subtitles(ctx.loaded)
    hard = [v for v in report.violations if v.hard]
    to_condense = [v for v in report.violations if v.severity is Severity.REVIEW]
    source = "the reviewed subtitles" if report.reviewed else "the transcript"
    warnings = [f"subtitles: {v}" for v in hard]
    if to_condense:
        warnings.append(
            f"subtitles: {len(to_condense)} cue(s) carry speech too fast to read verbatim and are"
            " flagged for the reviewer to condense (capture subtitles review)"
        )
    if is_cycle_film_folder(ctx.loaded):  # the cycle's synthesis: no speech of its own
        return Outcome(f"subtitles of {', '.join(report.films)} from the sessions it cuts",
                       warnings)  # fmt: skip
    return Outcome(f"{report.master_cues} cue(s) from {source}", warnings)


# --- render -----------------------------------------------------------------------------


def _render(film: str) -> Callable[[RunContext], Outcome]:
    def action(ctx: RunContext) -> Outcome:
        from pipeline.render.run import render

        result = render(ctx.loaded, film, progress=ctx.progress)
        how = result.assembly.method if result.assembly else "render"
        warnings = (
            [f"no editing export: {result.editorial_error}"] if result.editorial_error else []
        ) + [f"cut: {note}" for note in result.cut_notes]
        return Outcome(f"{result.output.name}, {result.duration_s:.1f} s, "
                       f"{result.integrated_lufs:.1f} LUFS ({how})", warnings)  # fmt: skip

    return action


# --- social clips -----------------------------------------------------------------------


def _social(ctx: RunContext) -> Outcome:
    from pipeline.social.run import make_social_clips

    report = make_social_clips(ctx.loaded, ctx.progress)
    quotes = len({c.quote for c in report.clips})
    unmatched = sorted({c.quote for c in report.clips if not c.matched})
    warnings = [f"social: “{q}” is worded otherwise in the transcript: its clips are cut from "
                "its time, as many words as it has; check them" for q in unmatched]  # fmt: skip
    return Outcome(f"{len(report.clips)} clip(s) for {quotes} quote(s)", warnings)


# --- slideshow --------------------------------------------------------------------------


def _slideshow(ctx: RunContext) -> Outcome:
    from pipeline.render.slideshow import make_slideshow

    made = make_slideshow(ctx.loaded, ctx.progress)
    return Outcome(f"{made.output.name}, {made.photos} photos, {made.duration_s:.1f} s")


# --- publish ----------------------------------------------------------------------------


def _publish(ctx: RunContext) -> Outcome:
    from pipeline.publish.run import publish

    assert ctx.site is not None
    result = publish(
        ctx.loaded, ctx.site, progress=ctx.progress, site_index=ctx.site_index, spread=ctx.spread
    )
    encoded = ", ".join(result.encoded) or "nothing packaged again"
    return Outcome(f"{result.page} ({encoded})")


STEPS: tuple[Step, ...] = (
    Step("ingest", ingest_not_needed, ingest_fingerprint, _ingest, ingest_files),
    Step("sync", no_recordings, sync_fingerprint, _sync, sync_files, ("ingest",)),
    Step("transcribe", no_recordings, transcribe_fingerprint, _transcribe, transcript_file,
         ("sync",)),
    Step("subtitles", always_needed, subtitles_fingerprint, _subtitles, subtitle_files,
         ("transcribe",)),
    Step("render-full", render_not_needed("full"), render_fingerprint("full"),
         _render("full"), film_files("full"), ("transcribe",)),
    Step("render-highlights", render_not_needed("highlights"),
         render_fingerprint("highlights"), _render("highlights"), film_files("highlights"),
         ("transcribe",)),
    Step("render-synthesis", render_not_needed("synthesis"),
         render_fingerprint("synthesis"), _render("synthesis"), film_files("synthesis"),
         ("transcribe",)),
    Step("social", social_not_needed, social_fingerprint, _social, social_files,
         ("subtitles",)),
    Step("slideshow", slideshow_not_needed, slideshow_fingerprint, _slideshow, slideshow_files),
    Step("publish", publish_not_needed, publish_fingerprint, _publish, site_files,
         ("subtitles", "render-full", "render-highlights", "render-synthesis", "social",
          "slideshow")),
)  # fmt: skip
STEP_NAMES = tuple(step.name for step in STEPS)
