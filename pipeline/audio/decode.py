"""Decoding recordings to numpy for analysis (sync, later transcription).

Chapters are joined exactly: each part is fitted to its container duration in samples, so
the joined audio lasts the sum of the parts and nothing drifts at the joins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.session import SessionFolder
from pipeline.session.artifacts.ingest import Recording


def _cache_name(path: Path, rate: int) -> str:
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{rate}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def decoded_channels_file(path: Path, rate: int, cache: Path) -> tuple[Path, int]:
    """The raw float32 decode of ``path`` at ``rate`` Hz (interleaved) and its channel count.

    The decode is kept in ``cache`` (derived, disposable) and reused while the file is
    unchanged.
    """
    from pipeline.core.probe import probe

    info = probe(path, check_vfr=False)
    audio = info.primary_audio
    if audio is None:
        raise ValueError(f"{path} has no audio")
    channels = max(1, audio.channels)
    raw = cache / f"{_cache_name(path, rate)}.{channels}ch.f32"
    if not raw.is_file():
        run_ffmpeg(
            ["-i", path, "-map", f"0:{audio.index}", "-vn", "-ar", str(rate), "-f", "f32le",
             "-c:a", "pcm_f32le", OutputFile(raw)],
            duration=info.duration,
        )  # fmt: skip
    return raw, channels


def decode_channels(path: Path, rate: int, cache: Path) -> np.ndarray:
    """All audio channels of ``path`` at ``rate`` Hz as float32, shape (samples, channels)."""
    raw, channels = decoded_channels_file(path, rate, cache)
    samples = np.fromfile(raw, dtype="<f4")
    return samples[: len(samples) - len(samples) % channels].reshape(-1, channels)


def loudest_channel(channels: np.ndarray) -> np.ndarray:
    """The channel with the most energy: a dead or phase-inverted track never cancels it."""
    energy = np.einsum("ij,ij->j", channels, channels)
    return np.ascontiguousarray(channels[:, int(np.argmax(energy))])


def joined_mono(parts: Sequence[Path], durations: Sequence[float], rate: int, cache: Path):
    """Audio of a recording made of ``parts`` (chapters), each fitted to its duration."""
    pieces = []
    for path, duration in zip(parts, durations, strict=True):
        mono = loudest_channel(decode_channels(path, rate, cache))
        wanted = int(round(duration * rate))
        if len(mono) >= wanted:
            mono = mono[:wanted]
        else:
            mono = np.concatenate([mono, np.zeros(wanted - len(mono), dtype=np.float32)])
        pieces.append(mono)
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def recording_audio(folder: SessionFolder, recording: Recording, rate: int) -> np.ndarray:
    """An ingested recording's sound at ``rate`` (mono, chapters joined), cached per session."""
    return joined_mono(
        [folder.media / f for f in recording.files],
        recording.part_durations,
        rate,
        folder.audio_cache,
    )
