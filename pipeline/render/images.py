"""Images of a film for the site and the written restitution, chosen with OpenCV:

* the poster: among frames sampled inside the film's clips (never the title card or the
  credits), the one that is sharp (variance of the Laplacian), well exposed (mid-grey mean,
  little clipping) and shows a face (the frontal-face Haar cascade shipped with
  opencv-python), unless session.yaml names a poster;
* "ambiance" stills: the best frames that differ from each other (colour histograms) and
  lie apart in time;
* a still at each quote of the cue lists.

Frames are sampled by one ffmpeg pass into a temporary folder at a small size; the chosen
ones are then extracted at full size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.core.errors import MissingDependencyError
from pipeline.core.presets import JPEG_STILL_QUALITY
from pipeline.core.runner import Arg, OutputFile, run_ffmpeg

SAMPLE_WIDTH = 480
MIN_MEAN, MAX_MEAN = 35.0, 215.0
"""A frame darker or brighter than this on average is not a candidate (black, white)."""


@dataclass(frozen=True)
class Candidate:
    time_s: float
    sharpness: float
    exposure: float
    faces: int
    face_share: float
    histogram: np.ndarray

    def score(self, sharpness_scale: float) -> float:
        face = (1.5 + min(self.face_share * 20, 1.0)) if self.faces else 0.0
        return face + min(self.sharpness / sharpness_scale, 2.0) + 1.5 * self.exposure


def face_detector() -> cv2.CascadeClassifier:
    detector = cv2.CascadeClassifier(
        str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml")
    )
    if detector.empty():
        raise MissingDependencyError(
            "OpenCV's frontal-face cascade (haarcascade_frontalface_default.xml)",
            hint="Reinstall opencv-python 4.x (`make setup`).",
        )
    return detector


def measure(image: np.ndarray, time_s: float, detector: cv2.CascadeClassifier) -> Candidate | None:
    """A frame's scores, or None for a frame too dark or too bright to show."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    mean = float(gray.mean())
    if not MIN_MEAN <= mean <= MAX_MEAN:
        return None
    clipped = float(((gray < 8) | (gray > 247)).mean())
    exposure = max(0.0, 1.0 - abs(mean - 118.0) / 118.0 - 2.0 * clipped)
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    faces = detector.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    area = max((w * h for _, _, w, h in faces), default=0) / gray.size
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    histogram = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
    cv2.normalize(histogram, histogram)
    return Candidate(time_s, sharpness, exposure, len(faces), area, histogram)


BATCH = 20
"""Frames sampled per ffmpeg process (each an input sought on its own)."""


def sample_frames(film: Path, times: list[float], folder: Path) -> list[tuple[float, np.ndarray]]:
    """Small frames of ``film`` at ``times``: each time is its own input, sought before
    decoding, so the cost follows the number of frames, not the film's length."""
    found = []
    for first in range(0, len(times), BATCH):
        batch = times[first : first + BATCH]
        args: list[Arg] = []
        for time_s in batch:
            args += ["-ss", f"{time_s:.3f}", "-i", film]
        names = [folder / f"sample-{first + i:05d}.png" for i in range(len(batch))]
        for index, name in enumerate(names):
            args += ["-map", f"{index}:v:0", "-frames:v", "1", "-vf",
                     f"scale={SAMPLE_WIDTH}:-2", OutputFile(name)]  # fmt: skip
        run_ffmpeg(args, label=f"sampling frames of {film.name}")
        found += [(t, cv2.imread(str(n))) for t, n in zip(batch, names, strict=True)]
    return found


def candidates(
    film: Path, spans: list[tuple[float, float]], folder: Path, count: int = 60
) -> list[Candidate]:
    """Frames measured at ``count`` times spread over the film's clip spans (film seconds)."""
    total = sum(end - start for start, end in spans)
    if total <= 0:
        return []
    step = total / count
    times, offset = [], step / 2
    for start, end in spans:
        while offset < end - start:
            times.append(round(start + offset, 3))
            offset += step
        offset -= end - start
    detector = face_detector()
    found = []
    for time_s, image in sample_frames(film, times, folder):
        if image is not None and (measured := measure(image, time_s, detector)) is not None:
            found.append(measured)
    return found


def choose_poster(found: list[Candidate]) -> Candidate | None:
    """The best frame showing a face when any does, else the best frame."""
    if not found:
        return None
    scale = float(np.median([c.sharpness for c in found])) or 1.0
    with_faces = [c for c in found if c.faces]
    return max(with_faces or found, key=lambda c: c.score(scale))


def choose_ambiance(
    found: list[Candidate], count: int, duration_s: float, similar: float = 0.9
) -> list[Candidate]:
    """The best frames, each unlike the others (histogram correlation below ``similar``)
    and at least a twentieth of the film apart."""
    if not found:
        return []
    scale = float(np.median([c.sharpness for c in found])) or 1.0
    chosen: list[Candidate] = []
    for candidate in sorted(found, key=lambda c: -c.score(scale)):
        if all(
            cv2.compareHist(candidate.histogram, c.histogram, cv2.HISTCMP_CORREL) < similar
            and abs(candidate.time_s - c.time_s) >= duration_s / 20
            for c in chosen
        ):
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda c: c.time_s)


def extract_still(film: Path, time_s: float, output: Path, width: int | None = None) -> None:
    """One JPEG of ``film`` at ``time_s`` (sought accurately), at most ``width`` wide (never
    enlarged)."""
    scale = ["-vf", f"scale='min({width},iw)':-2"] if width else []
    run_ffmpeg(
        ["-ss", f"{time_s:.3f}", "-i", film, "-map", "0:v:0", "-frames:v", "1", *scale,
         "-q:v", str(JPEG_STILL_QUALITY), OutputFile(output)],
        label=f"still at {time_s:.1f} s",
    )  # fmt: skip
