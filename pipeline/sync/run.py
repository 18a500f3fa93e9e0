"""``capture sync``: every ingested recording on the session clock, saved in work/sync.json.

The reference is the sound recorder when there is one (clean sound, started first), else the
longest recording with sound. Cameras are the time reference for drift: a recorder whose
clock runs fast or slow against them is measured (ppm) and corrected above a threshold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median

from pipeline.audio.decode import recording_audio
from pipeline.core.errors import CaptureError, ExitCode
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.progress import NullProgress, ProgressReporter
from pipeline.core.timecode import smpte_seconds
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import Recording, load_state
from pipeline.session.artifacts.sync import Placement, SyncResult
from pipeline.sync.align import SYNC_RATE, Alignment, align

MIN_CONFIDENCE = 0.5
DRIFT_THRESHOLD_PPM = 10.0


class NothingToSync(CaptureError):
    exit_code = ExitCode.BAD_INPUT


def _choose_reference(loaded: LoadedSession, recordings: list[Recording]) -> Recording | None:
    with_sound = [r for r in recordings if r.has_audio]
    if not with_sound:
        return None
    recorders = [r for r in with_sound if r.is_sound_recorder(loaded.session)]
    return max(recorders or with_sound, key=lambda r: r.duration_s)


def _seconds_between(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def run_sync(loaded: LoadedSession, progress: ProgressReporter | None = None) -> SyncResult:
    """Place every usable recording; results saved in work/sync.json and returned."""
    reporter = progress or NullProgress()
    recordings = [r for r in load_state(loaded.folder.ingest_state).recordings if r.usable]
    if not recordings:
        raise NothingToSync(
            f"no usable recording in {loaded.root}: run `capture ingest {loaded.root}` first"
        )
    reference = _choose_reference(loaded, recordings)
    placements: dict[str, Placement] = {}
    alignments: dict[str, Alignment] = {}
    if reference is not None:
        reference_audio = recording_audio(loaded.folder, reference, SYNC_RATE)
        placements[reference.id] = Placement(
            recording=reference.id,
            camera=reference.camera,
            offset_s=0.0,
            offset_confidence=1.0,
            method="reference",
        )
        others = [r for r in recordings if r.id != reference.id and r.has_audio]
        with reporter.task("synchronising", len(others) or None) as task:
            for done, recording in enumerate(others, start=1):
                found = align(reference_audio, recording_audio(loaded.folder, recording, SYNC_RATE))
                if found is not None:
                    alignments[recording.id] = found
                task.advance_to(done)

    drift = _reference_drift(loaded, reference, recordings, alignments)
    correct = abs(drift) * 1e6 >= DRIFT_THRESHOLD_PPM
    if reference is not None:
        placements[reference.id].drift_ppm = round(drift * 1e6, 1)
        placements[reference.id].drift_corrected = correct
    for recording in recordings:
        if recording.id in placements:
            continue
        placements[recording.id] = _place(
            recording, reference, alignments.get(recording.id), drift if correct else 0.0
        )
    _fill_by_clock(recordings, reference, placements)
    _settle_clock(loaded, recordings, reference, placements)
    result = SyncResult(
        reference=reference.id if reference else None,
        created_at=datetime.now(UTC),
        placements=[placements[r.id] for r in recordings],
    )
    atomic_write_text(loaded.folder.sync_result, result.model_dump_json(indent=2) + "\n")
    return result


def _reference_drift(
    loaded: LoadedSession,
    reference: Recording | None,
    recordings: list[Recording],
    alignments: dict[str, Alignment],
) -> float:
    """The recorder's drift against the cameras' clocks (0 when the reference is a camera)."""
    if reference is None or not reference.is_sound_recorder(loaded.session):
        return 0.0
    slopes = [
        a.drift
        for r in recordings
        if (a := alignments.get(r.id)) is not None
        and r.has_video
        and a.confidence >= MIN_CONFIDENCE
        and a.windows >= 5
    ]
    return float(median(slopes)) if slopes else 0.0


def _place(
    recording: Recording, reference: Recording | None, found: Alignment | None, drift: float
) -> Placement:
    base = {"recording": recording.id, "camera": recording.camera}
    if not recording.has_audio:
        return Placement(
            **base,
            offset_s=None,
            offset_confidence=0.0,
            method="none",
            problems=["no audio: placed by creation time"],
        )
    if found is None:
        return Placement(
            **base,
            offset_s=None,
            offset_confidence=0.0,
            method="none",
            problems=["no overlap with the reference's sound"],
        )
    offset = found.offset / (1 + drift)
    relative_drift = round((found.drift - drift) * 1e6, 1)
    doubt = _doubt(found, offset)
    if doubt:
        return Placement(
            **base,
            offset_s=None,
            offset_confidence=round(found.confidence, 3),
            method="none",
            drift_ppm=relative_drift,
            problems=[doubt],
        )
    return Placement(
        **base,
        offset_s=offset,
        offset_confidence=round(found.confidence, 3),
        method="audio",
        drift_ppm=relative_drift,
    )


def _doubt(found: Alignment, offset: float) -> str | None:
    """Why the audio estimate cannot be trusted, in words, or None when it can."""
    if found.confidence < MIN_CONFIDENCE:
        return (f"audio sync uncertain: only {found.confidence:.0%} of {found.windows} sound "
                f"windows agree (audio estimate {offset:.3f} s not used)")  # fmt: skip
    if not found.distinct and not found.compared:
        return (f"audio sync ambiguous: the sound fits another place about as well and no "
                f"window tells them apart (repeated sound?); audio estimate {offset:.3f} s "
                f"not used")  # fmt: skip
    if not found.distinct:
        return (f"audio sync ambiguous: the sound fits another place about as well (this one "
                f"is the likelier in only {found.wins:.0%} of {found.compared} windows: "
                f"repeated sound?); audio estimate {offset:.3f} s not used")  # fmt: skip
    return None


def _clock_delta(
    recording: Recording, anchor: Recording, clocks: tuple[str, ...] = ("timecode", "creation time")
) -> tuple[float, str] | None:
    """How much later ``recording`` started than ``anchor`` by the first of ``clocks`` both
    have: timecode (frame accurate, across midnight too), else creation time (to the second)."""
    if "timecode" in clocks:
        a = smpte_seconds(recording.timecode, recording.frame_rate)
        b = smpte_seconds(anchor.timecode, anchor.frame_rate)
        if a is not None and b is not None:
            day = 24 * 3600
            return (a - b + day / 2) % day - day / 2, "timecode"
    if "creation time" in clocks:
        delta = _seconds_between(recording.creation_time, anchor.creation_time)
        if delta is not None:
            return delta, "creation time"
    return None


def _fill_by_clock(
    recordings: list[Recording], reference: Recording | None, placements: dict[str, Placement]
) -> None:
    """Recordings sound could not place, by their timecode or creation time against a placed
    one (the reference first)."""
    anchors = [r for r in recordings if placements[r.id].offset_s is not None]
    anchors.sort(key=lambda r: r is not reference)
    for recording in recordings:
        placement = placements[recording.id]
        if placement.offset_s is not None:
            continue
        # timecode against any anchor first, creation time only when no timecode matches
        candidates = ((a, c) for c in (("timecode",), ("creation time",)) for a in anchors)
        for anchor, clocks in candidates:
            found = _clock_delta(recording, anchor, clocks)
            if found is None:
                continue
            delta, clock = found
            placement.offset_s = placements[anchor.id].offset_s + delta
            placement.method = "timecode" if clock == "timecode" else "creation_time"
            placement.problems.append(
                f"placed by {clock} against {anchor.id} (device clocks may be off)"
            )
            break
        else:
            placement.problems.append(
                "cannot be placed: no usable sound, timecode or creation time"
            )


def _settle_clock(
    loaded: LoadedSession,
    recordings: list[Recording],
    reference: Recording | None,
    placements: dict[str, Placement],
) -> None:
    """Fix the session clock's zero, then apply session.yaml's manual offsets.

    Manual offsets are session-clock seconds. When the reference's camera has one, everything
    placed against the reference moves with it; otherwise the clock starts when the first
    recording without a manual offset started.
    """
    manual = {c.name: c.offset for c in loaded.session.cameras if c.offset is not None}
    automatic = [p for p in placements.values() if p.offset_s is not None]
    wanted = _manual_position(reference, recordings, manual) if reference else None
    if reference is not None and wanted is not None:
        shift = wanted - placements[reference.id].offset_s
    else:
        free = [p.offset_s for p in automatic if p.camera not in manual]
        shift = -min(free) if free else 0.0
    for placement in automatic:
        placement.offset_s = round(placement.offset_s + shift, 4)
    for recording in recordings:
        position = _manual_position(recording, recordings, manual)
        placement = placements[recording.id]
        if recording.camera not in manual:
            continue
        if position is None:
            placement.problems.append("manual offset applies to the camera's first recording")
            continue
        placement.offset_s = round(position, 4)
        placement.offset_confidence = 1.0
        placement.method = "manual"
        placement.problems = [p for p in placement.problems if "placed by" not in p]


def _manual_position(
    recording: Recording, recordings: list[Recording], manual: dict[str, float]
) -> float | None:
    """Where session.yaml's manual offset puts ``recording``: the offset is for its camera's
    first recording, the others follow by their clocks (None: no way to tell)."""
    if recording.camera not in manual:
        return None
    own = sorted(
        (r for r in recordings if r.camera == recording.camera),
        key=lambda r: (r.creation_time is None, r.creation_time or datetime.min, r.id),
    )
    if recording is own[0]:
        return manual[recording.camera]
    found = _clock_delta(recording, own[0])
    return manual[recording.camera] + found[0] if found else None
