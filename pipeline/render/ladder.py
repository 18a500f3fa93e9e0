"""The web ladder (presets/web.yaml), made by ``capture render`` in the film's own graph: the
camera files are decoded once, the film's picture split to every rung (and to the master)
and each encoded once, an H.264 High MP4 with ``moov`` first, a closed GOP and an IDR
exactly every ``gop_seconds`` at the same times in every rung (so players and HLS can
switch between them), capped CRF (quality-driven, never above the rung's maxrate), AAC-LC
at the preset's loudness. Publishing packages these files; it encodes nothing.

Rungs above the master's height are skipped (never upscale); a master smaller than every rung
gets one rung at its own height, at the smallest rung's rate scaled by area. An AV1 rung
(SVT-AV1, capped CRF) is offered beside the H.264 one of its height to browsers that play
it: one more encode here, for fewer bytes on a still picture (docs/footprint.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import xxhash

from pipeline.core.presets import AUDIO_CODEC, AV1_ENCODER, AV1_SPEED, LADDER_SPEED, Preset, Rung
from pipeline.core.runner import Arg, OutputFile


@dataclass(frozen=True)
class PlannedRung:
    name: str
    width: int
    height: int
    bitrate_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    crf: int
    codec: str = "h264"


def _width(height: int, source_width: int, source_height: int) -> int:
    width = round(source_width * height / source_height)
    return width + width % 2


def plan_ladder(preset: Preset, source_width: int, source_height: int) -> list[PlannedRung]:
    rungs = [r for r in preset.video.rungs if r.height <= source_height]
    if not any(r.codec == "h264" for r in rungs):
        smallest: Rung = min((r for r in preset.video.rungs if r.codec == "h264"),
                             key=lambda r: r.height)  # fmt: skip
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
                    r.bitrate_kbps, r.maxrate_kbps, r.bufsize_kbps, r.crf, r.codec)
        for r in sorted(rungs, key=lambda r: (-r.height, r.codec != "h264"))
    ]  # fmt: skip


def master_rung(
    rungs: list[PlannedRung], width: int, height: int, preset: Preset, film_fps: int
) -> PlannedRung | None:
    """The rung that can be the master itself (same picture size, same frame rate): a film
    that must be re-encoded is then encoded once, not once for the archive and once more
    for the web. None when no rung matches (a source above the top rung, another rate)."""
    if preset.video.frame_rate != film_fps:
        return None
    return next((r for r in rungs if r.codec == "h264" and (r.width, r.height) == (width, height)),
                None)  # fmt: skip


@dataclass(frozen=True)
class LadderOutputs:
    """The ladder as the tail of a filtergraph: ``chains`` split the film's picture and
    sound to every rung (and to the master, when one is kept), ``args`` map and encode each
    rung into its file."""

    chains: list[str]
    args: list[Arg]
    master_video: str | None
    """The split's picture left for the master (None: no master in this graph)."""
    master_audio: str | None


def ladder_outputs(
    video: str, audio: str, rungs: list[PlannedRung], outputs: list[Path], preset: Preset,
    *, with_master: bool, film_fps: int, listening: Path | None = None,
) -> LadderOutputs:  # fmt: skip
    """Each rung scaled from the film's own picture (decoded once, in the same graph) and
    encoded once; the sound, already at the preset's loudness, encoded once per file, and
    once more alone into ``listening`` (the preset's audio-only rendition) when given."""
    count = len(rungs) + int(with_master)
    pictures = [f"[lv{i}]" for i in range(count)]
    sounds = [f"[la{i}]" for i in range(count)]
    heard = sounds + (["[la_heard]"] if listening is not None else [])
    chains = [
        f"{video}split={count}{''.join(pictures)}",
        f"{audio}asplit={len(heard)}{''.join(heard)}",
    ]
    rate = preset.video.frame_rate
    # another rate is converted in the graph (``-r`` alone added two frames at the end of a
    # 50 fps film), and the last frame is let through (``fps`` dropped it, unsure how long
    # it lasts); the film's own rate is left alone
    convert = f"fps={rate}:eof_action=pass," if rate != film_fps else ""
    chains += [
        f"{pictures[i]}{convert}scale={rung.width}:{rung.height}:flags=lanczos,setsar=1,"
        f"format=yuv420p[rv{i}]"
        for i, rung in enumerate(rungs)
    ]
    args: list[Arg] = []
    for index, (rung, output) in enumerate(zip(rungs, outputs, strict=True)):
        args += ["-map", f"[rv{index}]", "-map", sounds[index], *rung_encode_args(rung, preset),
                 OutputFile(output)]  # fmt: skip
    if listening is not None:
        chains.append(f"[la_heard]{listening_mix(preset)}[la_listening]")
        args += ["-map", "[la_listening]", *listening_encode_args(preset), OutputFile(listening)]
    master = (pictures[-1], sounds[-1]) if with_master else (None, None)
    return LadderOutputs(chains, args, *master)


def listening_mix(preset: Preset) -> str:
    """Mono as the average of the two channels: ``-ac 1`` adds them at 0.707 each, 3 dB
    over the true-peak limit on a recorder's dual-mono sound. Played on both ears, the
    average sounds as loud as the stereo film (EBU R 128 measures it as dual mono)."""
    assert preset.listening is not None
    return "pan=mono|c0=0.5*c0+0.5*c1" if preset.listening.channels == 1 else "anull"


def listening_encode_args(preset: Preset) -> list[Arg]:
    """The audio-only rendition: AAC-LC in an MP4 audio file (``.m4a``) every browser and
    podcast player reads, ``moov`` first."""
    assert preset.listening is not None
    return ["-c:a", AUDIO_CODEC, "-ar", str(preset.audio.sample_rate),
            "-ac", str(preset.listening.channels), "-b:a", f"{preset.listening.bitrate_kbps}k",
            "-movflags", "+faststart"]  # fmt: skip


def rung_encode_args(rung: PlannedRung, preset: Preset) -> list[Arg]:
    """One rung's H.264 and AAC: a closed GOP with an IDR at exactly every ``gop_seconds``,
    at the same times in every rung, capped CRF. An AV1 rung: SVT-AV1 at ``AV1_SPEED``, CRF
    capped at the rung's maxrate, a key frame every ``gop_seconds``, the same AAC."""
    video = preset.video
    gop = round(video.gop_seconds * video.frame_rate)
    picture: list[Arg] = ["-pix_fmt", video.pix_fmt, "-r", str(video.frame_rate), "-g", str(gop)]
    if rung.codec == "av1":
        encoder: list[Arg] = [
            "-c:v", AV1_ENCODER, "-preset", str(AV1_SPEED), "-crf", str(rung.crf),
            "-svtav1-params", f"mbr={rung.maxrate_kbps}",
        ]  # fmt: skip
    else:
        encoder = [
            "-c:v", video.codec, "-profile:v", video.profile, "-level:v", video.level,
            "-preset", LADDER_SPEED, "-crf", str(rung.crf), "-maxrate", f"{rung.maxrate_kbps}k",
            "-bufsize", f"{rung.bufsize_kbps}k", "-keyint_min", str(gop), "-sc_threshold", "0",
            "-force_key_frames", f"expr:gte(t,n_forced*{video.gop_seconds})",
            # x264's closing statistics (some 15 lines a rung) would push loudnorm's
            # measurement, which the render reads, out of the stderr tail kept
            "-x264-params", "open-gop=0:log=-1",
        ]  # fmt: skip
    audio = preset.audio
    sound: list[Arg] = [
        "-c:a", AUDIO_CODEC, "-ar", str(audio.sample_rate), "-ac", str(audio.channels),
        "-b:a", f"{audio.bitrate_kbps}k", "-movflags", "+faststart",
    ]  # fmt: skip
    return [*encoder, *picture, *sound]


def ladder_digest(preset: Preset) -> str:
    """What the renditions depend on in a preset: a film rendered with one preset is
    published with another only when their ladders and sound are the same."""
    video = preset.video.model_dump(mode="json")
    for rung in video["rungs"]:  # the digest of a ladder without AV1 is as it was before
        if rung["codec"] == "h264":
            del rung["codec"]
    chosen = {"video": video, "audio": preset.audio.model_dump(mode="json"),
              "speed": LADDER_SPEED}  # fmt: skip
    if any(rung.codec == "av1" for rung in preset.video.rungs):
        chosen["av1_speed"] = AV1_SPEED
    if preset.listening is not None:  # absent from the digest of a preset without one
        chosen["listening"] = preset.listening.model_dump(mode="json")
    return xxhash.xxh64(json.dumps(chosen, sort_keys=True).encode("utf-8")).hexdigest()
