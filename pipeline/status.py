"""What a session folder holds so far (the per-step run state comes with `capture run`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.session import LoadedSession


@dataclass(frozen=True)
class FolderState:
    what: str
    where: Path
    state: str


def _count_files(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def folder_status(loaded: LoadedSession) -> list[FolderState]:
    layout = loaded.layout
    rows = []
    for source, path in loaded.source_paths():
        state = "found" if path.exists() else "not found (card not mounted?)"
        rows.append(FolderState(f"source {source.camera or ''}".strip(), path, state))
    for what, folder in (
        ("media", layout.media),
        ("transcript", layout.transcript),
        ("subtitles", layout.subtitles),
        ("renders", layout.renders),
    ):
        count = _count_files(folder)
        rows.append(FolderState(what, folder, f"{count} file(s)" if count else "empty"))
    for name in ("full", "highlights"):
        cue_file = layout.cues / f"{name}.yaml"
        rows.append(
            FolderState(f"cues {name}", cue_file, "present" if cue_file.is_file() else "missing")
        )
    return rows
