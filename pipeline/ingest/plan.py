"""What an ingest will do before it copies anything: which folders are read as which camera,
and which files are new or already verified."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.ingest.discover import FoundFile, SourceSpec, camera_name_from_folder, discover
from pipeline.session import CAMERA_NAME_PATTERN, LoadedSession
from pipeline.session.artifacts.ingest import (
    IngestState,
    load_state,
)


@dataclass(frozen=True)
class PlannedFile:
    found: FoundFile
    destination: Path
    relative: str
    """Destination relative to SESSION/media (posix)."""
    done: bool
    """Already copied and verified by an earlier ingest."""


@dataclass(frozen=True)
class IngestPlan:
    files: list[PlannedFile]

    @property
    def to_copy(self) -> list[PlannedFile]:
        return [f for f in self.files if not f.done]

    @property
    def bytes_to_copy(self) -> int:
        return sum(f.found.size for f in self.to_copy)


def resolve_sources(
    loaded: LoadedSession, sources: Sequence[Path], cameras: Sequence[tuple[str, Path]]
) -> list[SourceSpec]:
    """Which folders to read, and the camera each belongs to.

    ``--camera NAME=PATH`` wins, then the camera given for that path in session.yaml, then
    the source folder's own name. No source at all: session.yaml's ``sources``.
    """
    declared = {path: source.camera for source, path in loaded.source_paths()}
    specs = [SourceSpec(Path(os.path.normpath(os.path.abspath(p))), name) for name, p in cameras]
    explicit = {(spec.path, spec.camera) for spec in specs}
    for name, _ in cameras:
        if not _valid_camera(name):
            raise ConfigError(f"--camera {name!r}: camera names are letters, digits, - and _")
    chosen = list(sources) if (sources or cameras) else list(declared)
    for path in chosen:
        absolute = Path(os.path.normpath(os.path.abspath(path)))
        camera = declared.get(absolute) or camera_name_from_folder(absolute)
        specs.append(SourceSpec(absolute, camera))
    unique: dict[Path, SourceSpec] = {}
    for spec in specs:  # the same card named twice is read once
        known = unique.setdefault(spec.path, spec)
        if known.camera != spec.camera and (spec.path, spec.camera) in explicit:
            raise ConfigError(f"{spec.path} is given as camera {known.camera} and {spec.camera}")
    specs = list(unique.values())
    for outer in specs:
        for inner in specs:
            if inner is not outer and inner.path.is_relative_to(outer.path):
                raise ConfigError(
                    f"{inner.path} is inside {outer.path}: name the card once, or only the "
                    "folders inside it"
                )
    if not specs:
        raise ConfigError(
            "nothing to ingest: name the cards (capture ingest SESSION CARD...) "
            "or list them under sources: in session.yaml",
            file=loaded.folder.session_file,
        )
    return specs


def _valid_camera(name: str) -> bool:
    return re.match(CAMERA_NAME_PATTERN, name) is not None


def plan_ingest(loaded: LoadedSession, specs: Sequence[SourceSpec]) -> IngestPlan:
    state = load_state(loaded.folder.ingest_state)
    planned: list[PlannedFile] = []
    seen: dict[str, Path] = {}
    for spec in specs:
        for found in discover(spec):
            relative = f"{found.camera}/{found.relative.as_posix()}"
            if relative in seen and seen[relative] != found.path:
                raise ConfigError(
                    f"{found.path} and {seen[relative]} would both be copied to media/{relative}"
                )
            seen[relative] = found.path
            destination = loaded.folder.media / relative
            done = _already_done(state, found, relative, destination)
            planned.append(PlannedFile(found, destination, relative, done))
    return IngestPlan(planned)


def _already_done(state: IngestState, found: FoundFile, relative: str, destination: Path) -> bool:
    entry = state.file(relative)
    if entry is None or not destination.is_file():
        return False
    stat = found.path.stat()
    return (
        entry.size == stat.st_size
        and entry.source_mtime_ns == stat.st_mtime_ns
        and destination.stat().st_size == stat.st_size
    )
