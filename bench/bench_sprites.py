"""A film's seek-bar thumbnails, as publish draws them: sheet by sheet (each sheet's ffmpeg
seeks to its span), from the 360p rendition, one after the other (``capture run``) and as
Dask tasks on 2 worker processes (``capture batch``), against one bare ffmpeg pass over the
1080p master (the way before), measured in the same run.

* sheets_over_one_pass: the cost of drawing the sheets apart, on the same master (≈ 1);
* from_360p_over_master: what drawing from the smallest rendition saves (CPU);
* two_workers_speedup: the sheets side by side on 2 workers, against one after the other.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.core.cputime import cpu_seconds
from pipeline.core.jobs import one_after_another
from pipeline.render.sprites import SpriteGrid, draw_sheet, thumbnail_sprite

CACHE = Path(__file__).resolve().parent / ".cache" / "sprites"
SECONDS = 120
GRID = SpriteGrid(SECONDS, 2.0, 160, 90, columns=5, rows=2)
"""Six sheets, as a two-hour film has (100 thumbnails each there, 10 here)."""


def _films() -> tuple[Path, Path]:
    master, small = CACHE / "master-1080p.mp4", CACHE / "rendition-360p.mp4"
    if not small.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={SECONDS}",
             "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p",
             str(master), "-vf", "scale=640:360", "-c:v", "libx264", "-preset", "veryfast",
             "-g", "50", "-pix_fmt", "yuv420p", str(small)],
            check=True,
        )  # fmt: skip
    return master, small


def _measured(action: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds as capture counts a step's (``core/cputime.py``: this
    process and the ffmpegs it waited for)."""
    cpu, started = cpu_seconds(), time.monotonic()
    action()
    return round(time.monotonic() - started, 2), round(cpu_seconds() - cpu, 2)


def run() -> dict[str, object]:
    from distributed import Client, LocalCluster

    master, small = _films()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one_pass = work / "one-pass"
        one_pass.mkdir()
        bare = _measured(lambda: subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(master), "-map", "0:v:0",
             "-vf", f"fps=1/{GRID.interval_s:g},scale=160:90,tile=5x2", "-q:v", "5",
             str(one_pass / "sheet-%03d.jpg")], check=True))  # fmt: skip

        def sheets(film: Path, folder: str) -> None:
            thumbnail_sprite(film, SECONDS, work / folder, "full", spread=one_after_another,
                             grid=GRID)  # fmt: skip

        apart = _measured(lambda: sheets(master, "master"))
        from_small = _measured(lambda: sheets(small, "small"))
        targets = [work / "dask" / f"sheet-{n}.jpg" for n in range(GRID.sheets)]
        (work / "dask").mkdir()
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            warm = [work / "warm-0.jpg", work / "warm-1.jpg"]  # the workers' first imports
            client.gather(client.map(draw_sheet, [small] * 2, [GRID] * 2, [0, 1], warm,
                                     pure=False))  # fmt: skip
            started = time.monotonic()
            client.gather(client.map(draw_sheet, [small] * GRID.sheets, [GRID] * GRID.sheets,
                                     range(GRID.sheets), targets, pure=False))  # fmt: skip
            on_two = round(time.monotonic() - started, 2)
        same = all(
            (work / "master" / f"full.sprite-{n + 1:03d}.jpg").read_bytes()
            == (one_pass / f"sheet-{n + 1:03d}.jpg").read_bytes()
            for n in range(GRID.sheets)
        )
    return {
        "film": f"{SECONDS} s, 1920x1080 25 fps master and its 640x360 rendition; "
        f"{GRID.sheets} sheets of {GRID.per_sheet} thumbnails",
        "bare_one_pass_master_s": bare[0],
        "bare_one_pass_master_cpu_s": bare[1],
        "sheets_master_s": apart[0],
        "sheets_master_cpu_s": apart[1],
        "sheets_360p_s": from_small[0],
        "sheets_360p_cpu_s": from_small[1],
        "sheets_360p_two_workers_s": on_two,
        "sheets_over_one_pass": round(apart[1] / bare[1], 3),
        "from_360p_over_master": round(from_small[1] / apart[1], 3),
        "two_workers_speedup": round(from_small[0] / on_two, 2),
        "sheets_same_bytes_as_one_pass": same,
    }
