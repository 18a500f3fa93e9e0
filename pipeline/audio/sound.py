"""A recording's sound read by sample range, so long recordings never sit in memory.

Each chapter is decoded once to a raw float32 cache file (see ``audio.decode``); reads take
only the samples asked for. Chapters are fitted to their container durations, so the joined
sound lasts exactly the sum of the parts. Several channels are mixed to mono with weights
decided once over the whole recording: a silent channel is left out and a phase-inverted one
is turned back, so neither can weaken or cancel the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.audio.decode import decoded_channels_file
from pipeline.session import SessionFolder
from pipeline.session.artifacts.ingest import Recording

SILENT_CHANNEL_DB = -40.0
"""A channel this far below the loudest one carries nothing worth mixing in."""
BLOCK_SECONDS = 60


@dataclass(frozen=True)
class _Part:
    raw: Path
    channels: int
    start: int  # first sample of this part in the joined recording
    length: int  # fitted length in samples
    decoded: int  # samples really in the raw file


class RecordingSound:
    """Mono or per-channel sound of an ingested recording at ``rate`` Hz, read on demand."""

    def __init__(
        self, folder: SessionFolder, recording: Recording, rate: int,
        mix_weights: np.ndarray | None = None,
    ) -> None:  # fmt: skip
        """``mix_weights``: the mono mix's weights, when already measured (a Dask worker's
        chunk of a long recording need not read all of it again)."""
        self.rate = rate
        parts, start = [], 0
        for name, duration in zip(recording.files, recording.part_durations, strict=True):
            raw, channels = decoded_channels_file(folder.media / name, rate, folder.audio_cache)
            decoded = raw.stat().st_size // (4 * channels)
            length = int(round(duration * rate))
            parts.append(_Part(raw, channels, start, length, decoded))
            start += length
        self._parts = parts
        self.length = start
        self.channels = max((p.channels for p in parts), default=1)
        self._weights: np.ndarray | None = mix_weights

    def __len__(self) -> int:
        return self.length

    def channels_between(self, first: int, last: int) -> np.ndarray:
        """Samples ``first:last`` of every channel, shape (samples, channels)."""
        first, last = max(0, first), min(self.length, last)
        out = np.zeros((max(0, last - first), self.channels), dtype=np.float32)
        for part in self._parts:
            lo, hi = max(first, part.start), min(last, part.start + part.length)
            if hi <= lo:
                continue
            inner = lo - part.start
            count = min(hi - lo, part.decoded - inner)
            if count <= 0:
                continue  # the fitted tail past the decoded sound stays silent
            data = np.fromfile(
                part.raw, dtype="<f4", count=count * part.channels,
                offset=inner * part.channels * 4,
            ).reshape(-1, part.channels)  # fmt: skip
            out[lo - first : lo - first + len(data), : part.channels] = data
        return out

    def blocks(self, seconds: float = BLOCK_SECONDS):
        """(first sample, channels) blocks covering the whole recording in order."""
        step = int(seconds * self.rate)
        for first in range(0, self.length, step):
            yield first, self.channels_between(first, first + step)

    @property
    def mix_weights(self) -> np.ndarray:
        """Per-channel weights for the mono mix: 0 for silent channels, -1 for inverted ones."""
        if self._weights is None:
            energy = np.zeros(self.channels)
            for _, block in self.blocks():
                energy += np.einsum("ij,ij->j", block, block)
            reference = int(np.argmax(energy))
            correlation = np.zeros(self.channels)
            for _, block in self.blocks():
                correlation += block.T @ block[:, reference]
            floor = energy[reference] * 10 ** (SILENT_CHANNEL_DB / 10)
            weights = np.where(energy > floor, np.where(correlation < 0, -1.0, 1.0), 0.0)
            self._weights = (weights / max(1.0, np.count_nonzero(weights))).astype(np.float32)
        return self._weights

    def mono_between(self, first: int, last: int) -> np.ndarray:
        """The mono mix of samples ``first:last``, mixed block by block (one copy in memory)."""
        first, last = max(0, first), min(self.length, last)
        out = np.empty(max(0, last - first), dtype=np.float32)
        step = BLOCK_SECONDS * self.rate
        for lo in range(first, last, step):
            hi = min(last, lo + step)
            out[lo - first : hi - first] = self.channels_between(lo, hi) @ self.mix_weights
        return out

    def __getitem__(self, span: slice) -> np.ndarray:
        first, last, step = span.indices(self.length)
        if step != 1:
            raise ValueError("RecordingSound reads contiguous ranges only")
        return self.mono_between(first, last)
