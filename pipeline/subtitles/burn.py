"""Subtitles burnt into the picture (for muted autoplay on social media), via libass.

The style scales with the frame: the cues are laid out on a 384×288 canvas stretched to the
video, so the sizes below are fractions of the frame height. Text sits inside the title-safe
area (10 % margins), white with a dark outline, raised above a lower third on screen.

The ASS script handed to the filter is written to a fresh temporary folder whose path is
checked to hold only safe characters, so no session path or cue text enters the filtergraph.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.presets import BURN_IN
from pipeline.core.probe import probe
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.subtitles.cues import Cue

CANVAS_HEIGHT = 288
CANVAS_WIDTH = 384
ABOVE_GAP = 0.02
"""Room between a subtitle raised over a lower third and the lower third."""
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
    "MarginL": round(SAFE_MARGIN * CANVAS_WIDTH),
    "MarginR": round(SAFE_MARGIN * CANVAS_WIDTH),
}


def ass_plain(line: str) -> str:
    """A cue line libass draws as it is: braces escaped (libass draws "\\{" as "{", so
    "%{localtime}" stays "%{localtime}" and never opens an override block); a backslash,
    which would start an escape ("\\N", "\\h"), becomes a look-alike; a line break (it would
    start a new event of the script) a space."""
    return line.translate(str.maketrans({"{": "\\{", "}": "\\}", "\\": "∖", "\n": " ",
                                         "\r": " "}))  # fmt: skip


def ass_time(ms: int) -> str:
    centiseconds = round(ms / 10)
    seconds, hundredths = divmod(centiseconds, 100)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}.{hundredths:02d}"


def to_ass(cues: list[Cue]) -> str:
    """The cues as an ASS script in ``STYLE``: each line escaped, and a cue that must clear
    a lower third given its own bottom margin, just above it (an SRT cannot carry that:
    ffmpeg keeps none of its placement marks but ``{\\an}``)."""
    names = ", ".join(STYLE)
    values = ",".join(str(value) for value in STYLE.values())
    script = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {CANVAS_WIDTH}",
        f"PlayResY: {CANVAS_HEIGHT}", "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]", f"Format: Name, {names}", f"Style: Default,{values}", "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]  # fmt: skip
    for cue in cues:
        margin = 0  # the style's
        if cue.clear_above is not None:
            margin = round(CANVAS_HEIGHT * (cue.clear_above + ABOVE_GAP))
        text = "\\N".join(ass_plain(line) for line in cue.lines)
        script.append(
            f"Dialogue: 0,{ass_time(cue.start_ms)},{ass_time(cue.end_ms)},Default,,0,0,"
            f"{margin},,{text}"
        )
    return "\n".join(script) + "\n"


def burn_subtitles(
    video: Path, cues: list[Cue], output: Path, progress: ProgressReporter | None = None
) -> None:
    """``video`` with ``cues`` (on its own timeline) drawn in; the sound is copied."""
    info = probe(video, check_vfr=False)
    with filter_safe_tempdir("capture-burn-") as folder:
        script = folder / "subtitles.ass"
        script.write_text(to_ass(cues), encoding="utf-8")
        run_ffmpeg(
            ["-i", video, "-map", "0:v:0", "-map", "0:a?",
             "-vf", f"subtitles=filename={script}",
             "-c:v", BURN_IN.codec, *BURN_IN.args(), "-pix_fmt", "yuv420p",
             "-c:a", "copy", "-movflags", "+faststart", OutputFile(output)],
            duration=info.duration,
            progress=progress,
            label="burning subtitles",
        )  # fmt: skip
