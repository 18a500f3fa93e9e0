"""CPU time spent by capture and the tools it ran, for the footprint of each step."""

from __future__ import annotations

import resource


def cpu_seconds() -> float:
    """User and system CPU time of this process (every thread: the speech model's too) and
    of the child processes it has waited for (every ffmpeg), since it started. A step's cost
    is the difference across it."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    tools = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + tools.ru_utime + tools.ru_stime
