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
    """The largest window of ``aspect`` (width/height) the picture holds (its full height
    from a landscape camera, its full width from a portrait phone), centred on the faces'
    median centre (kept inside the picture), else on the picture's middle."""
    height = source.height - source.height % 2
    width = round(height * aspect / 2) * 2
    if width > source.width:  # a picture narrower than the format: full width
        width = source.width - source.width % 2
        height = round(width / aspect / 2) * 2
    if faces:
        centre_x = statistics.median(f.x + f.width / 2 for f in faces)
        centre_y = statistics.median(f.y + f.height / 2 for f in faces)
    else:
        centre_x, centre_y = source.width / 2, source.height / 2
    x = round(min(max(centre_x - width / 2, 0), source.width - width))
    y = round(min(max(centre_y - height / 2, 0), source.height - height))
    return Box(x - x % 2, y - y % 2, width, height)
