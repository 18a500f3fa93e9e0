"""HLS over the published MP4 renditions themselves: each rendition is published as a
fragmented MP4 (stream copy; fragments of about ``segment_seconds``, whole GOPs), and its
media playlist names byte ranges of that file, so the site holds every media byte once.
A master playlist lists every rung with its peak and average bandwidth (measured from the
fragments), resolution, codecs and frame rate.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.publish.fragments import read_fragmented


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


FRAGMENT_FLAGS = "+frag_keyframe+empty_moov+delay_moov+default_base_moof+global_sidx"
"""A fragment at key frames, each fragment's offsets relative to itself (a byte range of it
stands alone, as HLS needs), and an index of the fragments at the start (for seeking in
the plain download and for writing the playlists). ``delay_moov`` writes the ``moov`` once
the first packets are known, so it keeps the edit lists: without them the picture starts
80 ms late (B-frame delay) and the AAC priming is heard, some 100 ms out of sync."""


def fragment_rendition(source: Path, target: Path, segment_seconds: float) -> None:
    """``target``: ``source``'s streams, copied, as a fragmented MP4 whose fragments are
    whole GOPs of about ``segment_seconds`` (each starts on an IDR). Plays as any MP4."""
    run_ffmpeg(
        ["-i", source, "-map", "0", "-c", "copy", "-movflags", FRAGMENT_FLAGS,
         "-min_frag_duration", str(round(segment_seconds * 1e6)), OutputFile(target)],
        label=f"fragmenting {source.name} for HLS",
    )  # fmt: skip


def byte_range_playlist(media: Path, playlist: Path) -> tuple[int, int]:
    """``playlist``: an HLS media playlist whose segments are byte ranges of the fragmented
    MP4 ``media`` (no media bytes of its own); returns the peak and average bit rates of
    its segments."""
    layout = read_fragmented(media)
    uri = quote(os.path.relpath(media, playlist.parent).replace(os.sep, "/"))
    longest = max(f.duration_s for f in layout.fragments)
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{math.ceil(longest)}",
             "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS",
             f'#EXT-X-MAP:URI="{uri}",BYTERANGE="{layout.init_size}@0"']  # fmt: skip
    for fragment in layout.fragments:
        lines += [f"#EXTINF:{fragment.duration_s:.6f},",
                  f"#EXT-X-BYTERANGE:{fragment.size}@{fragment.offset}", uri]  # fmt: skip
    lines.append("#EXT-X-ENDLIST")
    atomic_write_text(playlist, "\n".join(lines) + "\n")
    rates = [f.size * 8 / max(f.duration_s, 1e-3) for f in layout.fragments]
    total = sum(f.size for f in layout.fragments) * 8
    duration = sum(f.duration_s for f in layout.fragments)
    return round(max(rates)), round(total / max(duration, 1e-3))


def write_master(path: Path, variants: list[Variant]) -> None:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in sorted(variants, key=lambda v: -v.peak_bps):
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={v.peak_bps},AVERAGE-BANDWIDTH={v.average_bps},"
            f'RESOLUTION={v.width}x{v.height},CODECS="{v.codecs}",FRAME-RATE={v.frame_rate:.3f}'
        )
        lines.append(v.playlist)
    atomic_write_text(path, "\n".join(lines) + "\n")
