"""Byte counts as people read them."""

from __future__ import annotations


def size_text(count: float) -> str:
    """``count`` bytes with three significant figures in the unit that fits: 812 kB, 12.3 MB,
    1.47 GB (so 10 MB against 12 MB free never reads "0.01 GB needs 0.01 GB")."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(count) >= scale:
            value = count / scale
            return f"{value:.3g} {unit}" if value < 999.5 else f"{value:.0f} {unit}"
    return f"{count:.0f} bytes"


def bitrate_kbps(count: int, seconds: float) -> int:
    """A file of ``count`` bytes lasting ``seconds``, in kilobits a second."""
    return round(count * 8 / max(seconds, 1e-3) / 1000)


def bytes_per_minute(count: int, seconds: float) -> int:
    """What a viewer downloads per minute of a file of ``count`` bytes lasting ``seconds``."""
    return round(count * 60 / max(seconds, 1e-3))
