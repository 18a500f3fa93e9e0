"""Two-pass EBU R128 loudness (loudnorm), with pass two checked to be linear, and the
rendered file measured afterwards (ebur128)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ToolFailedError
from pipeline.core.presets import Loudness
from pipeline.core.runner import Arg, FilterGraph, run_ffmpeg


@dataclass(frozen=True)
class Measured:
    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float
    threshold: float
    offset: float


def _loudnorm_json(stderr: str) -> dict:
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr, re.DOTALL)
    if not match:
        raise ToolFailedError(["ffmpeg", "loudnorm"], 0, "loudnorm printed no measurement")
    return json.loads(match.group(0))


def measure_pass(inputs: list[Arg], graph: str, audio_label: str, target: Loudness) -> Measured:
    """Pass one: the loudness of the assembled sound (an audio-only assembly), nothing
    written."""
    run = run_ffmpeg(
        [*inputs,
         FilterGraph(f"{graph};{audio_label}loudnorm=I={target.integrated_lufs}:"
                     f"TP={target.true_peak_dbtp}:LRA={target.loudness_range_lu}:"
                     "print_format=json[measured]"),
         "-map", "[measured]", "-loglevel", "info", "-f", "null", "-"],
        label="measuring loudness",
    )  # fmt: skip
    data = _loudnorm_json(run.stderr_tail)
    return Measured(
        float(data["input_i"]),
        float(data["input_tp"]),
        float(data["input_lra"]),
        float(data["input_thresh"]),
        float(data["target_offset"]),
    )


PEAK_MARGIN_DB = 0.3


def second_pass_filter(measured: Measured, target: Loudness, sample_rate: int) -> str:
    """Pass two: one linear gain to the target. loudnorm falls back to dynamic compression
    when that gain would push the true peak over the limit; instead, the few peaks that
    would are first brought down by a true-peak limiter, so the gain can stay linear.
    (loudnorm works at 192 kHz: the sound goes back to 48 kHz after it.)"""
    gain = target.integrated_lufs - measured.integrated_lufs
    peak = measured.true_peak_dbtp
    chain = ""
    if peak + gain > target.true_peak_dbtp - PEAK_MARGIN_DB:
        peak = target.true_peak_dbtp - PEAK_MARGIN_DB - gain
        limit = 10 ** (peak / 20)
        chain = f"alimiter=limit={limit:.6f}:level=false:attack=1:release=50:asc=true,"
    return chain + (
        f"loudnorm=I={target.integrated_lufs}:TP={target.true_peak_dbtp}:"
        f"LRA={max(target.loudness_range_lu, measured.loudness_range_lu + 1):.1f}:"
        f"measured_I={measured.integrated_lufs}:measured_TP={peak:.2f}:"
        f"measured_LRA={measured.loudness_range_lu}:measured_thresh={measured.threshold}:"
        f"offset={measured.offset}:linear=true:print_format=json,aresample={sample_rate}"
    )


def normalization_type(stderr: str) -> str:
    """'linear' or 'dynamic', as loudnorm reported it in pass two."""
    return str(_loudnorm_json(stderr).get("normalization_type", "unknown"))


@dataclass(frozen=True)
class FileLoudness:
    integrated_lufs: float
    true_peak_dbtp: float


def measure_file(path: Path) -> FileLoudness:
    """The rendered file's integrated loudness and true peak (ebur128 summary)."""
    run = run_ffmpeg(
        ["-i", path, "-map", "0:a:0", "-af", "ebur128=peak=true", "-loglevel", "info",
         "-f", "null", "-"],
        label="checking loudness",
    )  # fmt: skip
    summary = run.stderr_tail.split("Summary:")[-1]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise ToolFailedError(["ffmpeg", "ebur128"], 0, "ebur128 printed no summary")
    return FileLoudness(float(integrated.group(1)), float(peak.group(1)))
