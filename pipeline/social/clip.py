"""One social clip in one format: the source cut, cropped on the face, scaled to the
format, captions and name drawn by libass, the logo laid on, the sound brought to -14 LUFS
in two passes (the same linear loudnorm as the films), and a poster frame."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.presets import AUDIO_CODEC, MASTER, Loudness
from pipeline.core.runner import Arg, FilterGraph, OutputFile, run_ffmpeg
from pipeline.render import loudness
from pipeline.social.footage import ClipSource
from pipeline.social.framing import Box
from pipeline.social.layout import SocialFormat

SOCIAL_LOUDNESS = Loudness(integrated_lufs=-14.0, true_peak_dbtp=-1.0, loudness_range_lu=11.0)
"""What the platforms play at (YouTube, Instagram, TikTok normalise near -14 LUFS): a
quieter clip is turned up by them with its noise, a louder one turned down."""
SAMPLE_RATE = 48_000
AUDIO_KBPS = 160
LOGO_HEIGHT = 0.05
"""Of the frame's height, at the top left of the safe zone."""


@dataclass(frozen=True)
class Drawn:
    ass: Path
    logo: Path | None
    logo_height: int


def _inputs(
    source: ClipSource, logo: Path | None
) -> tuple[list[Arg], list[int], list[int], int | None]:
    args: list[Arg] = []
    video, audio = [], []
    for cut in source.video:
        video.append(len(video) + len(audio))
        args += ["-ss", f"{cut.start_s:.3f}", "-t", f"{cut.duration_s:.3f}", "-i", cut.path]
    for cut in source.audio:
        audio.append(len(video) + len(audio))
        args += ["-ss", f"{cut.start_s:.3f}", "-t", f"{cut.duration_s:.3f}", "-i", cut.path]
    logo_index = None
    if logo is not None:
        logo_index = len(video) + len(audio)
        args += ["-i", logo]
    return args, video, audio, logo_index


def _sound_graph(audio: list[int]) -> str:
    parts = "".join(f"[{i}:a:0]" for i in audio)
    joined = f"{parts}concat=n={len(audio)}:v=0:a=1," if len(audio) > 1 else parts
    return f"{joined}aformat=sample_rates={SAMPLE_RATE}:channel_layouts=stereo[sound]"


def render_clip(
    source: ClipSource, crop: Box, fmt: SocialFormat, drawn: Drawn, duration_s: float,
    output: Path,
) -> loudness.FileLoudness:  # fmt: skip
    """The clip written to ``output`` (under a temporary name until complete)."""
    args, video, audio, logo_index = _inputs(source, drawn.logo)
    sound = _sound_graph(audio)
    measured = loudness.measure_pass(args, sound, "[sound]", SOCIAL_LOUDNESS)
    level = loudness.second_pass_filter(measured, SOCIAL_LOUDNESS, SAMPLE_RATE)
    pictures = "".join(f"[{i}:v:0]" for i in video)
    joined = f"{pictures}concat=n={len(video)}:v=1:a=0," if len(video) > 1 else pictures
    picture = (
        f"{joined}crop={crop.width}:{crop.height}:{crop.x}:{crop.y},"
        f"scale={fmt.width}:{fmt.height}:flags=lanczos,setsar=1,fps={source.fps:.6f},"
        f"subtitles=filename={drawn.ass}"
    )
    safe = fmt.inner_box()
    if logo_index is not None:
        graph = (f"{picture}[drawn];[{logo_index}:v:0]scale=-2:{drawn.logo_height}[logo];"
                 f"[drawn][logo]overlay={safe.x}:{safe.y},format=yuv420p[picture]")  # fmt: skip
    else:
        graph = f"{picture},format=yuv420p[picture]"
    run_ffmpeg(
        [*args, FilterGraph(f"{graph};{sound};[sound]{level}[levelled]"),
         "-map", "[picture]", "-map", "[levelled]", "-t", f"{duration_s:.3f}",
         "-c:v", MASTER.codec, *MASTER.args(), "-profile:v", "high", "-pix_fmt", "yuv420p",
         "-c:a", AUDIO_CODEC, "-ar", str(SAMPLE_RATE), "-ac", "2", "-b:a", f"{AUDIO_KBPS}k",
         "-movflags", "+faststart", OutputFile(output)],
        duration=duration_s, label=f"social clip {output.name}",
    )  # fmt: skip
    return loudness.measure_file(output)
