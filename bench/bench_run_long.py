"""A Rencontre through ``capture run --site`` at 1080p (``make bench-long``, not part of
``make bench``): 15 minutes, two cameras and a drifting recorder (``evening.py``: real
French speech under room noise), a title card (so the full version is re-encoded) and a
three-clip highlights film, every step as the videographer runs it.

Against its references, measured in the same run on the same files: the bare faster-whisper
engine on the recorder's sound (the model loaded once, as capture does), and for each film
one bare ffmpeg command that decodes its cut sources once and encodes the same rungs with
the same settings (``rung_encode_args``), without the title card, cuts between cameras or
loudness. The issue's bound: ``capture run`` within 1.2× the sum. Per step: wall time and
CPU time (as ``capture status`` reports them), and the peak memory of the whole run.
"""

from __future__ import annotations

import resource
import subprocess
import tempfile
import time
from pathlib import Path

import evening

from pipeline.core.cputime import cpu_seconds

ON_REQUEST = True
CACHE = Path(__file__).resolve().parent / ".cache" / "run-long"
SECONDS = 900.0
SIZE = "1920x1080"
CAMERAS = {"A": (3.2, SECONDS + 10), "B": (41.37, SECONDS + 20)}
FULL = (10.0, SECONDS - 5)
"""The full version's one clip (session seconds), on camera A."""
HIGHLIGHTS = [(60.0, 95.0, "B"), (300.0, 340.0, "A"), (600.0, 625.0, "B")]


def _bare_whisper(recorder: Path) -> tuple[float, float]:
    from pipeline.transcription.quality import BareEngine
    from pipeline.transcription.run import resolve_model

    engine = BareEngine(resolve_model("base"))
    cpu, started = cpu_seconds(), time.monotonic()
    engine.segments(recorder, "fr")
    return time.monotonic() - started, cpu_seconds() - cpu


def _bare_ladder(cards: dict[str, Path], work: Path) -> tuple[float, float]:
    """Each film's cut sources decoded once, the picture split to the same rungs as capture
    render's, encoded with the same arguments, the recorder's sound beside (the camera
    files' own times: a camera's session second minus its start)."""
    from pipeline.core.presets import load_preset
    from pipeline.render.ladder import ladder_outputs, plan_ladder

    preset = load_preset("web")
    rungs = plan_ladder(preset, 1920, 1080)
    recorder = cards["recorder"] / "ZOOM0001.WAV"
    clips = [(FULL[0], FULL[1], "A"), *HIGHLIGHTS]
    films = {"full": clips[:1], "highlights": clips[1:]}
    cpu, started = cpu_seconds(), time.monotonic()
    for name, cut in films.items():
        inputs, parts = [], []
        for index, (start, end, camera) in enumerate(cut):
            offset = CAMERAS[camera][0]
            length = f"{end - start:.3f}"
            inputs += ["-ss", f"{start - offset:.3f}", "-t", length,
                       "-i", str(cards[camera] / "C0001.MP4"),
                       "-ss", f"{start:.3f}", "-t", length, "-i", str(recorder)]  # fmt: skip
            parts.append(f"[{2 * index}:v:0][{2 * index + 1}:a:0]")
        graph = f"{''.join(parts)}concat=n={len(cut)}:v=1:a=1[v][a]"
        outputs = [work / f"bare-{name}-{rung.name}.mp4" for rung in rungs]
        split = ladder_outputs("[v]", "[a]", rungs, outputs, preset, with_master=False,
                               film_fps=25, listening=work / f"bare-{name}-audio.m4a")  # fmt: skip
        argv = ["ffmpeg", "-v", "error", "-y", "-nostdin", *inputs,
                "-filter_complex", ";".join([graph, *split.chains])]  # fmt: skip
        argv += [str(a.path) if hasattr(a, "path") else str(a) for a in split.args]
        subprocess.run(argv, check=True)
    return time.monotonic() - started, cpu_seconds() - cpu


def run() -> dict[str, object]:
    from pipeline.orchestrate.footprint import session_footprint
    from pipeline.orchestrate.run import run_session
    from pipeline.session import load_session

    room = evening.room(CACHE, max(end for _, end in CAMERAS.values()) + 10)
    moving = evening.picture(CACHE, SIZE, max(end for _, end in CAMERAS.values()) + 60)
    cards = {
        name: evening.camera(CACHE / "cards" / f"cam-{name}", room, moving, start, end, seed)
        for seed, (name, (start, end)) in enumerate(CAMERAS.items(), start=31)
    }
    cards["recorder"] = evening.recorder(CACHE / "cards" / "recorder", room, SECONDS)
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:  # film-sized files: same disk
        work = Path(folder)
        session = evening.session_folder(work, "soiree-1080p", cards)
        evening.cue_lists(session, FULL, HIGHLIGHTS)
        cpu, started = cpu_seconds(), time.monotonic()
        report = run_session(load_session(session), site=work / "site")
        run_s, run_cpu = time.monotonic() - started, cpu_seconds() - cpu
        if report.failed is not None:
            raise RuntimeError(f"{report.failed.name} failed: {report.failed.reason}")
        footprint = session_footprint(load_session(session))
        peak_mb = max(resource.getrusage(who).ru_maxrss for who in
                      (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024  # fmt: skip
        whisper_s, whisper_cpu = _bare_whisper(cards["recorder"] / "ZOOM0001.WAV")
        ladder_s, ladder_cpu = _bare_ladder(cards, work)
        site_bytes = sum(p.stat().st_size for p in (work / "site").rglob("*") if p.is_file())
    references = whisper_s + ladder_s
    return {
        "session": f"{SECONDS:g} s, {SIZE} 25 fps, cameras A and B, recorder "
        f"{evening.DRIFT_PPM:+.1f} ppm; full version {FULL[1] - FULL[0]:g} s with a title card, "
        f"highlights {sum(b - a for a, b, _ in HIGHLIGHTS):g} s",
        "capture_run_s": round(run_s, 1),
        "capture_run_cpu_s": round(run_cpu, 1),
        "steps": [step.model_dump() for step in footprint.steps],
        "bare_whisper_s": round(whisper_s, 1),
        "bare_whisper_cpu_s": round(whisper_cpu, 1),
        "bare_ladder_s": round(ladder_s, 1),
        "bare_ladder_cpu_s": round(ladder_cpu, 1),
        "capture_over_references": round(run_s / references, 3),
        "capture_cpu_over_references": round(run_cpu / (whisper_cpu + ladder_cpu), 3),
        "capture_cost_s_per_minute": round(run_s / (SECONDS / 60), 1),
        "peak_memory_mb": round(peak_mb),
        "energy_wh": footprint.energy_wh,
        "renditions": [weight.model_dump() for weight in footprint.renditions],
        "site_mb": round(site_bytes / 1e6, 1),
    }
