"""The web ladder (1080p, 720p, 360p) from one 1080p camera file, in one graph as
``capture render`` makes it for a film that must be re-encoded (the master is the 1080p
rendition itself), against the same graph as one bare ffmpeg command, against the same
graph with a master encoded beside the rungs (the way before) and against the way before
that (the master encoded, then decoded again for the ladder); and the published bytes per
minute of video (fragmented renditions and their byte-range HLS playlists).

* capture_over_one_bare_command: the cost of capture's runner and checks (target ≤ 1.1);
* over_separate_master: what making the master the top rung saves;
* over_master_then_ladder: what decoding once and encoding once saves.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from pipeline.core.presets import MASTER, load_preset
from pipeline.core.runner import FilterGraph, OutputFile, run_ffmpeg
from pipeline.publish.hls import byte_range_playlist, fragment_rendition
from pipeline.render.ladder import ladder_outputs, plan_ladder

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
    plain = []
    for arg in args:
        if isinstance(arg, FilterGraph):
            plain += ["-filter_complex", arg.text]
        else:
            plain.append(str(arg.path) if isinstance(arg, OutputFile) else str(arg))
    return plain


def _graph(source: Path, rungs, outputs: list[Path], preset, master: Path | None) -> list:
    """Arguments that decode ``source`` once and encode every rung, the audio-only
    rendition (and the master) from the same graph, as ``capture render`` does."""
    listening = outputs[0].with_name(f"{outputs[0].stem}-audio.m4a")
    split = ladder_outputs(
        "[0:v:0]",
        "[0:a:0]",
        rungs,
        outputs,
        preset,
        with_master=bool(master),
        film_fps=25,
        listening=listening,
    )
    keep = []
    if master is not None:
        keep = ["-map", split.master_video, "-map", split.master_audio, "-c:v", "libx264",
                *MASTER.args(), "-c:a", "aac", OutputFile(master)]  # fmt: skip
    return ["-i", source, FilterGraph(";".join(split.chains)), *keep, *split.args]


def run() -> dict[str, object]:
    camera = _master()
    preset = load_preset("web")
    rungs = plan_ladder(preset, 1920, 1080)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        outputs = [work / f"capture-{r.name}.mp4" for r in rungs]
        args = _graph(camera, rungs, outputs, preset, None)
        capture_s = _timed(lambda: run_ffmpeg(args, label="ladder, the master its top rung"))
        bare = [work / f"bare-{r.name}.mp4" for r in rungs]
        bare_args = [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *_plain(_graph(camera, rungs, bare, preset, None)),
        ]
        bare_s = _timed(lambda: subprocess.run(bare_args, check=True))
        beside = [work / f"beside-{r.name}.mp4" for r in rungs]
        beside_args = _graph(camera, rungs, beside, preset, work / "beside-master.mp4")
        beside_s = _timed(lambda: run_ffmpeg(beside_args, label="master and ladder"))
        # the former way: the master encoded, then decoded again for the ladder
        again = [work / f"again-{r.name}.mp4" for r in rungs]
        again_master = work / "again-master.mp4"
        master_only = ["ffmpeg", "-v", "error", "-y", "-i", str(camera), "-c:v", "libx264",
                       *MASTER.args(), "-c:a", "aac", str(again_master)]  # fmt: skip
        twice_s = _timed(lambda: subprocess.run(master_only, check=True))
        ladder_only = [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *_plain(_graph(again_master, rungs, again, preset, None)),
        ]
        twice_s += _timed(lambda: subprocess.run(ladder_only, check=True))
        for rung, output in zip(rungs, outputs, strict=True):  # as publish puts them in a site
            fragmented = work / "site" / f"{rung.name}.mp4"
            fragment_rendition(output, fragmented, 6.0)
            byte_range_playlist(fragmented, work / "site" / f"{rung.name}.m3u8")
        published = sum(p.stat().st_size for p in (work / "site").iterdir())
        rungs_bytes = sum(p.stat().st_size for p in outputs)
    return {
        "camera": f"1920x1080 25 fps, {SECONDS} s",
        "rungs": [r.name for r in rungs],
        "capture_ladder_with_master_as_top_rung_s": round(capture_s, 2),
        "one_bare_command_s": round(bare_s, 2),
        "separate_master_beside_ladder_s": round(beside_s, 2),
        "master_then_ladder_s": round(twice_s, 2),
        "capture_over_one_bare_command": round(capture_s / bare_s, 3),
        "over_separate_master": round(capture_s / beside_s, 3),
        "over_master_then_ladder": round(capture_s / twice_s, 3),
        "x_real_time": round(SECONDS / capture_s, 2),
        "published_mb_per_minute": round(published / 1e6 / (SECONDS / 60), 1),
        "published_over_mp4_rungs": round(published / rungs_bytes, 4),
    }
