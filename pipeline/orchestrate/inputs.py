"""What each step of capture run depends on: the run's context, each step's input
fingerprints (their key names are stored in work/run.json: never rename one), and whether
it is needed (what it leaves: ``outputs.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.orchestrate.context import RunContext
from pipeline.orchestrate.fingerprint import (
    MISSING,
    Fingerprint,
    code_digest,
    file_digest,
    folder_listing_digest,
    json_digest,
    value_digest,
)  # fmt: skip
from pipeline.publish.restitution.synthesis import SYNTHESIS_FILE
from pipeline.session import FILMS
from pipeline.session.cuelist import load_cue_list
from pipeline.session.folder import SLIDESHOW_FILE
from pipeline.session.siblings import SYNTHESIS, is_cycle_film_folder
from pipeline.transcription import CHUNK_SECONDS


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


def reachable_sources(ctx: RunContext) -> list[tuple[str, Path]]:
    return [(s.path, p) for s, p in ctx.loaded.source_paths() if p.exists()]


def ingest_not_needed(ctx: RunContext) -> str | None:
    if not ctx.loaded.session.sources:
        return "no sources in session.yaml"
    if not reachable_sources(ctx) and ctx.loaded.folder.ingest_state.is_file():
        return "the cards are not connected; the verified copies are used"
    return None


def ingest_fingerprint(ctx: RunContext) -> Fingerprint:
    listing = {name: folder_listing_digest(path) for name, path in reachable_sources(ctx)}
    return {
        "sources": value_digest(listing),
        "session.yaml cameras and sources": _session_fields(ctx, "cameras", "sources"),
        "capture version": code_digest(),
    }


def sync_fingerprint(ctx: RunContext) -> Fingerprint:
    return {
        "ingested recordings": json_digest(ctx.loaded.folder.ingest_state),
        "session.yaml cameras": _cameras(ctx, "name", "role", "offset"),
        "capture version": code_digest(),
    }


def _off_clock(ctx: RunContext, films: tuple[str, ...] = FILMS) -> str:
    """The recordings off the session clock the films' cue lists cut (names, sizes, times)."""
    from pipeline.core.errors import CaptureError

    named = []
    for film in films:
        try:
            cues = load_cue_list(ctx.loaded, film)
        except CaptureError:
            return MISSING  # the step refuses the cue list itself, with its line
        named += [clip.file for clip in (cues.clips if cues else []) if clip.file]
    found = {}
    for relative in sorted(set(named)):
        path = ctx.loaded.root / relative
        found[relative] = [path.stat().st_size, path.stat().st_mtime_ns] if path.is_file() else None
    return value_digest(found)


def _present_films(ctx: RunContext) -> list[str]:
    """The films whose cue lists may matter: the full version and highlights always (as
    before the synthesis existed, so no session's steps run again for nothing), the
    synthesis when its cue list exists."""
    folder = ctx.loaded.folder
    return [f for f in FILMS if f != SYNTHESIS or folder.cue_list(f).is_file()]


def other_sessions(
    ctx: RunContext, films: tuple[str, ...] = FILMS, *, subtitles: bool = True
) -> Fingerprint:
    """What the films take from the other sessions their cue lists cut (the cycle's
    synthesis): each one's session.yaml, recordings, clock and transcript, and (for the
    subtitles) its reviewed subtitles; nothing when they cut none."""
    from pipeline.core.errors import CaptureError
    from pipeline.session.siblings import open_sibling

    names: set[str] = set()
    for film in films:
        try:
            cues = load_cue_list(ctx.loaded, film)
        except CaptureError:
            return {"other sessions": MISSING}  # the step refuses the cue list, at its line
        names |= cues.sessions if cues else set()
    if not names:
        return {}
    found = {}
    for name in sorted(names):
        try:
            folder = open_sibling(ctx.loaded, name).loaded.folder
        except CaptureError:
            found[name] = MISSING
            continue
        found[name] = [
            file_digest(folder.session_file),
            json_digest(folder.ingest_state),
            json_digest(folder.sync_result),
            json_digest(folder.transcript_json),
        ]
        if subtitles:
            found[name].append(file_digest(folder.reviewed_subtitles))
    return {"other sessions": value_digest(found)}


def no_recordings(ctx: RunContext) -> str | None:
    """A folder with no cameras and no sources (the cycle's synthesis, cut from other
    sessions) has nothing to sync or transcribe."""
    session = ctx.loaded.session
    if not session.cameras and not session.sources:
        return "no cameras or sources in session.yaml"
    return None


def _off_clock_transcripts(ctx: RunContext) -> str:
    folder = ctx.loaded.folder.transcript / "extras"
    return value_digest({p.name: file_digest(p) for p in sorted(folder.glob("*.json"))})


def transcribe_fingerprint(ctx: RunContext) -> Fingerprint:
    return {
        "recordings off the session clock": _off_clock(ctx),
        "ingested recordings": json_digest(ctx.loaded.folder.ingest_state),
        "session clock": json_digest(ctx.loaded.folder.sync_result),
        "session.yaml language and glossary": _session_fields(ctx, "language", "glossary"),
        "session.yaml speakers": _people(ctx, "name", "channel"),
        "session.yaml cameras": _cameras(ctx, "name", "role"),
        "engine and model": value_digest([ctx.engine, ctx.model]),
        **({} if ctx.chunk_seconds == CHUNK_SECONDS else {"chunk length": str(ctx.chunk_seconds)}),
        "capture version": code_digest(),
    }


def subtitles_fingerprint(ctx: RunContext) -> Fingerprint:
    folder = ctx.loaded.folder
    synthesis = folder.cue_list(SYNTHESIS)
    return {
        "transcript": json_digest(folder.transcript_json),
        "transcripts off the session clock": _off_clock_transcripts(ctx),
        "reviewed subtitles": file_digest(folder.reviewed_subtitles),
        "cues/full.yaml": file_digest(folder.cue_list("full")),
        "cues/highlights.yaml": file_digest(folder.cue_list("highlights")),
        **({"cues/synthesis.yaml": file_digest(synthesis)} if synthesis.is_file() else {}),
        **other_sessions(ctx),
        "session clock": json_digest(folder.sync_result),
        "ingested recordings": json_digest(folder.ingest_state),
        "session.yaml glossary": _session_fields(ctx, "glossary"),
        "session.yaml speakers": _people(ctx, "name", "role", "organisation"),
        "session.yaml cameras": _cameras(ctx, "name", "role"),
        "capture version": code_digest(),
    }


def has_clips(ctx: RunContext, film: str) -> bool:
    cue_list = load_cue_list(ctx.loaded, film)
    return bool(cue_list and cue_list.clips)


def render_not_needed(film: str) -> Callable[[RunContext], str | None]:
    def check(ctx: RunContext) -> str | None:
        return None if has_clips(ctx, film) else f"cues/{film}.yaml has no clips"

    return check


def _preset_digest(ctx: RunContext) -> str:
    from pipeline.core.presets import load_preset

    return value_digest(load_preset("web", session_root=ctx.loaded.root).model_dump(mode="json"))


def render_fingerprint(film: str) -> Callable[[RunContext], Fingerprint]:
    def fingerprint(ctx: RunContext) -> Fingerprint:
        folder, session = ctx.loaded.folder, ctx.loaded.session
        logos = {logo: file_digest(ctx.loaded.resolve(logo)) for logo in session.logos}
        return {
            f"cues/{film}.yaml": file_digest(folder.cue_list(film)),
            "recordings off the session clock": _off_clock(ctx, (film,)),
            **other_sessions(ctx, (film,), subtitles=False),
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


def social_not_needed(ctx: RunContext) -> str | None:
    from pipeline.social.run import social_quotes

    return None if social_quotes(ctx.loaded) else "no quote of the cue lists is marked social"


def social_fingerprint(ctx: RunContext) -> Fingerprint:
    folder = ctx.loaded.folder
    return {
        "cues": value_digest([file_digest(folder.cue_list(f)) for f in _present_films(ctx)]),
        "transcript": json_digest(folder.transcript_json),
        "reviewed subtitles": file_digest(folder.reviewed_subtitles),
        "session clock": json_digest(folder.sync_result),
        "ingested recordings": json_digest(folder.ingest_state),
        "session.yaml speakers": _people(ctx, "name", "role", "organisation"),
        "session.yaml cameras": _cameras(ctx, "name", "role"),
        "session.yaml glossary": _session_fields(ctx, "glossary"),
        "logos, in order": value_digest(
            [(logo, file_digest(ctx.loaded.resolve(logo))) for logo in ctx.loaded.session.logos]
        ),  # fmt: skip
        "capture version": code_digest(),
    }


def slideshow_not_needed(ctx: RunContext) -> str | None:
    if is_cycle_film_folder(ctx.loaded):
        return "the cycle's synthesis folder: no session page to show it on"
    return None if len(ctx.loaded.session.photos) >= 2 else "fewer than two photos in session.yaml"


def slideshow_fingerprint(ctx: RunContext) -> Fingerprint:
    from pipeline.render.slideshow import photos_digest

    return {"photos": photos_digest(ctx.loaded), "capture version": code_digest()}


def publish_not_needed(ctx: RunContext) -> str | None:
    return None if ctx.site is not None else "no --site given"


def publish_fingerprint(ctx: RunContext) -> Fingerprint:
    folder, session = ctx.loaded.folder, ctx.loaded.session
    slideshow = folder.renders / SLIDESHOW_FILE
    attachments = [d.path for d in session.documents] + [p.path for p in session.photos]
    if session.poster:
        attachments.append(session.poster)
    return {
        "site": str(ctx.site.resolve()) if ctx.site else MISSING,
        "renders": value_digest(
            {name: file_digest(folder.render_report(name)) for name in _present_films(ctx)}
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
        "cues": value_digest([file_digest(folder.cue_list(f)) for f in _present_films(ctx)]),
        "synthesis": file_digest(folder.root / SYNTHESIS_FILE),
        "site.yaml": file_digest(folder.root.parent / "site.yaml"),
        "social clips": file_digest(folder.renders / "social.json"),
        **({"slideshow": file_digest(slideshow)} if slideshow.is_file() else {}),
        "preset": _preset_digest(ctx),
        "capture version": code_digest(),
    }


def always_needed(ctx: RunContext) -> str | None:
    return None
