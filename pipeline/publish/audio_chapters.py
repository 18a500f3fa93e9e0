"""The audio-only version with the film's chapters in it, so a podcast app shows them:
the render's AAC copied (stream copy) with an FFMETADATA file of chapters.

Chapter titles are the editor's text: FFMETADATA reads ``=``, ``;``, ``#``, ``\\`` and line
breaks as syntax, so each is escaped (line breaks made spaces), and the file is passed as
an input, never in a filtergraph or an argument."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.tempfiles import filter_safe_tempdir

_SPECIAL = re.compile(r"([=;#\\\n])")


def metadata_text(value: str) -> str:
    """A value as FFMETADATA reads it back unchanged."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(1), value)


def _one_line(text: str) -> str:
    """Line breaks and carriage returns (which end a value in FFMETADATA) made spaces."""
    return " ".join(text.split())


def ffmetadata(chapters: list[tuple[int, int, str]], title: str) -> str:
    """An FFMETADATA1 document: the title and each chapter (start, end in ms, title). The
    first chapter starts at 0: the MP4 chapter track players read cannot start later (ffmpeg
    moved its start to 0 and kept its length, so every chapter came early)."""
    lines = [";FFMETADATA1", f"title={metadata_text(_one_line(title))}"]
    if chapters and chapters[0][0] > 0:
        chapters = [(0, *chapters[0][1:]), *chapters[1:]]
    for start, end, name in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={max(end, start + 1)}",
                  f"title={metadata_text(_one_line(name))}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def with_chapters(
    source: Path, target: Path, chapters: list[tuple[int, int, str]], title: str
) -> None:
    """``target``: ``source``'s sound, copied, with ``chapters`` and ``title``."""
    with filter_safe_tempdir("capture-chapters-") as work:
        metadata = work / "chapters.txt"
        atomic_write_text(metadata, ffmetadata(chapters, title))
        run_ffmpeg(
            ["-i", source, "-f", "ffmetadata", "-i", metadata, "-map", "0:a",
             "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
             "-movflags", "+faststart", OutputFile(target)],
            label=f"chapters into {target.name}",
        )  # fmt: skip
