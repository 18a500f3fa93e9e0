"""The web ladder (presets/web.yaml): one ffmpeg process decodes the master once, splits the
picture and encodes every rung, each an H.264 High MP4 with ``moov`` first, a closed GOP and
an IDR exactly every ``gop_seconds`` at the same times in every rung (so players and HLS can
switch between them), capped CRF (quality-driven, never above the rung's maxrate). The sound
of the master (AAC-LC 48 kHz, already at the preset's loudness) is copied.

Rungs above the master's height are skipped (never upscale); a master smaller than every rung
gets one rung at its own height, at the smallest rung's rate scaled by area.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.presets import LADDER_SPEED, Preset, Rung
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import Arg, OutputFile, run_ffmpeg


@dataclass(frozen=True)
class PlannedRung:
    name: str
    width: int
    height: int
    bitrate_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    crf: int


def _width(height: int, source_width: int, source_height: int) -> int:
    width = round(source_width * height / source_height)
    return width + width % 2


def plan_ladder(preset: Preset, source_width: int, source_height: int) -> list[PlannedRung]:
    rungs = [r for r in preset.video.rungs if r.height <= source_height]
    if not rungs:
        smallest: Rung = min(preset.video.rungs, key=lambda r: r.height)
        share = (source_height / smallest.height) ** 2
        return [
            PlannedRung(
                f"{source_height}p", source_width, source_height,
                max(100, round(smallest.bitrate_kbps * share)),
                max(100, round(smallest.maxrate_kbps * share)),
                max(100, round(smallest.bufsize_kbps * share)), smallest.crf,
            )
        ]  # fmt: skip
    return [
        PlannedRung(r.name, _width(r.height, source_width, source_height), r.height,
                    r.bitrate_kbps, r.maxrate_kbps, r.bufsize_kbps, r.crf)
        for r in sorted(rungs, key=lambda r: -r.height)
    ]  # fmt: skip


def ladder_args(
    master: Path, rungs: list[PlannedRung], outputs: list[Path], preset: Preset
) -> list[Arg]:
    """One ffmpeg command: the master decoded once, one encoder per rung."""
    video = preset.video
    gop = round(video.gop_seconds * video.frame_rate)
    labels = [f"[r{i}]" for i in range(len(rungs))]
    chains = [f"[0:v:0]split={len(rungs)}{''.join(labels)}"] if len(rungs) > 1 else []
    if len(rungs) == 1:
        labels = ["[0:v:0]"]
    for index, rung in enumerate(rungs):
        chains.append(
            f"{labels[index]}scale={rung.width}:{rung.height}:flags=lanczos,setsar=1,"
            f"format=yuv420p[out{index}]"
        )
    args: list[Arg] = ["-i", master, "-filter_complex", ";".join(chains)]
    for index, (rung, output) in enumerate(zip(rungs, outputs, strict=True)):
        args += [
            "-map", f"[out{index}]", "-map", "0:a:0?",
            "-c:v", video.codec, "-profile:v", video.profile, "-level:v", video.level,
            "-pix_fmt", video.pix_fmt, "-r", str(video.frame_rate), "-preset", LADDER_SPEED,
            "-crf", str(rung.crf), "-maxrate", f"{rung.maxrate_kbps}k",
            "-bufsize", f"{rung.bufsize_kbps}k",
            # a closed GOP with an IDR at exactly every gop_seconds, in every rung
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-force_key_frames", f"expr:gte(t,n_forced*{video.gop_seconds})",
            "-x264-params", "open-gop=0",
            "-c:a", "copy", "-movflags", "+faststart", OutputFile(output),
        ]  # fmt: skip
    return args


def encode_ladder(
    master: Path,
    rungs: list[PlannedRung],
    outputs: list[Path],
    preset: Preset,
    duration_s: float,
    progress: ProgressReporter | None = None,
) -> None:
    run_ffmpeg(
        ladder_args(master, rungs, outputs, preset),
        duration=duration_s,
        progress=progress,
        label=f"encoding {len(rungs)} web rendition(s) of {master.name}",
    )
