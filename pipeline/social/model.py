"""``renders/social.json``: the social clips made, what each was made from (a digest: a clip
is made again only when it changes), where its crop and the face found lie, its loudness."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rect(_Model):
    x: int
    y: int
    width: int
    height: int


class SocialClip(_Model):
    quote: str
    session_start_ms: int
    session_end_ms: int
    format: str
    """``9x16`` or ``1x1``."""
    width: int
    height: int
    duration_s: float
    file: str
    """Relative to the session folder."""
    bytes: int
    poster: str
    camera: str
    crop: Rect
    """In the source camera's pixels."""
    faces: list[Rect]
    """The faces the crop was placed on (empty: centred)."""
    integrated_lufs: float
    true_peak_dbtp: float
    matched: bool = True
    """False: the transcript words the quote otherwise; it was cut from its ``at``, as many
    words as it has (check the clip)."""
    digest: str


class SocialReport(_Model):
    clips: list[SocialClip] = []


def read_social_report(path: Path) -> SocialReport | None:
    if not path.is_file():
        return None
    try:
        return SocialReport.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
