"""A film's frame rate is the cameras': which camera decides, and what is not a rate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline.session.artifacts.ingest import (
    IngestedFile,
    IngestState,
    Recording,
    film_rate,
    save_state,
)
from pipeline.session.model import Camera, CameraRole, Session
from pipeline.session.scaffold import init_session


def _state(*cameras: tuple[str, dict | None]) -> IngestState:
    """One recording per camera, its file probed as ``media`` says (None: no picture)."""
    state = IngestState()
    for name, video in cameras:
        path = f"{name}/C0001.MP4"
        media = {"duration": 10.0, "video": [video] if video else [], "audio": []}
        state.record(IngestedFile(
            camera=name, source=f"/cards/{path}", path=path, kind="video", size=1,
            source_mtime_ns=0, hash_format="xxh128", hash="0", media=media,
            verified_at=datetime(2026, 3, 12, tzinfo=UTC),
        ))  # fmt: skip
        state.recordings.append(Recording(
            id=name, camera=name, files=[path], part_durations=[10.0], duration_s=10.0,
            has_video=video is not None, has_audio=True,
        ))  # fmt: skip
    return state


def _video(rate: str, *, vfr: bool = False, average: str | None = None) -> dict:
    return {"codec": "h264", "width": 1920, "height": 1080, "real_frame_rate": rate,
            "avg_frame_rate": average or rate, "variable_frame_rate": vfr}  # fmt: skip


def _session(*cameras: tuple[str, CameraRole]) -> Session:
    return Session(slug="s", title="T", date=date(2026, 3, 12),
                   cameras=[Camera(name=n, role=r) for n, r in cameras])  # fmt: skip


WIDE_AND_CLOSE = _session(("A", CameraRole.CLOSE), ("B", CameraRole.WIDE))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (_video("25/1"), _video("25/1"), 25),
        (_video("30000/1001"), _video("30000/1001"), 30),  # 29.97 is made at 30
        (_video("24000/1001"), None, 24),
        (_video("50/1"), _video("25/1"), 25),  # cameras differ: the wide camera's
        (_video("90000/1", vfr=True, average="30/1"), _video("25/1"), 25),
        (_video("90000/1", vfr=True, average="29.8"), None, 30),  # a phone: its average
        (_video("90000/1", vfr=True, average="0/0"), _video("0/0"), None),  # no usable rate
        (None, None, None),  # sound only
    ],
)
def test_the_film_rate_is_the_cameras(a: dict | None, b: dict | None, expected) -> None:
    assert _state(("A", a), ("B", b)).film_rate(WIDE_AND_CLOSE) == expected


def test_without_a_wide_camera_the_most_common_rate_wins() -> None:
    session = _session(*((n, CameraRole.CLOSE) for n in "ABC"))
    state = _state(("A", _video("50/1")), ("B", _video("30/1")), ("C", _video("30/1")))
    assert state.film_rate(session) == 30


def test_a_session_not_yet_ingested_takes_the_archive_preset_rate(tmp_path: Path) -> None:
    loaded = init_session(tmp_path / "s", title="T", date=date(2026, 3, 12))
    assert not loaded.folder.ingest_state.exists()
    from pipeline.core.presets import load_preset

    assert film_rate(loaded) == load_preset("archive").video.frame_rate
    save_state(loaded.folder.ingest_state, _state(("A", _video("50/1"))))
    assert film_rate(loaded) == 50
