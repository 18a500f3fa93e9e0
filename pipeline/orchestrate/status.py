"""What a session holds so far: folders, ingested recordings and their place on the clock.

``session_status(...).model_dump()`` is the stable ``capture status --json`` interface
(documented in docs/ingest-and-sync.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, computed_field

from pipeline.ingest.mhl import generation_count
from pipeline.orchestrate.footprint import Footprint, session_footprint
from pipeline.session import FILMS, LoadedSession
from pipeline.session.artifacts.ingest import IngestedFile, IngestState, Recording, load_state
from pipeline.session.artifacts.sync import Placement, load_sync
from pipeline.session.lock import current_holder
from pipeline.session.siblings import SYNTHESIS

STATUS_VERSION = 1


class FolderState(BaseModel):
    what: str
    where: str
    state: str


class CardStatus(BaseModel):
    """A card of session.yaml's sources and whether it may be wiped."""

    camera: str
    path: str
    connected: bool
    safe_to_wipe: bool
    summary: str
    keep: list[str]


class RecordingStatus(BaseModel):
    id: str
    camera: str
    files: list[str]
    """Ordered parts, relative to SESSION/media."""
    duration_s: float
    offset_s: float | None
    """Session-clock second at which the recording starts; None until synced or placeable."""
    offset_confidence: float | None
    offset_method: str | None
    drift_ppm: float | None
    drift_corrected: bool
    has_video: bool
    has_audio: bool
    format: str
    flags: list[str]
    """vfr, interlaced, rotated-90... : what later stages must conform."""
    verified: bool
    """Every part copied, read back and hashed identically, and recorded in the ASC MHL."""
    usable: bool
    problems: list[str]


class UnusableFile(BaseModel):
    camera: str
    path: str
    problems: list[str]


class SubtitleStatus(BaseModel):
    generated: bool
    reviewed: bool
    """A reviewer's file was imported: it is the source of truth."""
    reviewed_cues: int | None = None
    changed_cues: int | None = None
    """Cues the reviewer changed (text or time) from the generated ones."""
    films: list[str] = []
    """Films with subtitles written (full, highlights)."""


class StepStatusModel(BaseModel):
    name: str
    """ingest, sync, transcribe, subtitles, render-full, render-highlights,
    render-synthesis, social, slideshow, publish."""
    state: str
    """done, stale, failed, not run or not needed."""
    detail: str | None = None
    """Stale: which inputs changed; failed: the error; done: what it made."""
    finished_at: str | None = None


class SessionStatus(BaseModel):
    version: int = STATUS_VERSION
    slug: str
    title: str
    folders: list[FolderState]
    verified_files: int
    verified_bytes: int
    mhl_generations: int
    synced: bool
    reference: str | None
    recordings: list[RecordingStatus]
    unusable_files: list[UnusableFile]
    subtitles: SubtitleStatus
    steps: list[StepStatusModel] = []
    """Where each step of ``capture run`` stands."""
    busy: str | None = None
    """The capture command writing the session right now, if any."""
    cards: list[CardStatus] = []
    footprint: Footprint | None = None
    """CPU time per step, its energy (an estimate, its assumption given) and the bytes per
    minute of each web rendition."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_attention(self) -> list[str]:
        """What the videographer must look at (``capture status`` then exits non-zero)."""
        found = [f"unusable file {f.path}" for f in self.unusable_files]
        found += [f"card {c.camera}: {c.summary}" for c in self.cards if c.connected
                  and not c.safe_to_wipe]  # fmt: skip
        found += [f"recording {r.id}: not placed on the session clock" for r in self.recordings
                  if r.offset_s is None]  # fmt: skip
        found += [f"step {s.name}: {s.state}" for s in self.steps if s.state == "failed"
                  or (s.state == "stale" and s.detail == "interrupted")]  # fmt: skip
        return found


def _count_files(folder: Path) -> int:
    """Files in ``folder``, hidden ones and the ASC MHL history (``ascmhl/``) left out."""
    if not folder.is_dir():
        return 0
    return sum(
        1
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and "ascmhl" not in p.relative_to(folder).parts
    )


def card_statuses(loaded: LoadedSession, state: IngestState) -> list[CardStatus]:
    """Each source card of session.yaml with its wipe verdict against ``state``."""
    from pipeline.ingest.discover import SourceSpec, camera_name_from_folder
    from pipeline.ingest.wipe import card_verdict

    cards = []
    for source, path in loaded.source_paths():
        camera = source.camera or camera_name_from_folder(path)
        verdict = card_verdict(SourceSpec(path, camera), state, loaded.folder.media)
        cards.append(CardStatus(camera=camera, path=str(path), connected=verdict.connected,
                                safe_to_wipe=verdict.safe_to_wipe, summary=verdict.summary,
                                keep=verdict.keep))  # fmt: skip
    return cards


def folder_status(loaded: LoadedSession, cards: list[CardStatus]) -> list[FolderState]:
    session_folder = loaded.folder
    rows = []
    for card in cards:
        rows.append(FolderState(what=f"card {card.camera}", where=card.path, state=card.summary))
    for what, folder in (
        ("media", session_folder.media),
        ("transcript", session_folder.transcript),
        ("subtitles", session_folder.subtitles),
        ("renders", session_folder.renders),
    ):
        count = _count_files(folder)
        rows.append(
            FolderState(
                what=what, where=str(folder), state=f"{count} file(s)" if count else "empty"
            )
        )
    for name in FILMS:
        cue_file = session_folder.cue_list(name)
        if name == SYNTHESIS and not cue_file.is_file():
            continue  # only the cycle's synthesis folder has one
        state = "present" if cue_file.is_file() else "missing"
        rows.append(FolderState(what=f"cues {name}", where=str(cue_file), state=state))
    return rows


def _format_and_flags(files: list[IngestedFile]) -> tuple[str, list[str]]:
    flags: set[str] = set()
    for file in files:
        for video in file.probed.video if file.probed else []:
            if video.variable_frame_rate:
                flags.add("vfr")
            if video.interlaced:
                flags.add("interlaced")
            if video.rotation:
                flags.add(f"rotated-{video.rotation}")
    first = files[0].probed
    video = first.primary_video if first else None
    audio = first.audio[0] if first and first.audio else None
    parts = []
    if video:
        parts.append(f"{video.codec} {video.width}x{video.height} {video.avg_frame_rate}")
    if audio:
        parts.append(f"{audio.codec} {audio.sample_rate} Hz {audio.channels} ch")
    return ", ".join(parts) or "unknown", sorted(flags)


def _recording_status(
    recording: Recording, files: dict[str, IngestedFile], placement: Placement | None
) -> RecordingStatus:
    fmt, flags = _format_and_flags([files[f] for f in recording.files])
    problems = list(recording.problems) + (placement.problems if placement else ["not synced"])
    return RecordingStatus(
        id=recording.id,
        camera=recording.camera,
        files=recording.files,
        duration_s=recording.duration_s,
        offset_s=placement.offset_s if placement else None,
        offset_confidence=placement.offset_confidence if placement else None,
        offset_method=placement.method if placement else None,
        drift_ppm=placement.drift_ppm if placement else None,
        drift_corrected=placement.drift_corrected if placement else False,
        has_video=recording.has_video,
        has_audio=recording.has_audio,
        format=fmt,
        flags=flags,
        verified=all(files[f].mhl_generation is not None for f in recording.files),
        usable=recording.usable and placement is not None and placement.offset_s is not None,
        problems=problems,
    )


def subtitle_status(loaded: LoadedSession) -> SubtitleStatus:
    from pipeline.session.artifacts.subtitles import review_record

    where = loaded.folder
    record = review_record(loaded)
    return SubtitleStatus(
        generated=where.generated_subtitles.is_file(),
        reviewed=record is not None and where.reviewed_subtitles.is_file(),
        reviewed_cues=record.cues if record else None,
        changed_cues=record.changed if record else None,
        films=[name for name in FILMS if where.film_subtitles(name, "vtt").is_file()],
    )


def session_status(loaded: LoadedSession) -> SessionStatus:
    state = load_state(loaded.folder.ingest_state)
    cards = card_statuses(loaded, state)
    sync = load_sync(loaded)
    files = {f.path: f for f in state.files}
    recordings = [
        _recording_status(r, files, sync.placement(r.id) if sync else None)
        for r in state.recordings
    ]
    return SessionStatus(
        slug=loaded.session.slug,
        title=loaded.session.title,
        folders=folder_status(loaded, cards),
        verified_files=len(state.files),
        verified_bytes=sum(f.size for f in state.files),
        mhl_generations=generation_count(loaded.folder.media),
        synced=sync is not None and all(sync.placement(r.id) for r in state.recordings),
        reference=sync.reference if sync else None,
        recordings=recordings,
        unusable_files=[
            UnusableFile(camera=f.camera, path=f.path, problems=f.problems)
            for f in state.files
            if not f.usable
        ],
        subtitles=subtitle_status(loaded),
        steps=_steps(loaded),
        busy=str(holder) if (holder := current_holder(loaded)) else None,
        cards=cards,
        footprint=session_footprint(loaded),
    )


def _steps(loaded: LoadedSession) -> list[StepStatusModel]:
    from pipeline.orchestrate.run import step_statuses

    return [
        StepStatusModel(name=s.name, state=s.condition.value, detail=s.detail,
                        finished_at=s.finished_at.isoformat(timespec="seconds")
                        if s.finished_at else None)
        for s in step_statuses(loaded)
    ]  # fmt: skip


def status_json(loaded: LoadedSession) -> dict[str, Any]:
    return session_status(loaded).model_dump(mode="json")
