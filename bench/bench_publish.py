"""Publishing: the web ladder (1080p, 720p, 360p from a 1080p master) encoded by capture, by
the same ladder as one bare ffmpeg command, and by three separate ffmpeg runs; and the
published bytes per minute of video (renditions and their HLS copies).

* capture_over_one_bare_command: the cost of capture's runner and checks (target ≤ 1.1);
* capture_over_three_runs: what decoding the master once saves.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from pipeline.core.presets import load_preset
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.publish.hls import segment_rendition
from pipeline.publish.renditions import ladder_args, plan_ladder

CACHE = Path(__file__).resolve().parent / ".cache" / "publish"
SECONDS = 30


def _master() -> Path:
    path = CACHE / f"master-1080p-{SECONDS}s.mp4"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={SECONDS}",
             "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "128k", str(path)],
            check=True,
        )  # fmt: skip
    return path


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _plain(args: list) -> list[str]:
    """capture's arguments as a bare command line (outputs and inputs as plain paths)."""
    return [str(a.path) if isinstance(a, OutputFile) else str(a) for a in args]


def run() -> dict[str, object]:
    master = _master()
    preset = load_preset("web")
    rungs = plan_ladder(preset, 1920, 1080)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        outputs = [work / f"capture-{r.name}.mp4" for r in rungs]
        args = ladder_args(master, rungs, outputs, preset)
        capture_s = _timed(lambda: run_ffmpeg(args, label="ladder"))
        bare = [work / f"bare-{r.name}.mp4" for r in rungs]
        bare_args = [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *_plain(ladder_args(master, rungs, bare, preset)),
        ]
        bare_s = _timed(lambda: subprocess.run(bare_args, check=True))
        separate_s = 0.0
        for rung in rungs:
            one = [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                *_plain(ladder_args(master, [rung], [work / f"one-{rung.name}.mp4"], preset)),
            ]
            separate_s += _timed(lambda one=one: subprocess.run(one, check=True))
        published = sum(p.stat().st_size for p in outputs)
        for rung, output in zip(rungs, outputs, strict=True):
            playlist, _, _ = segment_rendition(output, work / "hls" / rung.name, 6.0)
            published += sum(p.stat().st_size for p in playlist.parent.iterdir())
    return {
        "master": f"1920x1080 25 fps, {SECONDS} s",
        "rungs": [r.name for r in rungs],
        "capture_ladder_s": round(capture_s, 2),
        "one_bare_command_s": round(bare_s, 2),
        "three_separate_runs_s": round(separate_s, 2),
        "capture_over_one_bare_command": round(capture_s / bare_s, 3),
        "capture_over_three_runs": round(capture_s / separate_s, 3),
        "ladder_x_real_time": round(SECONDS / capture_s, 2),
        "published_mb_per_minute": round(published / 1e6 / (SECONDS / 60), 1),
    }
