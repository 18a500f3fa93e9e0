"""Camera chapters: files the camera split (4 GB limits, GoPro chapters) become one recording.

* GoPro: ``GH``/``GX``/``GP`` + 2-digit chapter + 4-digit number (``GX010042.MP4``,
  ``GX020042.MP4``), grouped by number, ordered by chapter; the older ``GOPR0042.MP4`` +
  ``GP010042.MP4`` form too.
* Sequential splits (Sony ``C0001``, Canon ``MVI_0001``, Panasonic ``P1000001``, DJI
  ``DJI_0001``...): consecutive numbers with the same prefix whose creation times follow on
  (next start = previous start + previous duration, within ``CONTIGUITY_SECONDS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

GOPRO = re.compile(r"^G(?P<codec>[HXP])(?P<chapter>\d{2})(?P<number>\d{4})$", re.IGNORECASE)
GOPRO_FIRST = re.compile(r"^GOPR(?P<number>\d{4})$", re.IGNORECASE)
SEQUENTIAL = re.compile(r"^(?P<prefix>.*?)(?P<number>\d{3,})(?P<suffix>\D*)$")
CONTIGUITY_SECONDS = 2.0


@dataclass(frozen=True)
class Part:
    """A recording file as chapter grouping sees it."""

    path: str
    """Relative to SESSION/media (posix)."""
    camera: str
    duration: float | None
    creation_time: datetime | None


def _gopro_key(part: Part) -> tuple[str, int, int] | None:
    stem = PurePosixPath(part.path).stem
    folder = str(PurePosixPath(part.path).parent)
    match = GOPRO.match(stem)
    if match:
        return f"{folder}/G{match['codec'].upper()}", int(match["number"]), int(match["chapter"])
    match = GOPRO_FIRST.match(stem)
    if match:  # older cameras: GOPR0042 is the first chapter, GP010042 the second
        return f"{folder}/GP", int(match["number"]), 0
    return None


def _follows(previous: Part, following: Part) -> bool:
    if previous.creation_time is None or following.creation_time is None:
        return False
    if previous.duration is None:
        return False
    expected = previous.creation_time.timestamp() + previous.duration
    return abs(following.creation_time.timestamp() - expected) <= CONTIGUITY_SECONDS


@dataclass(frozen=True)
class Group:
    """One recording's ordered parts, and what is wrong with them."""

    parts: list[Part]
    problems: list[str]


def _consecutive_runs(chapters: list[tuple[int, Part]], first: int) -> list[Group]:
    """Split GoPro chapters where one is missing: what follows a hole is not continuous."""
    groups: list[Group] = []
    expected = first
    current: list[Part] = []
    problems: list[str] = []
    for chapter, part in chapters:
        if chapter != expected:
            missing = ", ".join(f"{n:02d}" for n in range(expected, chapter))
            if current:
                groups.append(Group(current, problems))
            current, problems = [], [f"chapter(s) {missing} missing or unusable: split here"]
        current.append(part)
        expected = chapter + 1
    groups.append(Group(current, problems))
    return groups


def group_chapters(parts: list[Part]) -> list[Group]:
    """Group parts into recordings, each an ordered list of parts."""
    groups: list[Group] = []
    gopro: dict[tuple[str, str, int], list[tuple[int, Part]]] = {}
    others: list[Part] = []
    for part in parts:
        key = _gopro_key(part)
        if key is None:
            others.append(part)
            continue
        series, number, chapter = key
        gopro.setdefault((part.camera, series, number), []).append((chapter, part))
    for (_, series, _), chapters in sorted(gopro.items(), key=lambda item: item[0]):
        first = 0 if series.endswith("/GP") else 1
        groups.extend(_consecutive_runs(sorted(chapters, key=lambda c: c[0]), first))

    def sequence_key(part: Part) -> tuple[str, str, str, str, int]:
        pure = PurePosixPath(part.path)
        match = SEQUENTIAL.match(pure.stem)
        if not match:
            return (part.camera, str(pure.parent), pure.stem, pure.suffix.lower(), -1)
        return (part.camera, str(pure.parent), match["prefix"] + "#" + match["suffix"],
                pure.suffix.lower(), int(match["number"]))  # fmt: skip

    current: list[Part] = []
    previous_key: tuple[str, str, str, str, int] | None = None
    for part in sorted(others, key=sequence_key):
        key = sequence_key(part)
        joined = (
            current
            and previous_key is not None
            and key[:4] == previous_key[:4]
            and key[4] == previous_key[4] + 1
            and key[4] >= 0
            and _follows(current[-1], part)
        )
        if joined:
            current.append(part)
        else:
            if current:
                groups.append(Group(current, []))
            current = [part]
        previous_key = key
    if current:
        groups.append(Group(current, []))
    return sorted(groups, key=lambda g: (g.parts[0].camera, g.parts[0].path))
