"""A drawn face for the sample's close-up camera: a skin oval with brows, eyes, nose and
mouth on a plain wall, which OpenCV's frontal-face cascade finds, so the tools that look for
faces (posters, quote stills, social clips' crop) have one to find in the sample."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

WALL_GREY = 95


def draw_face(width: int, height: int) -> np.ndarray:
    """A ``width``×``height`` picture: the face in the middle of a grey wall."""
    image = np.full((height, width, 3), WALL_GREY, np.uint8)
    cx, cy, s = width // 2, height // 2 - height // 36, min(height // 4, int(width / 2.2))
    cv2.ellipse(image, (cx, cy), (int(s * 0.8), s), 0, 0, 360, (150, 180, 220), -1)
    for dx in (-0.35, 0.35):
        ex = int(cx + dx * s)
        cv2.ellipse(image, (ex, int(cy - 0.2 * s)), (int(0.16 * s), int(0.08 * s)), 0, 0, 360,
                    (40, 40, 40), -1)  # fmt: skip
        brow = int(cy - 0.38 * s)
        cv2.line(image, (ex - int(0.2 * s), brow), (ex + int(0.2 * s), brow), (40, 40, 60),
                 max(2, s // 20))  # fmt: skip
    cv2.ellipse(image, (cx, int(cy + 0.1 * s)), (int(0.08 * s), int(0.18 * s)), 0, 0, 360,
                (120, 150, 190), -1)  # fmt: skip
    cv2.ellipse(image, (cx, int(cy + 0.5 * s)), (int(0.3 * s), int(0.08 * s)), 0, 0, 360,
                (60, 60, 130), -1)  # fmt: skip
    return cv2.GaussianBlur(image, (5, 5), 0)


def write_face(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), draw_face(width, height))
    return path
