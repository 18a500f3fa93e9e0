"""``subtitles/reviewed/review.json``: who reviewed the subtitles and what changed (written
by ``capture subtitles import``)."""

from __future__ import annotations

from datetime import datetime

from pipeline.core.validation import StrictModel
from pipeline.session.model import LoadedSession


class ReviewRecord(StrictModel):
    human_reviewed: bool = True
    imported_at: datetime
    original_name: str
    sha256: str
    cues: int
    changed: int
    """Cues that differ (text or time) from the generated subtitles at import."""


def review_record(loaded: LoadedSession) -> ReviewRecord | None:
    path = loaded.folder.review_record
    if not path.is_file():
        return None
    return ReviewRecord.model_validate_json(path.read_text(encoding="utf-8"))
