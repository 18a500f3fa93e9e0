"""The alignment algorithm on long synthetic recordings (numpy only, no files)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.sync.align import SYNC_RATE, align

pytestmark = pytest.mark.slow


def _room(seconds: float, seed: int = 3) -> np.ndarray:
    """Speech-like sound at the sync rate: noise bursts of random length and level."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(int(0.1 * SYNC_RATE), int(0.6 * SYNC_RATE), size=int(seconds * 4))
    levels = rng.choice([0.0, 0.02, 0.1, 0.3], p=[0.25, 0.15, 0.3, 0.3], size=len(lengths))
    envelope = np.repeat(levels, lengths)[: int(seconds * SYNC_RATE)].astype(np.float32)
    return envelope * rng.standard_normal(len(envelope)).astype(np.float32)


def _record(
    room: np.ndarray,
    start: float,
    seconds: float,
    drift_ppm: float,
    seed: int,
    hiss: float = 0.01,
    thin: bool = False,
):
    """What a device starting at ``start`` hears, its clock running ``drift_ppm`` fast,
    through its own microphone (a short echo; ``thin``: no low end) and with its own hiss."""
    rng = np.random.default_rng(seed)
    factor = 1 + drift_ppm * 1e-6
    positions = start * SYNC_RATE + np.arange(int(seconds * factor * SYNC_RATE)) / factor
    heard = np.interp(positions, np.arange(len(room)), room).astype(np.float32)
    if thin:
        heard = np.concatenate([[0.0], np.diff(heard)]).astype(np.float32)
    echo = np.zeros_like(heard)
    delay = int(0.023 * SYNC_RATE)
    echo[delay:] = 0.4 * heard[:-delay]
    return heard + echo + hiss * rng.standard_normal(len(heard)).astype(np.float32)


@pytest.mark.parametrize(
    ("minutes", "drift_ppm"), [(30, 0.0), (30, 100.0), (30, -150.0), (120, 150.0)]
)
def test_long_recordings_with_drift(minutes: int, drift_ppm: float) -> None:
    """Two hours at 150 ppm: the recorder ends more than a second away from the camera, whose
    thin, hissing microphone makes a whole-recording correlation hopeless."""
    room = _room((minutes + 2) * 60)
    recorder = _record(room, 0.0, (minutes + 1) * 60, drift_ppm, seed=1, hiss=0.002)
    camera = _record(room, 47.3, (minutes - 1) * 60, 0.0, seed=2, hiss=0.05, thin=True)
    found = align(recorder, camera)
    assert found is not None and found.confidence > 0.8
    # the camera starts at 47.3 s of true time, i.e. 47.3 x (1 + drift) in the recorder
    assert found.offset == pytest.approx(47.3 * (1 + drift_ppm * 1e-6), abs=0.002)
    assert found.drift * 1e6 == pytest.approx(drift_ppm, abs=3.0)


def test_no_common_sound_has_low_confidence() -> None:
    a = _record(_room(300, seed=5), 0.0, 280, 0.0, seed=1)
    b = _record(_room(300, seed=6), 0.0, 280, 0.0, seed=2)
    found = align(a, b)
    assert found is None or found.confidence < 0.5


def test_a_short_reference_inside_a_long_target() -> None:
    """A recorder switched on for three minutes in the middle of a half-hour camera take."""
    room = _room(31 * 60)
    recorder = _record(room, 180.0, 180.0, 0.0, seed=1, hiss=0.002)
    camera = _record(room, 0.0, 30 * 60, 0.0, seed=2, hiss=0.05, thin=True)
    found = align(recorder, camera)
    assert found is not None
    assert found.offset == pytest.approx(-180.0, abs=0.002) and found.confidence > 0.8


def _looped(loop_seconds: float, seconds: float, room_level: float) -> np.ndarray:
    """Speech that repeats every ``loop_seconds`` (a looped recording, a jingle), under the
    room's own noise, which never repeats (``room_level`` 0: none)."""
    speech = np.tile(_room(loop_seconds), int(seconds / loop_seconds) + 1)[
        : int(seconds * SYNC_RATE)
    ]
    return (speech + room_level * _room(seconds, seed=11)).astype(np.float32)


@pytest.mark.parametrize("loop_seconds", [30.0])  # 60 s loops: bench/bench_sync_long.py
def test_repeated_speech_is_placed_where_the_room_noise_agrees(loop_seconds: float) -> None:
    """Every repetition of the speech fits; only the true place also fits the room's noise.
    Before, such cameras were placed whole loops away with confidence 1.0 (the windows on a
    wrong repetition agree too), or a right estimate was refused as "uncertain (confidence
    1.00)"."""
    minutes = 12
    room = _looped(loop_seconds, (minutes + 2) * 60, room_level=0.3)
    recorder = _record(room, 0.0, (minutes + 1) * 60, 80.0, seed=1, hiss=0.002)
    camera = _record(room, 47.3, (minutes - 1) * 60, 0.0, seed=2, hiss=0.05, thin=True)
    found = align(recorder, camera)
    assert found is not None and found.confidence > 0.8 and found.distinct
    assert found.offset == pytest.approx(47.3 * (1 + 80e-6), abs=0.002)
    assert found.drift * 1e6 == pytest.approx(80.0, abs=3.0)
    assert 0.8 < found.wins <= 1.0 and found.compared > 50


def _darker(sound: np.ndarray, pole: float) -> np.ndarray:
    """``sound`` through a one-pole low-pass: most of its energy low, as in speech (0.9) or
    in a room's rumble (0.99)."""
    response = pole ** np.arange(int(5 / (1 - pole)))
    return np.convolve(sound, response)[: len(sound)].astype(np.float32)


@pytest.mark.parametrize("camera_start", [47.3, -100.0])
def test_a_faint_rumble_tells_repeated_speech_apart(camera_start: float) -> None:
    """Speech looped every five minutes, dark like real speech, over a room rumble 34 dB below
    it that never repeats; the camera adds its own hiss, which drowns the speech's top. The
    correlation heights at two repetitions differ by less than their noise (before, such
    cameras were refused as "ambiguous", as on the two-hour benchmark); what differs between
    the two places, the rumble, still says where the camera was. The camera starting before
    the recorder (-100 s) overlaps it less at the true place than at a repetition."""
    minutes, loop = 12, 300.0
    speech = np.tile(_darker(_room(loop), 0.9), 4)[: (minutes + 2) * 60 * SYNC_RATE]
    rumble = _darker(np.random.default_rng(11).standard_normal(len(speech)), 0.99)
    room = speech + 0.02 * float(np.std(speech) / np.std(rumble)) * rumble
    level = float(np.std(speech))
    before = max(0.0, -camera_start)
    recorder = _record(room, before, (minutes + 1) * 60 - before, 100.0, seed=1,
                       hiss=0.013 * level)  # fmt: skip
    camera = _record(room, before + camera_start, (minutes - 1) * 60, 0.0, seed=2,
                     hiss=0.1 * level)  # fmt: skip
    found = align(recorder, camera)
    assert found is not None and found.distinct
    assert found.offset == pytest.approx(camera_start * (1 + 100e-6), abs=0.002)
    assert found.drift * 1e6 == pytest.approx(100.0, abs=3.0)


def test_sound_that_fits_two_places_alike_is_not_distinct() -> None:
    """A loop with no room noise of its own: nothing tells the repetitions apart, so the
    placement is reported as ambiguous rather than trusted."""
    room = _looped(30.0, 8 * 60, room_level=0.0)
    recorder = _record(room, 0.0, 7 * 60, 0.0, seed=1, hiss=0.002)
    camera = _record(room, 47.3, 5 * 60, 0.0, seed=2, hiss=0.05)
    found = align(recorder, camera)
    assert found is not None and not found.distinct


def test_silence_is_not_placed_and_does_not_stop_sync() -> None:
    """A muted camera (digital zeros) longer than the chunked search: it ended in an
    IndexError that stopped the whole sync."""
    reference = _record(_room(200), 0.0, 190, 0.0, seed=1)
    for seconds in (60, 150):
        found = align(reference, np.zeros(seconds * SYNC_RATE, np.float32))
        assert found is None or found.confidence < 0.5
    found = align(np.zeros(200 * SYNC_RATE, np.float32), reference[: 150 * SYNC_RATE])
    assert found is None or found.confidence < 0.5
