"""A film's seek-bar thumbnails: sheets of small frames (a 10 × 10 grid, one frame every
few seconds, at most about 600 in all) and the WebVTT that maps each interval to its tile
(``#xywh=``).

Each sheet is drawn by its own ffmpeg process that seeks to the sheet's first moment and
decodes only the sheet's span, so the sheets are independent jobs: ``capture run`` draws
them one after the other, ``capture batch`` on several workers at once (a two-hour film's
six sheets are six tasks). Drawing them all costs one decode of the film, as one pass
would."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.jobs import Job, Spread, one_after_another
from pipeline.core.presets import JPEG_SPRITE_QUALITY
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.timecode import clock

MOST_THUMBNAILS = 600
THUMB_WIDTH = 160
"""A thumbnail's width; its height follows the film's shape (90 at 16:9)."""


@dataclass(frozen=True)
class SpriteGrid:
    """Where every thumbnail of a film is: its sheet, and its tile in the sheet."""

    duration_s: float
    interval_s: float
    width: int
    height: int
    columns: int = 10
    rows: int = 10
    last_frame_s: float | None = None
    """When the film's last picture starts (None: just before its end). No thumbnail is
    taken after it: a sheet sought past the last frame would be empty."""

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def count(self) -> int:
        last = self.duration_s - 0.001 if self.last_frame_s is None else self.last_frame_s
        return math.floor(max(0.0, last) / self.interval_s + 1e-9) + 1

    @property
    def sheets(self) -> int:
        return max(1, math.ceil(self.count / self.per_sheet))

    def start(self, sheet: int) -> float:
        """The film second of sheet ``sheet``'s first thumbnail."""
        return sheet * self.per_sheet * self.interval_s


def sprite_grid(duration_s: float, aspect: float = 16 / 9, last_frame_s: float | None = None,
                thumb_width: int = THUMB_WIDTH) -> SpriteGrid:  # fmt: skip
    interval = max(2.0, math.ceil(duration_s / MOST_THUMBNAILS))
    height = max(2, 2 * round(thumb_width / aspect / 2))
    return SpriteGrid(duration_s, interval, thumb_width, height, last_frame_s=last_frame_s)


def draw_sheet(film: Path, grid: SpriteGrid, sheet: int, target: Path) -> Path:
    """Sheet ``sheet`` of ``film``'s thumbnails, written to ``target`` (a job: it may run in
    another process). The image muxer is told ``target`` is one file, not a pattern: a
    ``%`` in its path is a character."""
    start, span = grid.start(sheet), grid.per_sheet * grid.interval_s
    run_ffmpeg(
        ["-ss", f"{start:.3f}", "-t", f"{span:.3f}", "-i", film, "-map", "0:v:0",
         "-vf", f"fps=1/{grid.interval_s:g},scale={grid.width}:{grid.height},"
                f"tile={grid.columns}x{grid.rows}",
         "-frames:v", "1", "-update", "1", "-q:v", str(JPEG_SPRITE_QUALITY),
         OutputFile(target)],
        duration=min(span, grid.duration_s - start),
        label=f"thumbnails of {film.name}, sheet {sheet + 1}/{grid.sheets}",
    )  # fmt: skip
    return target


@dataclass(frozen=True)
class Sprite:
    images: list[Path]
    vtt: Path


def thumbnail_sprite(
    film: Path, duration_s: float, folder: Path, stem: str, aspect: float = 16 / 9,
    spread: Spread = one_after_another, grid: SpriteGrid | None = None,
) -> Sprite:  # fmt: skip
    """The sheets (``folder/STEM.sprite-NNN.jpg``, each drawn as a job of ``spread``) and
    their WebVTT (``folder/STEM.thumbnails.vtt``)."""
    grid = grid or sprite_grid(duration_s, aspect)
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / f"{stem}.sprite-{n + 1:03d}.jpg" for n in range(grid.sheets)]
    jobs = [Job(f"thumbnails of the {stem}, sheet {n + 1}/{grid.sheets}", draw_sheet,
                (film, grid, n, target)) for n, target in enumerate(targets)]  # fmt: skip
    images = spread(jobs)
    lines = ["WEBVTT", ""]
    for number in range(grid.count):
        image = images[number // grid.per_sheet]
        tile = number % grid.per_sheet
        x, y = (tile % grid.columns) * grid.width, (tile // grid.columns) * grid.height
        start = number * grid.interval_s
        end = duration_s if number == grid.count - 1 else (number + 1) * grid.interval_s
        lines += [
            f"{clock(round(start * 1000), '.')} --> {clock(round(end * 1000), '.')}",
            f"{image.name}#xywh={x},{y},{grid.width},{grid.height}",
            "",
        ]
    vtt = folder / f"{stem}.thumbnails.vtt"
    atomic_write_text(vtt, "\n".join(lines))
    return Sprite(images, vtt)
