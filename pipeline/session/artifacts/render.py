"""``renders/FILM.json``: what ``capture render`` made (written beside each film, read by
publish and by ``capture run``'s fingerprints, so its bytes stay stable for the same film)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline.core.presets import RUNG_NAME

REPORT_VERSION = 1


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReportAssembly(_Report):
    """How the picture was made: ``render`` (one filtergraph) or ``stream copy``."""

    method: str
    reason: str | None = None
    copied_frames: int = 0
    encoded_frames: int = 0
    same_as_rendition: str | None = None
    """The web rendition the film is, byte for byte (a film re-encoded once for both)."""


class ReportLoudness(_Report):
    integrated_lufs: float
    true_peak_dbtp: float
    pass_two: str | None = None


class ReportSpan(_Report):
    """A clip on the film's time map (see ``timeline.timemap.Span``)."""

    session_start_ms: int
    session_end_ms: int
    output_start_ms: int
    heard_start_ms: int | None = None
    heard_end_ms: int | None = None


class ReportRendition(_Report):
    """One web rendition made with the film (``renders/web/FILM-RUNG.mp4``)."""

    name: Annotated[str, Field(pattern=RUNG_NAME)]
    width: int
    height: int
    file: str
    """Relative to the renders folder."""
    bytes: int


class ReportListening(_Report):
    """The audio-only rendition made with the film (``renders/web/FILM-audio.m4a``)."""

    file: str
    """Relative to the renders folder."""
    bytes: int
    bitrate_kbps: int
    """Measured over the whole file."""


class RenderReport(_Report):
    """Fields in the order they are written."""

    version: int = REPORT_VERSION
    film: str
    file: str
    rendered_at: str
    preset: str | None = None
    assembly: ReportAssembly | None = None
    duration_s: float
    frame_rate: int | None = None
    height: int | None = None
    loudness: ReportLoudness | None = None
    items: list[dict[str, Any]] = []
    """Each piece of the film: a card, or a clip with its source files and hashes."""
    cut_notes: list[str] = []
    time_map: list[ReportSpan] = []
    editorial_error: str | None = None
    """Why the OTIO/FCP XML/EDL files could not be written (the render itself is fine)."""
    web: list[ReportRendition] = []
    """The web renditions made in the film's own graph (final renders)."""
    ladder: str | None = None
    """The digest of the preset's ladder and sound they were made with."""
    listening: ReportListening | None = None
    """The audio-only rendition, when the preset asks for one."""

    def to_text(self) -> str:
        # json.dumps, not model_dump_json: it escapes non-ASCII as the reports always have
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"


def load_render_report(path: Path) -> RenderReport:
    """A render report (ValueError when the file is not one)."""
    return RenderReport.model_validate_json(path.read_text(encoding="utf-8"))
