"""Subtitles burnt into the picture (for muted autoplay on social media), via libass.

The style scales with the frame: libass lays SRT out on a 384×288 canvas stretched to the
video, so the sizes below are fractions of the frame height. Text sits inside the title-safe
area (10 % margins), white with a dark outline.

The SRT handed to the filter is written to a fresh temporary folder whose path is checked to
hold only safe characters, so no session path or cue text ever enters the filtergraph.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.probe import probe
from pipeline.progress import ProgressReporter
from pipeline.runner import OutputFile, filter_safe_tempdir, run_ffmpeg
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.formats import to_srt

CANVAS_HEIGHT = 288
FONT_HEIGHT = 0.065
"""Font size as a fraction of the frame height."""
SAFE_MARGIN = 0.10
STYLE = {
    "FontName": "DejaVu Sans",
    "FontSize": round(FONT_HEIGHT * CANVAS_HEIGHT),
    "PrimaryColour": "&H00FFFFFF",
    "OutlineColour": "&H00000000",
    "BorderStyle": 1,
    "Outline": 1.5,
    "Shadow": 0,
    "Alignment": 2,
    "MarginV": round(SAFE_MARGIN * CANVAS_HEIGHT),
    "MarginL": round(SAFE_MARGIN * 384),
    "MarginR": round(SAFE_MARGIN * 384),
}


def _plain(cue: Cue) -> Cue:
    """Cue text libass draws as it is: braces escaped (libass draws "\\{" as "{", so
    "%{localtime}" stays "%{localtime}" and never opens an override block); a backslash,
    which would start an escape ("\\N", "\\h"), becomes a look-alike."""
    table = str.maketrans({"{": "\\{", "}": "\\}", "\\": "∖"})
    return replace(cue, lines=tuple(line.translate(table) for line in cue.lines))


def burn_subtitles(
    video: Path, cues: list[Cue], output: Path, progress: ProgressReporter | None = None
) -> None:
    """``video`` with ``cues`` (on its own timeline) drawn in; the sound is copied."""
    info = probe(video, check_vfr=False)
    with filter_safe_tempdir("capture-burn-") as folder:
        srt = folder / "subtitles.srt"
        srt.write_text(to_srt([_plain(cue) for cue in cues]), encoding="utf-8")
        style = ",".join(f"{key}={value}" for key, value in STYLE.items())
        run_ffmpeg(
            ["-i", video, "-map", "0:v:0", "-map", "0:a?",
             "-vf", f"subtitles=filename={srt}:charenc=UTF-8:force_style='{style}'",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
             "-c:a", "copy", "-movflags", "+faststart", OutputFile(output)],
            duration=info.duration,
            progress=progress,
            label="burning subtitles",
        )  # fmt: skip
