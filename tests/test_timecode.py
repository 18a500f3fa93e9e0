"""Times in cue lists: every form capture prints is read back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st


@given(ms=st.integers(min_value=0, max_value=100 * 3600 * 1000 - 1))
def test_every_time_capture_prints_is_read_back(ms: int) -> None:
    """Errors printed `00:00:22,178` (the subtitle form), which a cue list refused."""
    import pysrt

    from pipeline.core.timecode import format_time_ms, parse_time_ms

    assert parse_time_ms(format_time_ms(ms)) == ms
    assert parse_time_ms(str(pysrt.SubRipTime.from_ordinal(ms))) == ms  # "00:00:22,178"
    assert parse_time_ms(f"{ms / 1000:.3f}") == ms


def test_a_camera_timecode_is_read_at_its_frame_rate() -> None:
    from pipeline.core.timecode import smpte_seconds

    assert smpte_seconds("18:30:04:12", "25/1") == 18 * 3600 + 30 * 60 + 4 + 12 / 25
    assert smpte_seconds("00:00:01;15", "30000/1001") == 1.5  # drop frame, 29.97 counted as 30
    assert smpte_seconds("00:00:01:00", "50") == 1.0
    for timecode, rate in (("18:30:04", "25/1"), ("aa:00:00:00", "25/1"), ("00:00:00:00", None),
                           (None, "25/1"), ("00:00:00:01", "x/1")):  # fmt: skip
        assert smpte_seconds(timecode, rate) is None
