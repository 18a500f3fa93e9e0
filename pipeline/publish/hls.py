"""HLS from the MP4 renditions, by stream copy: fMP4 segments of about ``segment_seconds``
(a whole number of GOPs, so each starts on an IDR), one media playlist per rung, and a
master playlist listing every rung with its peak and average bandwidth (measured from the
segments), resolution, codecs and frame rate.

ffmpeg's HLS muxer reads ``%`` in segment names as a pattern, so segments are written into
a filter-safe temporary folder and moved into the site afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.fsutil import FOLDER_MODE, atomic_write_text
from pipeline.core.runner import run_ffmpeg
from pipeline.core.tempfiles import filter_safe_tempdir


@dataclass(frozen=True)
class Variant:
    playlist: str
    """Relative to the master playlist."""
    width: int
    height: int
    codecs: str
    frame_rate: float
    peak_bps: int
    average_bps: int


def avc_codec_string(profile: str, level: str) -> str:
    """RFC 6381 ``avc1.PPCCLL`` for an H.264 profile and level ("high", "4.1" → 640029)."""
    profile_idc = {"baseline": 0x42, "main": 0x4D, "high": 0x64}[profile.lower()]
    constraints = 0xC0 if profile.lower() == "baseline" else 0x00
    level_idc = round(float(level) * 10)
    return f"avc1.{profile_idc:02x}{constraints:02x}{level_idc:02x}"


def av1_codec_string(profile: str | None, level: int | None, bit_depth: int | None) -> str:
    """RFC 6381 ``av01.P.LLT.DD`` (AV1 codecs parameter string) for an AV1 stream as ffprobe
    describes it: profile "Main", seq_level_idx 8, 8 bits → av01.0.08M.08; the Main tier,
    which SVT-AV1 writes; a level ffprobe does not know (-99) as 31, "no level"."""
    number = {"main": 0, "high": 1, "professional": 2}.get((profile or "main").lower(), 0)
    known = level if level is not None and 0 <= level <= 31 else 31
    return f"av01.{number}.{known:02d}M.{bit_depth or 8:02d}"


def _segments(playlist: Path) -> list[tuple[float, str]]:
    text = playlist.read_text(encoding="utf-8")
    return [(float(d), name) for d, name in re.findall(r"#EXTINF:([\d.]+),\s*\n(\S+)", text)]


def segment_rendition(
    rendition: Path, folder: Path, segment_seconds: float
) -> tuple[Path, int, int]:
    """``folder/index.m3u8`` with ``init.mp4`` and ``seg-NNNNN.m4s``; returns the playlist
    and the peak and average bit rates of its segments."""
    with filter_safe_tempdir("capture-hls-") as work:
        run_ffmpeg(
            ["-i", rendition, "-map", "0", "-c", "copy", "-f", "hls",
             "-hls_time", f"{segment_seconds}", "-hls_playlist_type", "vod",
             "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
             "-hls_segment_filename", str(work / "seg-%05d.m4s"),
             "-hls_flags", "independent_segments", str(work / "index.m3u8")],
            label=f"segmenting {rendition.name} for HLS",
        )  # fmt: skip
        staged = folder.with_name(f".{folder.name}.staging")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(work, staged)
        os.chmod(staged, FOLDER_MODE)  # not the temporary folder's 0700
    rates = []
    for seconds, name in _segments(staged / "index.m3u8"):
        rates.append((staged / name).stat().st_size * 8 / max(seconds, 1e-3))
    shutil.rmtree(folder, ignore_errors=True)
    staged.rename(folder)
    total = sum((folder / n).stat().st_size for _, n in _segments(folder / "index.m3u8")) * 8
    duration = sum(s for s, _ in _segments(folder / "index.m3u8"))
    return folder / "index.m3u8", round(max(rates, default=0)), round(total / max(duration, 1e-3))


def write_master(path: Path, variants: list[Variant]) -> None:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in sorted(variants, key=lambda v: -v.peak_bps):
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={v.peak_bps},AVERAGE-BANDWIDTH={v.average_bps},"
            f'RESOLUTION={v.width}x{v.height},CODECS="{v.codecs}",FRAME-RATE={v.frame_rate:.3f}'
        )
        lines.append(v.playlist)
    atomic_write_text(path, "\n".join(lines) + "\n")
