"""Encoder settings chosen by measurement (``make bench-long``, not part of ``make bench``):
bitrate, quality and speed of x264's presets and of SVT-AV1 on debate-like picture, at the
top rung's size (1080p, 25 fps).

No footage of a real debate ships with capture, so the three scenes are made by ffmpeg and
stand for what a Rencontre films (each 8 s, kept lossless under bench/.cache/encoders/):

* ``wide``: the static wide shot of the room: a still, detailed picture with the camera's
  sensor noise (grain changing every frame) and two people moving a little;
* ``speaker``: the camera following a speaker: fine detail moving everywhere (a slow zoom);
* ``slides``: the projected slides: flat colour and text, a new slide every 2 s.

Each setting encodes each scene once (both cores, as in a render); quality is measured
against the lossless source with ffmpeg's ``ssim`` and ``psnr``; speed in frames per
second and × real time includes decoding the lossless source (the same for every row).
x264 rows use the 1080p rung's capped CRF (crf 21, maxrate 4.8 Mb/s) as ``capture render``
does; SVT-AV1 rows capped CRF too (SVT-AV1's ``mbr``), at the rung's cap and at half of it.
"""

from __future__ import annotations

import re
import resource
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.core.presets import load_preset

ON_REQUEST = True
CACHE = Path(__file__).resolve().parent / ".cache" / "encoders"
SECONDS = 8
FPS = 25
SIZE = "1920x1080"
FF = ["ffmpeg", "-v", "error", "-y", "-nostdin"]

SCENES = {
    # a still room (one fractal frame), sensor grain, two "people" shifting a little
    "wide": (
        f"mandelbrot=size={SIZE}:rate={FPS}:start_scale=0.6,trim=end_frame=1,loop=-1:1,"
        f"setpts=N/{FPS}/TB,noise=alls=6:allf=t,"
        "drawbox=x='700+20*sin(t*1.3)':y=560:w=120:h=300:color=0x8a5a44:t=fill,"
        "drawbox=x='1180+12*sin(t*0.7)':y=540:w=110:h=320:color=0x35506b:t=fill"
    ),
    # the camera following: detail moving everywhere, slowly
    "speaker": (
        f"mandelbrot=size={SIZE}:rate={FPS}:start_scale=1.2:end_scale=0.9,noise=alls=4:allf=t"
    ),
    # slides: a flat ground, a title and lines of text, a new slide every 2 s
    "slides": (
        f"color=c=0xf4f1ea:size={SIZE}:rate={FPS},"
        "drawtext=text='Diapositive %{eif\\:floor(t/2)+1\\:d}':x=120:y=120:fontsize=90:"
        "fontcolor=0x1d3557,"
        "drawtext=text='La mobilité du quotidien %{eif\\:floor(t/2)*7\\:d} km':x=120:y=360:"
        "fontsize=56:fontcolor=0x333333,"
        "drawtext=text='Habitat, emploi et services %{eif\\:floor(t/2)*3\\:d} pour cent':"
        "x=120:y=480:"
        "fontsize=56:fontcolor=0x333333,"
        "drawbox=x=120:y='640+40*floor(t/2)':w=900:h=200:color=0x2a9d8f:t=fill,noise=alls=2:allf=t"
    ),
}


@dataclass(frozen=True)
class Setting:
    encoder: str
    speed: str
    args: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.encoder} {self.speed}"


def _settings() -> list[Setting]:
    rung = next(r for r in load_preset("web").video.rungs if r.name == "1080p")
    capped = ("-crf", str(rung.crf), "-maxrate", f"{rung.maxrate_kbps}k",
              "-bufsize", f"{rung.bufsize_kbps}k")  # fmt: skip
    x264 = [
        Setting("x264", speed, ("-c:v", "libx264", "-preset", speed, *capped, "-g", "50"))
        for speed in ("ultrafast", "veryfast", "faster", "medium", "slow")
    ]
    # SVT-AV1 in capped CRF too (``mbr``: its maximum bit rate), at the rung's cap and at
    # half of it, to read what quality it gives for x264's bytes and for half of them
    av1 = [
        Setting("svt-av1", f"preset {p} crf {crf} max {cap} kb/s",
                ("-c:v", "libsvtav1", "-preset", str(p), "-crf", str(crf),
                 "-svtav1-params", f"mbr={cap}", "-g", "50"))
        for p in (10, 8)
        for crf, cap in ((30, rung.maxrate_kbps), (35, rung.maxrate_kbps // 2))
    ]  # fmt: skip
    return [*x264, *av1]


def _source(scene: str) -> Path:
    path = CACHE / f"{scene}-{SIZE}-{SECONDS}s.mkv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.mkv")
        subprocess.run([*FF, "-f", "lavfi", "-i", SCENES[scene], "-t", str(SECONDS),
                        "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                        "-qp", "0", str(partial)], check=True)  # fmt: skip
        partial.rename(path)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _quality(encoded: Path, source: Path) -> tuple[float, float]:
    graph = "[0:v]split[a][b];[1:v]split[c][d];[a][c]ssim;[b][d]psnr"
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", str(encoded), "-i", str(source),
                          "-lavfi", graph, "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr  # fmt: skip
    ssim = float(re.search(r"SSIM .*All:([0-9.]+)", out).group(1))
    psnr = float(re.search(r"PSNR .*average:([0-9.inf]+)", out).group(1))
    return ssim, psnr


def _measure(setting: Setting, scene: str, source: Path, folder: Path) -> dict[str, object]:
    encoded = folder / f"{scene}-{re.sub(r'[^0-9A-Za-z]+', '-', setting.label)}.mp4"
    cpu, started = _children_cpu(), time.monotonic()
    subprocess.run([*FF, "-i", str(source), *setting.args, "-an", str(encoded)], check=True)
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu
    ssim, psnr = _quality(encoded, source)
    return {
        "scene": scene,
        "setting": setting.label,
        "kbps": round(encoded.stat().st_size * 8 / 1000 / SECONDS),
        "ssim": round(ssim, 4),
        "psnr_db": round(psnr, 2),
        "fps": round(SECONDS * FPS / wall, 1),
        "x_real_time": round(SECONDS / wall, 2),
        "cpu_s_per_minute": round(cpu * 60 / SECONDS, 1),
    }


def _summary(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each setting over the three scenes: mean bitrate, SSIM, PSNR and speed."""
    summary = []
    for label in dict.fromkeys(str(r["setting"]) for r in rows):
        mine = [r for r in rows if r["setting"] == label]

        def mean(key: str, rows: list[dict[str, object]] = mine) -> float:
            return sum(float(r[key]) for r in rows) / len(rows)

        summary.append({"setting": label, "kbps": round(mean("kbps")),
                        "ssim": round(mean("ssim"), 4), "psnr_db": round(mean("psnr_db"), 2),
                        "x_real_time": round(mean("x_real_time"), 2),
                        "cpu_s_per_minute": round(mean("cpu_s_per_minute"), 1)})  # fmt: skip
    return summary


def markdown(summary: list[dict[str, object]]) -> str:
    """The table as docs/ shows it."""
    lines = ["| setting | kb/s | SSIM | PSNR (dB) | × real time | CPU-s per minute |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    lines += [f"| {r['setting']} | {r['kbps']} | {r['ssim']} | {r['psnr_db']} | "
              f"{r['x_real_time']} | {r['cpu_s_per_minute']} |" for r in summary]  # fmt: skip
    return "\n".join(lines)


def run() -> dict[str, object]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for scene in SCENES:
            source = _source(scene)
            for setting in _settings():
                rows.append(_measure(setting, scene, source, Path(folder)))
    summary = _summary(rows)
    print(markdown(summary))
    return {
        "picture": f"{SIZE} {FPS} fps, {SECONDS} s per scene, scenes: {', '.join(SCENES)}",
        "settings": [asdict(s) | {"label": s.label} for s in _settings()],
        "summary": summary,
        "rows": rows,
    }
