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
