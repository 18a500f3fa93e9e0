"""Sync at real length (``make bench-long``, not part of ``make bench``): a 2-hour Rencontre
filmed by two cameras and a sound recorder whose clock drifts, placed by their sound alone.

The recordings (``evening.py``): the real French speech set laid out as a debate (16.5
minutes, looped) under a room noise that never repeats, with applause. The recorder starts
first (session 0) and stops at 2:00:00, its clock +104 ppm fast (0.75 s over the evening);
camera A starts at 3.2 s, camera B at 10 min 11.37 s and runs 30 s past the recorder's end,
each at 640×360 with its own microphone hiss.

``capture ingest`` and ``capture sync`` then run as the videographer runs them, with no
manual offset: the figures are each camera's error against the truth (the issue's bound:
40 ms), the recorder's measured drift, sync's wall time and the peak memory of this
process (the sync runs in it). Media are made once and cached under bench/.cache/sync-long/.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import evening

ON_REQUEST = True
CACHE = Path(__file__).resolve().parent / ".cache" / "sync-long"
SECONDS = 7200.0
CAMERAS = {"A": (3.2, SECONDS), "B": (611.37, SECONDS + 30.0)}
"""Each camera's start and end on the session clock (true time)."""


def run() -> dict[str, object]:
    from pipeline.ingest.run import ingest_declared
    from pipeline.session import load_session
    from pipeline.sync.run import run_sync

    room = evening.room(CACHE, max(end for _, end in CAMERAS.values()) + 10)
    moving = evening.picture(CACHE, "640x360", SECONDS + 60)
    cards = {
        name: evening.camera(CACHE / "cards" / f"cam-{name}", room, moving, start, end, seed)
        for seed, (name, (start, end)) in enumerate(CAMERAS.items(), start=21)
    }
    cards["recorder"] = evening.recorder(CACHE / "cards" / "recorder", room, SECONDS)
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:  # the media copy: same disk
        loaded = load_session(evening.session_folder(Path(folder), "soiree-longue", cards))
        started = time.monotonic()
        ingest_declared(loaded)
        ingest_s = time.monotonic() - started
        started = time.monotonic()
        result = run_sync(load_session(loaded.root))
        sync_s = time.monotonic() - started
    placed = {p.camera: p for p in result.placements}
    figures: dict[str, object] = {
        "session_seconds": SECONDS,
        "ingest_s": round(ingest_s, 1),
        "sync_s": round(sync_s, 1),
        "sync_x_real_time": round(SECONDS / sync_s, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "recorder_drift_true_ppm": round(evening.DRIFT_PPM, 2),
    }
    for camera, (start, _) in CAMERAS.items():
        found = placed.get(camera)
        figures[f"camera_{camera}"] = {
            "true_offset_s": start,
            "found_offset_s": None if found is None else found.offset_s,
            "error_ms": None if found is None or found.offset_s is None
            else round((found.offset_s - start) * 1000, 1),
            "method": None if found is None else found.method,
            "confidence": None if found is None else found.offset_confidence,
            "drift_ppm": None if found is None else found.drift_ppm,
        }  # fmt: skip
    recorder = placed.get("recorder")
    figures["recorder_drift_found_ppm"] = None if recorder is None else recorder.drift_ppm
    figures["problems"] = [f"{p.camera}: {problem}" for p in result.placements
                           for problem in p.problems]  # fmt: skip
    return figures
