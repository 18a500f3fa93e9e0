"""The steps of ``capture run``, in order, each with what its result depends on and the core
function that makes it. The CLI commands of each stage call the same functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.core.progress import ProgressReporter
from pipeline.orchestrate.fingerprint import (
    MISSING,
    Fingerprint,
    code_digest,
    file_digest,
    folder_listing_digest,
    json_digest,
    value_digest,
)  # fmt: skip
from pipeline.session import FILMS, LoadedSession


@dataclass(frozen=True)
class RunContext:
    loaded: LoadedSession
    site: Path | None = None
    progress: ProgressReporter | None = None
    engine: str = "faster-whisper"
    model: str = "base"
    """The transcription engine and model (``capture run --engine/--model``)."""


@dataclass(frozen=True)
class Outcome:
    summary: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    name: str
    not_needed: Callable[[RunContext], str | None]
    """Why the step has nothing to do in this session (None: it applies)."""
    fingerprint: Callable[[RunContext], Fingerprint]
    action: Callable[[RunContext], Outcome]
    outputs: Callable[[RunContext], list[Path]]
    """What the step leaves behind: one missing (deleted by hand) makes the step run again."""


def _session_fields(ctx: RunContext, *names: str) -> str:
    data = ctx.loaded.session.model_dump(mode="json")
    return value_digest({name: data.get(name) for name in names})


def _people(ctx: RunContext, *keys: str) -> str:
    """Only what a step uses of the facilitator and speakers (names and channels for the
    transcript; names, roles and organisations for the films)."""
    session = ctx.loaded.session
    people = [p for p in [session.facilitator, *session.speakers] if p is not None]
    return value_digest([{key: getattr(p, key) for key in keys} for p in people])


def _cameras(ctx: RunContext, *keys: str) -> str:
    return value_digest([{key: getattr(c, key) for key in keys}
                         for c in ctx.loaded.session.cameras])  # fmt: skip


def _reachable_sources(ctx: RunContext) -> list[tuple[str, Path]]:
    return [(s.path, p) for s, p in ctx.loaded.source_paths() if p.exists()]


# --- ingest -----------------------------------------------------------------------------


def _ingest_not_needed(ctx: RunContext) -> str | None:
    if not ctx.loaded.session.sources:
        return "no sources in session.yaml"
    if not _reachable_sources(ctx) and ctx.loaded.folder.ingest_state.is_file():
        return "the cards are not connected; the verified copies are used"
    return None


def _ingest_fingerprint(ctx: RunContext) -> Fingerprint:
    listing = {name: folder_listing_digest(path) for name, path in _reachable_sources(ctx)}
    return {
        "sources": value_digest(listing),
        "session.yaml cameras and sources": _session_fields(ctx, "cameras", "sources"),
        "capture version": code_digest(),
    }


def _ingest(ctx: RunContext) -> Outcome:
    from pipeline.ingest.run import ingest_declared

    loaded = ctx.loaded
    if not _reachable_sources(ctx):
        raise CaptureError("none of the sources in session.yaml can be read: connect the cards")
    report = ingest_declared(loaded, progress=ctx.progress)
    warnings = [f"{f.path}: {'; '.join(f.problems)}" for f in report.unusable]
    warnings += [str(failure) for failure in report.failures]
    return Outcome(f"{len(report.copied)} file(s) copied and verified, {report.skipped} "
                   "already verified", warnings)  # fmt: skip


# --- sync -------------------------------------------------------------------------------


def _sync_fingerprint(ctx: RunContext) -> Fingerprint:
    return {
        "ingested recordings": json_digest(ctx.loaded.folder.ingest_state),
        "session.yaml cameras": _cameras(ctx, "name", "role", "offset"),
        "capture version": code_digest(),
    }


def _sync(ctx: RunContext) -> Outcome:
    from pipeline.sync.run import run_sync

    result = run_sync(ctx.loaded, ctx.progress)
    unplaced = [p.recording for p in result.placements if p.offset_s is None]
    warnings = [f"{p.recording}: {'; '.join(p.problems)}" for p in result.placements if p.problems]
    warnings += [f"{r}: not placed on the session clock" for r in unplaced]
    placed = len(result.placements) - len(unplaced)
    return Outcome(f"{placed} recording(s) on the session clock", warnings)


# --- transcribe -------------------------------------------------------------------------


def _transcribe_fingerprint(ctx: RunContext) -> Fingerprint:
    return {
        "ingested recordings": json_digest(ctx.loaded.folder.ingest_state),
        "session clock": json_digest(ctx.loaded.folder.sync_result),
        "session.yaml language and glossary": _session_fields(ctx, "language", "glossary"),
        "session.yaml speakers": _people(ctx, "name", "channel"),
        "session.yaml cameras": _cameras(ctx, "name", "role"),
        "engine and model": value_digest([ctx.engine, ctx.model]),
        "capture version": code_digest(),
    }


def _transcribe(ctx: RunContext) -> Outcome:
    from pipeline.transcription.run import run_transcribe

    transcript = run_transcribe(ctx.loaded, engine_name=ctx.engine, model=ctx.model,
                                progress=ctx.progress)  # fmt: skip
    return Outcome(f"{len(transcript.words)} word(s) in {len(transcript.segments)} segment(s)")


# --- subtitles --------------------------------------------------------------------------


def _subtitles_fingerprint(ctx: RunContext) -> Fingerprint:
    folder = ctx.loaded.folder
    return {
        "transcript": json_digest(folder.transcript_json),
        "reviewed subtitles": file_digest(folder.reviewed_subtitles),
        "cues/full.yaml": file_digest(folder.cue_list("full")),
        "cues/highlights.yaml": file_digest(folder.cue_list("highlights")),
        "session.yaml glossary": _session_fields(ctx, "glossary"),
        "capture version": code_digest(),
    }


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
    return Outcome(f"{report.master_cues} cue(s) from {source}", warnings)


# --- render -----------------------------------------------------------------------------


def _has_clips(ctx: RunContext, film: str) -> bool:
    from pipeline.session.cuelist import load_cue_list

    cue_list = load_cue_list(ctx.loaded, film)
    return bool(cue_list and cue_list.clips)


def _render_not_needed(film: str) -> Callable[[RunContext], str | None]:
    def check(ctx: RunContext) -> str | None:
        return None if _has_clips(ctx, film) else f"cues/{film}.yaml has no clips"

    return check


def _preset_digest(ctx: RunContext) -> str:
    from pipeline.core.presets import load_preset

    return value_digest(load_preset("web", session_root=ctx.loaded.root).model_dump(mode="json"))


def _render_fingerprint(film: str) -> Callable[[RunContext], Fingerprint]:
    def fingerprint(ctx: RunContext) -> Fingerprint:
        folder, session = ctx.loaded.folder, ctx.loaded.session
        logos = {logo: file_digest(ctx.loaded.resolve(logo)) for logo in session.logos}
        return {
            f"cues/{film}.yaml": file_digest(folder.cue_list(film)),
            "transcript": json_digest(folder.transcript_json),
            "session clock": json_digest(ctx.loaded.folder.sync_result),
            "ingested recordings": json_digest(ctx.loaded.folder.ingest_state),
            "session.yaml title, date, place and credits": _session_fields(
                ctx, "title", "date", "place", "credits"
            ),
            "session.yaml speakers": _people(ctx, "name", "role", "organisation"),
            "session.yaml cameras": _cameras(ctx, "name", "role"),
            "logos": value_digest(logos),
            "preset": _preset_digest(ctx),
            "capture version": code_digest(),
        }

    return fingerprint


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


# --- publish ----------------------------------------------------------------------------


def _publish_not_needed(ctx: RunContext) -> str | None:
    return None if ctx.site is not None else "no --site given"


def _publish_fingerprint(ctx: RunContext) -> Fingerprint:
    folder, session = ctx.loaded.folder, ctx.loaded.session
    attachments = [d.path for d in session.documents] + [p.path for p in session.photos]
    if session.poster:
        attachments.append(session.poster)
    return {
        "site": str(ctx.site.resolve()) if ctx.site else MISSING,
        "renders": value_digest(
            {name: file_digest(folder.render_report(name)) for name in FILMS}
        ),  # fmt: skip
        "subtitles": value_digest(
            {path.name: file_digest(path) for path in sorted(folder.subtitles.glob("*.vtt"))}
        ),  # fmt: skip
        "transcript": json_digest(folder.transcript_json),
        "reviewed subtitles": value_digest(
            [
                file_digest(folder.reviewed_subtitles),
                json_digest(folder.review_record, ("imported_at",)),
            ]
        ),
        "session.yaml": file_digest(folder.session_file),
        "documents and photos": value_digest(
            {path: file_digest(ctx.loaded.resolve(path)) for path in attachments}
        ),
        "cues": value_digest([file_digest(folder.cue_list(film)) for film in FILMS]),
        "preset": _preset_digest(ctx),
        "capture version": code_digest(),
    }


def _publish(ctx: RunContext) -> Outcome:
    from pipeline.publish.run import publish

    assert ctx.site is not None
    result = publish(ctx.loaded, ctx.site, progress=ctx.progress)
    encoded = ", ".join(result.encoded) or "nothing re-encoded"
    return Outcome(f"{result.page} ({encoded})")


def _always_needed(ctx: RunContext) -> str | None:
    return None


def _ingest_files(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.ingest_state]


def _sync_files(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.sync_result]


def _transcript_file(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.transcript_json]


def _subtitle_files(ctx: RunContext) -> list[Path]:
    return [ctx.loaded.folder.film_subtitles(film, "vtt") for film in FILMS
            if _has_clips(ctx, film)]  # fmt: skip


def _film_files(film: str) -> Callable[[RunContext], list[Path]]:
    return lambda ctx: [ctx.loaded.folder.render(film), ctx.loaded.folder.render_report(film)]


def _site_files(ctx: RunContext) -> list[Path]:
    if ctx.site is None:
        return []
    folder = ctx.site / ctx.loaded.session.slug
    return [folder / "index.html", folder / "manifest.json", ctx.site / "index.html"]


STEPS: tuple[Step, ...] = (
    Step("ingest", _ingest_not_needed, _ingest_fingerprint, _ingest, _ingest_files),
    Step("sync", _always_needed, _sync_fingerprint, _sync, _sync_files),
    Step("transcribe", _always_needed, _transcribe_fingerprint, _transcribe, _transcript_file),
    Step("subtitles", _always_needed, _subtitles_fingerprint, _subtitles, _subtitle_files),
    Step("render-full", _render_not_needed("full"), _render_fingerprint("full"),
         _render("full"), _film_files("full")),
    Step("render-highlights", _render_not_needed("highlights"),
         _render_fingerprint("highlights"), _render("highlights"), _film_files("highlights")),
    Step("publish", _publish_not_needed, _publish_fingerprint, _publish, _site_files),
)  # fmt: skip
STEP_NAMES = tuple(step.name for step in STEPS)
