"""Foundation overheads: the ffmpeg runner and the prober against bare ffmpeg/ffprobe."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.core.probe import probe
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.samples.generate import generate_sample

REPEATS = 5
ENCODE = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]


def _median_seconds(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "source.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
             "testsrc2=size=640x360:rate=25:duration=20", "-f", "lavfi", "-i",
             "sine=duration=20:sample_rate=48000", *ENCODE, str(source)],
            check=True,
        )  # fmt: skip
        bare_out, our_out = work / "bare.mp4", work / "ours.mp4"

        def bare_encode() -> None:
            subprocess.run(
                ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(source), *ENCODE,
                 str(bare_out)],
                check=True,
            )  # fmt: skip

        def runner_encode() -> None:
            run_ffmpeg(["-i", source, *ENCODE, OutputFile(our_out)], duration=20.0)

        bare_encode()  # warm the page cache for both
        bare = _median_seconds(bare_encode)
        ours = _median_seconds(runner_encode)

        def bare_probe() -> None:
            subprocess.run(
                ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams",
                 str(source)],
                check=True, capture_output=True,
            )  # fmt: skip

        probe_bare = _median_seconds(bare_probe, 15)
        probe_plain = _median_seconds(lambda: probe(source, check_vfr=False), 15)
        probe_vfr = _median_seconds(lambda: probe(source), 15)

        sample_dir = work / "sample"
        started = time.perf_counter()
        result = generate_sample(sample_dir, tiny=True)
        sample_seconds = time.perf_counter() - started
    return {
        "encode_20s_bare_ffmpeg_s": round(bare, 3),
        "encode_20s_runner_s": round(ours, 3),
        "runner_over_bare_ffmpeg_ratio": round(ours / bare, 3),
        "probe_bare_ffprobe_s": round(probe_bare, 4),
        "probe_s": round(probe_plain, 4),
        "probe_over_bare_ffprobe_ratio": round(probe_plain / probe_bare, 3),
        "probe_with_vfr_scan_over_bare_ffprobe_ratio": round(probe_vfr / probe_bare, 3),
        "tiny_sample_generation_s": round(sample_seconds, 2),
        "tiny_sample_generation_over_realtime_ratio": round(
            sample_seconds / result.truth.session_duration, 3
        ),
    }
