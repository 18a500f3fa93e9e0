"""Speaker labels from a multitrack recorder: one lavalier per person, one track each.

Each word goes to the person whose mapped track is clearly the loudest while it is spoken;
segments are split where the speaker changes, so a question and its answer become two
segments with their own speaker.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.session import Session
from pipeline.session.artifacts.transcript import Segment

DOMINANCE_DB = 6.0
"""The winning track must be this much louder than the next mapped one."""

ChannelReader = Callable[[int, int], np.ndarray]
"""(first sample, last sample) -> samples of every channel, shape (samples, channels)."""


def channel_map(session: Session, channels: int) -> dict[int, str]:
    """0-based track -> person, for the people session.yaml maps to an existing track."""
    people = [p for p in [session.facilitator, *session.speakers] if p is not None]
    return {p.channel - 1: p.name for p in people if p.channel and p.channel <= channels}


def dominant_speaker(
    samples: np.ndarray, mapping: dict[int, str], dominance_db: float = DOMINANCE_DB
) -> str | None:
    """The person whose track is ``dominance_db`` louder than every other mapped track."""
    if not mapping or not len(samples):
        return None
    tracks = sorted(mapping)
    energy = np.einsum("ij,ij->j", samples[:, tracks], samples[:, tracks])
    order = np.argsort(energy)[::-1]
    best = energy[order[0]]
    if best <= 0:
        return None
    if len(order) > 1 and best < energy[order[1]] * 10 ** (dominance_db / 10):
        return None
    return mapping[tracks[order[0]]]


def _split(segment: Segment, speakers: list[str | None]) -> list[Segment]:
    # an unclear word belongs with the speaker before it (or after, at the start)
    known = next((s for s in speakers if s), None)
    filled = []
    for speaker in speakers:
        known = speaker or known
        filled.append(known)
    pieces: list[Segment] = []
    start = 0
    for index in range(1, len(filled) + 1):
        if index == len(filled) or filled[index] != filled[start]:
            pieces.append(segment.with_words(segment.words[start:index], speaker=filled[start]))
            start = index
    return pieces


def label_speakers(
    segments: list[Segment],
    read: ChannelReader,
    rate: int,
    mapping: dict[int, str],
    origin_ms: int = 0,
) -> list[Segment]:
    """Segments labelled (and split) by the dominant mapped track; times in ms from
    ``origin_ms`` of the reader's sample 0."""
    if not mapping:
        return segments

    def samples(start_ms: int, end_ms: int) -> np.ndarray:
        first = (start_ms - origin_ms) * rate // 1000
        return read(first, max((end_ms - origin_ms) * rate // 1000, first + 1))

    labelled = []
    for segment in segments:
        speakers = [dominant_speaker(samples(w.start_ms, w.end_ms), mapping) for w in segment.words]
        if not any(speakers):
            # both talking at once ("Bonsoir." said over the other's "Bonsoir."): the louder
            # track over the whole segment rather than no one
            loudest = dominant_speaker(samples(segment.start_ms, segment.end_ms), mapping, 0.0)
            speakers = [loudest] * len(speakers)
        labelled.extend(_split(segment, speakers))
    return labelled
