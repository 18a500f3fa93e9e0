"""``capture ingest``: plan what to copy, copy and verify it, probe it, group chapters, MHL.

The CLI shows the plan (what was found, per camera) before ``run_ingest`` copies anything.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.errors import CaptureError, ExitCode, MediaError
from pipeline.core.media_integrity import short_streams, truncation_problem
from pipeline.core.probe import MediaInfo, probe
from pipeline.core.process import interrupts_deferred
from pipeline.core.progress import NullProgress, ProgressReporter
from pipeline.core.sizes import size_text
from pipeline.ingest.mhl import HashRecord, write_generation
from pipeline.ingest.offload import (
    PARTIAL_SUFFIX,
    OffloadError,
    VerifiedCopy,
    hash_file,
    verified_copy,
)
from pipeline.ingest.plan import IngestPlan, PlannedFile, plan_ingest, resolve_sources
from pipeline.ingest.recordings import build_recordings
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import (
    IngestedFile,
    IngestState,
    load_state,
    save_state,
)

SPACE_MARGIN = 1.05


class NotEnoughSpace(CaptureError):
    exit_code = ExitCode.STEP_FAILED


class IngestBusy(CaptureError):
    exit_code = ExitCode.STEP_FAILED


@dataclass
class IngestReport:
    copied: list[IngestedFile] = field(default_factory=list)
    skipped: int = 0
    failures: list[OffloadError] = field(default_factory=list)
    generation: int | None = None
    state: IngestState = field(default_factory=IngestState)

    @property
    def unusable(self) -> list[IngestedFile]:
        return [f for f in self.state.files if not f.usable]


def check_free_space(media: Path, needed: int) -> None:
    """Refuse before writing anything when the disk cannot hold the copy and a margin."""
    folder = media
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if needed * SPACE_MARGIN > free:
        raise NotEnoughSpace(
            f"not enough free space in {folder}: {size_text(needed)} to copy needs "
            f"{size_text(needed * SPACE_MARGIN)} with the 5% margin, {size_text(free)} free. "
            "Nothing was copied."
        )


def _adopt_existing(item: PlannedFile, hash_format: str) -> VerifiedCopy:
    """A copy already under its final name but unknown to the state (a kill just after the
    rename): verify it against the source instead of copying again."""
    source_hash = hash_file(item.found.path, hash_format)
    copy_hash = hash_file(item.destination, hash_format, drop_cache=True)
    if source_hash != copy_hash:
        raise OffloadError(
            item.found.path,
            f"media/{item.relative} already exists with different content; it was left as it is",
        )
    stat = item.found.path.stat()
    return VerifiedCopy(
        item.found.path,
        item.destination,
        stat.st_size,
        stat.st_mtime_ns,
        hash_format,
        source_hash,
        0,
    )


def _probe_usable(path: Path, size: int) -> tuple[bool, list[str], MediaInfo | None]:
    if size == 0:
        return False, ["empty file (0 bytes)"], None
    try:
        info = probe(path)
    except MediaError as exc:
        return False, [str(exc).removeprefix(f"{path}: ")], None
    if not info.has_video and not info.has_audio:
        return False, ["no video or audio stream"], info
    if not info.duration:
        return False, ["no duration: the file may be truncated"], info
    try:
        short = short_streams(info)
    except MediaError as exc:  # its packets cannot even be listed
        return False, [str(exc).removeprefix(f"{path}: ")], info
    if short:
        return False, [truncation_problem(short)], info
    return True, [], info


def sweep_partials(media: Path) -> int:
    """Delete copies a killed ingest left half-written (they would fail ``ascmhl verify``)."""
    count = 0
    for leftover in media.rglob(f"*{PARTIAL_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        count += 1
    return count


def run_ingest(
    loaded: LoadedSession,
    plan: IngestPlan,
    *,
    hash_format: str = "xxh128",
    progress: ProgressReporter | None = None,
) -> IngestReport:
    """Copy and verify what the plan says, probe it, group chapters, write an MHL generation.

    The generation is written even when the copying is interrupted, for every file verified
    so far, and a later run records any verified copy still missing from the MHL history.
    """
    media = loaded.folder.media
    with _session_lock(loaded):
        sweep_partials(media)  # before measuring: they are space about to be freed
        check_free_space(media, plan.bytes_to_copy)
        reporter = progress or NullProgress()
        path = loaded.folder.ingest_state
        state = load_state(path)
        report = IngestReport(state=state, skipped=len(plan.files) - len(plan.to_copy))
        try:
            _copy_all(plan, state, path, report, hash_format, reporter)
        finally:
            # a second Ctrl-C must not cut the MHL chain file or the state in half
            with interrupts_deferred():
                report.generation = _record_in_mhl(loaded, state)
                state.recordings = build_recordings(state)
                save_state(path, state)
    return report


def ingest_declared(
    loaded: LoadedSession, *, progress: ProgressReporter | None = None
) -> IngestReport:
    """Ingest the sources session.yaml declares, each as its declared camera (what ``capture
    run`` does; ``capture ingest`` plans first to show the plan)."""
    return run_ingest(loaded, plan_ingest(loaded, resolve_sources(loaded, [], [])),
                      progress=progress)  # fmt: skip


@contextmanager
def _session_lock(loaded: LoadedSession) -> Iterator[None]:
    """One ingest at a time per session: a second one would sweep the first's copies."""
    loaded.folder.work.mkdir(parents=True, exist_ok=True)
    with loaded.folder.ingest_lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusy(
                f"another capture ingest is running on {loaded.root}; wait for it to end"
            ) from None
        yield


def _copy_all(
    plan: IngestPlan,
    state: IngestState,
    path: Path,
    report: IngestReport,
    hash_format: str,
    reporter: ProgressReporter,
) -> None:
    with reporter.task("copying and verifying", plan.bytes_to_copy or None) as task:
        done_bytes = 0

        def advance(count: int) -> None:
            nonlocal done_bytes
            done_bytes += count
            task.advance_to(done_bytes)

        for item in plan.to_copy:
            try:
                if item.destination.exists():
                    copy = _adopt_existing(item, hash_format)
                else:
                    copy = verified_copy(
                        item.found.path, item.destination, hash_format, on_bytes=advance
                    )
            except OffloadError as error:
                report.failures.append(error)
                continue
            entry = _entry(item, copy)
            state.record(entry)
            save_state(path, state)
            report.copied.append(entry)


def _record_in_mhl(loaded: LoadedSession, state: IngestState) -> int | None:
    """One new generation for every verified copy the MHL history does not hold yet."""
    media = loaded.folder.media
    pending = [f for f in state.files if f.mhl_generation is None and (media / f.path).is_file()]
    if not pending:
        return None
    records = [
        HashRecord(media / f.path, f.size, f.source_mtime_ns, f.hash_format, f.hash)
        for f in pending
    ]
    comment = f"capture ingest of {len(records)} file(s) for {loaded.session.slug}"
    generation = write_generation(media, records, comment=comment)
    for entry in pending:
        entry.mhl_generation = generation
    state.generations = generation
    return generation


def _entry(item: PlannedFile, copy: VerifiedCopy) -> IngestedFile:
    usable, problems, info = True, [], None
    if item.found.is_media:
        usable, problems, info = _probe_usable(item.destination, copy.size)
    return IngestedFile(
        camera=item.found.camera,
        source=str(item.found.path),
        path=item.relative,
        kind=item.found.kind.value,
        size=copy.size,
        source_mtime_ns=copy.mtime_ns,
        hash_format=copy.hash_format,
        hash=copy.hash,
        verified_at=datetime.now(UTC),
        usable=usable,
        problems=problems,
        media=info.to_json() if info else None,
    )
