"""Whether a camera card may be wiped: the videographer's question after every ingest.

A card is safe to wipe only when every file on it (media, sidecars, unknown files alike) is
in the session, copied and verified against the original, recorded in the MHL history,
unchanged on the card since, and, for recordings, usable. Anything else is named with the
reason to keep the card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.ingest.discover import FoundFile, SourceSpec, UnreadableSource, discover
from pipeline.session.artifacts.ingest import IngestState


@dataclass(frozen=True)
class CardVerdict:
    camera: str
    path: Path
    safe_to_wipe: bool
    files: int
    """Files found on the card (0 when it is not connected)."""
    keep: list[str] = field(default_factory=list)
    """``file: reason`` for each file that makes the card worth keeping."""
    connected: bool = True

    @property
    def summary(self) -> str:
        if not self.connected:
            return "not connected: connect it to know whether it can be wiped"
        if not self.files:
            if self.keep:
                return f"keep it: {self.keep[0]}"
            return "holds no files: is the card mounted there?"
        if self.safe_to_wipe:
            return f"safe to wipe: its {self.files} file(s) are copied, verified and usable"
        return f"keep it: {len(self.keep)} of its {self.files} file(s) are not safe in the session"


def _reason_to_keep(found: FoundFile, state: IngestState, media: Path) -> str | None:
    # matched by where it was copied to (camera and path on the card), not by where the
    # card was mounted: the same card may come back under another mount point
    entry = state.file(f"{found.camera}/{found.relative.as_posix()}")
    found_path, size = found.path, found.size
    if entry is None:
        return "not copied"
    copy = media / entry.path
    if not copy.is_file() or copy.stat().st_size != entry.size:
        return f"its copy media/{entry.path} is missing or changed"
    try:
        mtime_ns = found_path.stat().st_mtime_ns
    except OSError:
        return "cannot be read any more"
    if (entry.size, entry.source_mtime_ns) != (size, mtime_ns):
        return "changed on the card since it was copied"
    if entry.mhl_generation is None:
        return "copied but not yet in the MHL history (run the ingest again)"
    if not entry.usable:
        return "; ".join(entry.problems) or "unusable"
    return None


def card_verdict(spec: SourceSpec, state: IngestState, media: Path) -> CardVerdict:
    """The verdict for one card (or folder) against what the session holds (``media``: the
    session's media folder, where the copies are)."""
    if not spec.path.exists():
        return CardVerdict(spec.camera, spec.path, False, 0, connected=False)
    try:
        found = discover(spec)
    except UnreadableSource as error:
        return CardVerdict(spec.camera, spec.path, False, 0, [str(error)])
    except ConfigError:
        found = []  # an empty card: nothing on it to lose
    keep = []
    for item in found:
        reason = _reason_to_keep(item, state, media)
        if reason is not None:
            keep.append(f"{item.relative.as_posix()}: {reason}")
    return CardVerdict(spec.camera, spec.path, bool(found) and not keep, len(found), keep)
