"""``capture render SESSION full|highlights [--preview]``.

The master: H.264 High yuv420p at the timeline's height (the sources' own, at most 1080p;
never upscaled), 25 fps CFR, AAC-LC 48 kHz stereo, loudness to the preset in two passes,
measured afterwards; ``renders/<name>.json`` beside it records the timeline, the sources
with their hashes, the preset, the loudness and the time map. The preview is a fast 360p
proxy without loudness passes, for the editor's loop.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import MediaError
from pipeline.fsutil import atomic_write_text
from pipeline.ingest.run import state_file
from pipeline.ingest.state import load_state
from pipeline.presets_loader import load_preset
from pipeline.progress import ProgressReporter
from pipeline.render import loudness
from pipeline.render.graph import SAMPLE_RATE, assemble
from pipeline.render.overlays import drawtext_chain, lower_thirds
from pipeline.runner import OutputFile, filter_safe_tempdir, run_ffmpeg
from pipeline.session import LoadedSession
from pipeline.timeline.build import build_timeline
from pipeline.timeline.cuelist import load_cue_list
from pipeline.timeline.model import Timeline

PREVIEW_HEIGHT = 360


@dataclass(frozen=True)
class RenderResult:
    output: Path
    report: Path
    duration_s: float
    integrated_lufs: float | None
    true_peak_dbtp: float | None
    normalization: str | None


def _width(height: int) -> int:
    width = round(height * 16 / 9)
    return width + width % 2


def _report(
    loaded: LoadedSession,
    timeline: Timeline,
    output: Path,
    preset: str,
    measured: loudness.FileLoudness | None,
    normalization: str | None,
) -> dict:
    hashes = {f.path: f"{f.hash_format}:{f.hash}" for f in load_state(state_file(loaded)).files}
    media = loaded.layout.media

    def source(cut) -> dict:
        relative = cut.path.relative_to(media).as_posix()
        return {"file": relative, "hash": hashes.get(relative), "start_s": cut.start_s,
                "duration_s": cut.duration_s, "interlaced": cut.interlaced}  # fmt: skip

    return {
        "version": 1,
        "film": timeline.name,
        "file": output.name,
        "rendered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "preset": preset,
        "duration_s": round(timeline.duration_s, 3),
        "frame_rate": timeline.fps,
        "height": timeline.height,
        "loudness": None if measured is None else {
            "integrated_lufs": measured.integrated_lufs,
            "true_peak_dbtp": measured.true_peak_dbtp,
            "pass_two": normalization,
        },
        "clips": [
            {"session_in_ms": c.session_in_ms, "session_out_ms": c.session_out_ms,
             "camera": c.camera, "audio_source": c.audio_source,
             "video": [source(x) for x in c.video], "audio": [source(x) for x in c.audio]}
            for c in timeline.clips
        ],
        "time_map": [asdict(span) for span in timeline.timemap.spans],
    }  # fmt: skip


def _check_length(output: Path, timeline: Timeline) -> None:
    """A source that cannot be decoded at a cut point (a seek that finds no keyframe) makes
    concat silently shorter: the film must last what its clips add up to."""
    from pipeline.probe import probe

    found = probe(output, check_vfr=False).duration or 0.0
    if abs(found - timeline.duration_s) > 1.5 / timeline.fps:
        output.unlink(missing_ok=True)
        raise MediaError(
            f"the {timeline.name} came out {found:.3f} s long instead of "
            f"{timeline.duration_s:.3f} s: a source could not be read at a cut point",
            path=output,
        )


def render(
    loaded: LoadedSession,
    name: str,
    *,
    preview: bool = False,
    preset_name: str = "web",
    progress: ProgressReporter | None = None,
) -> RenderResult:
    timeline = build_timeline(loaded, name)  # every cue-list problem before any work
    preset = load_preset(preset_name, session_root=loaded.root)
    height = min(PREVIEW_HEIGHT, timeline.height) if preview else timeline.height
    width = _width(height)
    assembly = assemble(timeline, width, height, timecode=preview)
    suffix = ".preview.mp4" if preview else ".mp4"
    output = loaded.layout.renders / f"{name}{suffix}"
    video = preset.video
    encode: list = [
        "-c:v", video.codec, "-pix_fmt", video.pix_fmt, "-r", str(timeline.fps),
        "-g", str(round(video.gop_seconds * timeline.fps)),
        "-c:a", "aac", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-movflags", "+faststart",
    ]  # fmt: skip
    if preview:
        encode += ["-preset", "ultrafast", "-crf", "30", "-b:a", "96k"]
        audio_filter = "anull"
        measured_pass = None
    else:
        encode += ["-profile:v", video.profile, "-level:v", video.level, "-preset", "medium",
                   "-crf", "20", "-b:a", f"{preset.audio.bitrate_kbps}k"]  # fmt: skip
        target = preset.audio.loudness
        sound = assemble(timeline, width, height, with_video=False)
        measured_pass = loudness.measure_pass(sound.inputs, sound.graph, sound.audio_label, target)
        audio_filter = loudness.second_pass_filter(measured_pass, target, SAMPLE_RATE)
    cue_list = load_cue_list(loaded, name)
    overlays = lower_thirds(cue_list, loaded.session, timeline.timemap) if cue_list else []
    with filter_safe_tempdir("capture-render-") as folder:
        drawn = drawtext_chain(overlays, folder, height)
        graph = (
            f"{assembly.graph};{assembly.video_label}null{drawn}[out_video];"
            f"{assembly.audio_label}{audio_filter}[out_audio]"
        )
        run = run_ffmpeg(
            [*assembly.inputs, "-filter_complex", graph, "-map", "[out_video]",
             "-map", "[out_audio]", *encode, "-loglevel", "info", OutputFile(output)],
            duration=timeline.duration_s,
            progress=progress,
            label=f"rendering {name}{' preview' if preview else ''}",
        )  # fmt: skip
    _check_length(output, timeline)
    normalization = None if preview else loudness.normalization_type(run.stderr_tail)
    measured = None if preview else loudness.measure_file(output)
    report = loaded.layout.renders / f"{name}{suffix.removesuffix('.mp4')}.json"
    atomic_write_text(
        report,
        json.dumps(
            _report(loaded, timeline, output, preset.name, measured, normalization), indent=2
        )
        + "\n",
    )
    return RenderResult(
        output,
        report,
        timeline.duration_s,
        measured.integrated_lufs if measured else None,
        measured.true_peak_dbtp if measured else None,
        normalization,
    )
