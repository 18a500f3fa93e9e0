"""The sound cuts are placed by, on the session clock: the recording the transcript was made
from, and, for a film cutting other sessions (``session/siblings.py``), theirs at their
places, with their words."""

from __future__ import annotations

import numpy as np

from pipeline.audio.sound import RecordingSound
from pipeline.audio.source import best_sound
from pipeline.core.errors import CaptureError
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Word, load_transcript
from pipeline.session.siblings import Sibling, sibling_name_at
from pipeline.timeline.quotes import transcript_words_in_order
from pipeline.timeline.speech import SessionSound

SOUND_RATE = 16_000
"""The rate the session's sound is read at to find the quietest point of a pause (the
transcription's: its decode is already cached)."""


_OPENED: dict[tuple[str, ...], RecordingSound] = {}
"""Recordings opened for their sound, per process: the mono mix's weights are measured over
the whole recording once (some 10 s for two hours), not once per film."""


def session_sound(loaded: LoadedSession) -> SessionSound | None:
    """The sound the transcript was made from, on the session clock, opened when first read
    (None when the session has none yet). A recording that cannot be read gives NaN: the
    cut is then placed by the words alone, never refused for it."""
    try:
        source = best_sound(loaded)
    except (CaptureError, OSError):
        return None
    recording = source.recording
    key = (str(loaded.root), recording.id, *recording.files, *map(str, recording.part_durations))

    def read(first_ms: int, last_ms: int) -> np.ndarray:
        scale = (1 + source.drift) * SOUND_RATE / 1000
        first = round((first_ms - source.offset_s * 1000) * scale)
        count = max(0, round((last_ms - source.offset_s * 1000) * scale) - first)
        out = np.full(count, np.nan, dtype=np.float32)
        try:
            if key not in _OPENED:
                _OPENED[key] = RecordingSound(loaded.folder, recording, SOUND_RATE)
            sound = _OPENED[key]
            lo, hi = max(0, first), min(len(sound), first + count)
            if hi > lo:
                out[lo - first : hi - first] = sound.mono_between(lo, hi)
        except (CaptureError, OSError, ValueError):
            pass  # no sound to measure: every moment of the pause is as good
        return out

    return SessionSound(read, SOUND_RATE)


def with_other_sessions(
    loaded: LoadedSession, own: list[Word], siblings: list[Sibling]
) -> tuple[list[Word], SessionSound | None, dict[str, list[Word]]]:
    """The words and sound cuts are placed around, on this session's clock: its own, and
    each other session's at its place (``session/siblings.py``); and each other session's
    words on its own clock, where its quotes are found."""
    theirs = {s.name: transcript_words_in_order(load_transcript(s.loaded.folder)) for s in siblings}
    shifted = [w.model_copy(update={"start_ms": s.to_host(w.start_ms),
                                    "end_ms": s.to_host(w.end_ms)})
               for s in siblings for w in theirs[s.name]]  # fmt: skip
    words = sorted([*own, *shifted], key=lambda w: w.start_ms) if shifted else own
    if not words:
        return words, None, theirs
    if not siblings:
        return words, session_sound(loaded), theirs
    sounds = {None: (0, session_sound(loaded)),
              **{s.name: (s.base_ms, session_sound(s.loaded)) for s in siblings}}  # fmt: skip

    def read(first_ms: int, last_ms: int) -> np.ndarray:
        shift, sound = sounds[sibling_name_at(first_ms, list(theirs))]
        if sound is None:
            count = max(0, round((last_ms - first_ms) * SOUND_RATE / 1000))
            return np.full(count, np.nan, dtype=np.float32)
        return sound.read(first_ms - shift, last_ms - shift)

    return words, SessionSound(read, SOUND_RATE), theirs
