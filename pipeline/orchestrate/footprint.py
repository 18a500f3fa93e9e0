"""A session's footprint: the CPU time each step of ``capture run`` took, the energy that
stands for, and the bytes a viewer downloads per minute of each web rendition.

The CPU time is measured (``core/cputime``: capture and every tool it ran, all cores
added up); the energy is an estimate from it, under an assumption written here and in
``docs/footprint.md``: the power a busy core draws above idle. Bytes are read from the
renditions themselves.
"""

from __future__ import annotations

import os

from pydantic import BaseModel

from pipeline.core.sizes import bytes_per_minute
from pipeline.session import FILMS, LoadedSession
from pipeline.session.artifacts.render import load_render_report
from pipeline.session.artifacts.run import StepState, load_run_state

WATTS_PER_BUSY_CORE = 10.0
"""Assumed power of one core kept busy, above the machine's idle draw: a 65 W desktop CPU of
six cores under full load gives some 11 W a core, a 15-28 W laptop CPU of four cores 4-7 W,
a server CPU 5-10 W; 10 W is near the top of that range. ``CAPTURE_WATTS_PER_CORE`` sets
another."""
ASSUMPTION = (
    "energy = CPU-seconds x {watts} W per busy core / 3600 (an assumed draw above idle, set "
    "with CAPTURE_WATTS_PER_CORE; not a measurement: the screen, the disks, the idle draw and "
    "the network are left out)"
)


class StepCost(BaseModel):
    name: str
    seconds: float | None
    """Wall time of the step's last successful run."""
    cpu_seconds: float | None
    """None: the step ran before CPU time was recorded."""


class RenditionWeight(BaseModel):
    film: str
    name: str
    height: int
    """0: the audio-only rendition (named ``audio-only``, a name no rung can have)."""
    bytes: int
    bytes_per_minute: int
    """What a viewer downloads per minute watched at this rendition."""


class Footprint(BaseModel):
    steps: list[StepCost]
    cpu_seconds: float
    """The steps' CPU time added up (steps without a record left out)."""
    energy_wh: float
    watts_per_busy_core: float
    assumption: str
    renditions: list[RenditionWeight]


def watts_per_busy_core() -> float:
    text = os.environ.get("CAPTURE_WATTS_PER_CORE", "")
    try:
        watts = float(text)
    except ValueError:
        return WATTS_PER_BUSY_CORE
    return watts if 0 < watts < 1000 else WATTS_PER_BUSY_CORE


def rendition_weights(loaded: LoadedSession) -> list[RenditionWeight]:
    """Each film's web renditions as its render report lists them."""
    weights = []
    for film in FILMS:
        path = loaded.folder.render_report(film)
        try:
            report = load_render_report(path)
        except (OSError, ValueError):
            continue  # not rendered (or unreadable: status says so elsewhere)
        seconds = report.duration_s
        made = [(r.name, r.height, r.bytes) for r in report.web]
        if report.listening:
            made.append(("audio-only", 0, report.listening.bytes))
        for name, height, size in made:
            per_minute = bytes_per_minute(size, seconds) if seconds > 0 else 0
            weights.append(RenditionWeight(film=film, name=name, height=height, bytes=size,
                                           bytes_per_minute=per_minute))  # fmt: skip
    return weights


def session_footprint(loaded: LoadedSession) -> Footprint:
    state = load_run_state(loaded.folder)
    steps = [
        StepCost(name=name, seconds=record.seconds, cpu_seconds=record.cpu_seconds)
        for name, record in sorted(state.steps.items(), key=lambda item: item[1].started_at)
        if record.state == StepState.DONE
    ]
    cpu = sum(step.cpu_seconds or 0.0 for step in steps)
    watts = watts_per_busy_core()
    return Footprint(
        steps=steps,
        cpu_seconds=round(cpu, 1),
        energy_wh=round(cpu * watts / 3600, 2),
        watts_per_busy_core=watts,
        assumption=ASSUMPTION.format(watts=f"{watts:g}"),
        renditions=rendition_weights(loaded),
    )
