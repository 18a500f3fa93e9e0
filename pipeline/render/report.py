"""``renders/FILM.json``, as a render makes it: the timeline's pieces with their sources and
hashes, the loudness measured, how the picture was assembled and the web renditions."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.sizes import bitrate_kbps
from pipeline.render import loudness
from pipeline.render.assembly import FilmAssembly, WebLadder
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import load_state
from pipeline.session.artifacts.render import (
    RenderReport,
    ReportAssembly,
    ReportListening,
    ReportLoudness,
    ReportRendition,
    ReportSpan,
)
from pipeline.session.siblings import named_siblings
from pipeline.timeline.model import Timeline, TimelineCard, TimelineItem


def film_report(
    loaded: LoadedSession,
    timeline: Timeline,
    output: Path,
    preset: str,
    measured: loudness.FileLoudness | None,
    normalization: str | None,
    method: FilmAssembly,
) -> RenderReport:
    media = loaded.folder.media
    hashes = _source_hashes(loaded, timeline)

    def source(cut) -> dict:
        # a recording off the session clock is read where it is, not ingested: ../extras/…
        relative = Path(os.path.relpath(cut.path, media)).as_posix()
        return {"file": relative, "hash": hashes.get(relative), "start_s": cut.start_s,
                "duration_s": cut.duration_s, "interlaced": cut.interlaced}  # fmt: skip

    return RenderReport(
        film=timeline.name,
        file=output.name,
        rendered_at=datetime.now(UTC).isoformat(timespec="seconds"),
        preset=preset,
        assembly=ReportAssembly(**asdict(method)),
        duration_s=round(timeline.duration_s, 3),
        frame_rate=timeline.fps,
        height=timeline.height,
        loudness=None if measured is None else ReportLoudness(
            integrated_lufs=measured.integrated_lufs,
            true_peak_dbtp=measured.true_peak_dbtp,
            pass_two=normalization,
        ),
        items=[_item(i, timeline.fps, source) for i in timeline.items],
        cut_notes=timeline.cut_notes,
        time_map=[ReportSpan(**asdict(span)) for span in timeline.timemap.spans],
    )  # fmt: skip


def _source_hashes(loaded: LoadedSession, timeline: Timeline) -> dict[str, str]:
    """The verified hash of each ingested file, this session's and those of the other
    sessions its clips are cut from, by path relative to this session's media."""
    folders = [loaded.folder]
    if timeline.cue_list is not None:
        folders += [s.loaded.folder for s in named_siblings(loaded, timeline.cue_list.sessions)]
    hashes = {}
    for folder in folders:
        for f in load_state(folder.ingest_state).files:
            relative = Path(os.path.relpath(folder.media / f.path, loaded.folder.media))
            hashes[relative.as_posix()] = f"{f.hash_format}:{f.hash}"
    return hashes


def _item(item: TimelineItem, fps: int, source) -> dict:
    """One piece of the film for the report: a card or a clip, with its transition in."""
    joined = {"transition": item.transition.value, "overlap_s": item.overlap_frames / fps}
    if isinstance(item, TimelineCard):
        return {"card": item.kind, "duration_s": item.frames / fps,
                "lines": [line.text for line in item.lines],
                "logos": [logo.name for logo in item.logos], **joined}  # fmt: skip
    return {"session_in_ms": item.session_in_ms, "session_out_ms": item.session_out_ms,
            "camera": item.camera, "audio_source": item.audio_source,
            "video": [source(x) for x in item.video],
            "audio": [source(x) for x in item.audio], **joined}  # fmt: skip


def web_report(
    loaded: LoadedSession, ladder: WebLadder, renditions: list[tuple[Path, Path]]
) -> list[ReportRendition]:
    """The renditions as they were renamed into place (sizes read from the files)."""
    return [
        ReportRendition(name=rung.name, width=rung.width, height=rung.height,
                        file=final.relative_to(loaded.folder.renders).as_posix(),
                        bytes=checked.stat().st_size)
        for rung, (final, checked) in zip(ladder.rungs, renditions, strict=True)
    ]  # fmt: skip


def listening_report(
    loaded: LoadedSession, ladder: WebLadder, renamed: list[tuple[Path, Path]], duration_s: float
) -> ReportListening | None:
    """The audio-only rendition as it was renamed into place (none: the preset has none),
    its bit rate measured over the whole file."""
    if ladder.listening is None or not renamed:
        return None
    ((final, checked),) = renamed
    size = checked.stat().st_size
    return ReportListening(file=final.relative_to(loaded.folder.renders).as_posix(), bytes=size,
                           bitrate_kbps=bitrate_kbps(size, duration_s))  # fmt: skip
