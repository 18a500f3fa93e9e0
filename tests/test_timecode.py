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


def test_a_time_in_frames_counts_at_the_rate_it_is_given_and_only_then() -> None:
    """No frame rate is assumed: frames need the film's, and the rate is asked for only
    when a time is given in frames (reading ingest.json for every time would be waste)."""
    import pytest

    from pipeline.core.timecode import parse_time_ms

    asked: list[int] = []

    def rate(fps: int):
        def give() -> int:
            asked.append(fps)
            return fps

        return give

    assert parse_time_ms("00:00:01:12", rate(25)) == 1480
    assert parse_time_ms("00:00:01:12", rate(50)) == 1240
    assert parse_time_ms("00:00:01.500", rate(50)) == 1500 and asked == [25, 50]
    with pytest.raises(ValueError, match="frame 30 does not exist at 25 fps"):
        parse_time_ms("00:00:01:30", rate(25))
    with pytest.raises(ValueError, match="counts frames.*HH:MM:SS.mmm"):
        parse_time_ms("00:00:01:12")
