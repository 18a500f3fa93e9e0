"""The crop of a social clip: the source's full height, as wide as the format asks, placed
on the speaker's face (OpenCV's frontal-face cascade on frames across the quote; the
largest face of each frame, the median of their centres), else in the middle. One window
for the whole clip: no panning to follow a face that moves a little."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import cv2

from pipeline.render.images import SAMPLE_WIDTH, face_detector, sample_frames
from pipeline.social.footage import ClipSource

FRAMES = 7


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    def inside(self, other: Box) -> bool:
        return (other.x <= self.x and other.y <= self.y
                and self.x + self.width <= other.x + other.width
                and self.y + self.height <= other.y + other.height)  # fmt: skip


def faces_in_source(source: ClipSource, work: Path) -> list[Box]:
    """The largest face of each of a few frames across the clip, in source pixels."""
    first = source.video[0]
    span = first.duration_s
    times = [first.start_s + span * (i + 0.5) / FRAMES for i in range(FRAMES)]
    scale = source.width / SAMPLE_WIDTH
    detector = face_detector()
    found = []
    for _, frame in sample_frames(first.path, times, work):
        if frame is None:
            continue
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = detector.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        if len(faces):
            x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
            found.append(Box(round(x * scale), round(y * scale), round(w * scale),
                             round(h * scale)))  # fmt: skip
    return found


def crop_for(source: ClipSource, aspect: float, faces: list[Box]) -> Box:
    """The source's full height, ``aspect`` (width/height) wide, centred on the faces'
    median centre (kept inside the picture), else on the picture's middle."""
    height = source.height - source.height % 2
    width = min(source.width, round(height * aspect / 2) * 2)
    if faces:
        centre = statistics.median(f.x + f.width / 2 for f in faces)
    else:
        centre = source.width / 2
    x = round(min(max(centre - width / 2, 0), source.width - width))
    return Box(x - x % 2, 0, width, height)
