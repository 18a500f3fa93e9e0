"""Sample audio in numpy: reading/writing PCM WAV, the room mix, applause and room tone."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 48_000


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV as float32 in [-1, 1] (channels averaged) and its sample rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM")
        frames = wav.readframes(wav.getnframes())
        channels = wav.getnchannels()
        rate = wav.getframerate()
    data = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def write_wav_mono(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    clipped = np.clip(samples, -1.0, 32767 / 32768)
    pcm = np.round(clipped * 32768.0).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def voiced_span(samples: np.ndarray, rate: int, threshold: float = 0.04) -> tuple[float, float]:
    """Start and end (seconds) of the part louder than ``threshold`` x the loudest 10 ms."""
    hop = rate // 100
    frames = len(samples) // hop
    if frames == 0:
        return 0.0, len(samples) / rate
    rms = np.sqrt(np.mean(samples[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    loud = np.flatnonzero(rms > threshold * rms.max())
    return float(loud[0] * hop / rate), float((loud[-1] + 1) * hop / rate)


def applause(seconds: float, rng: np.random.Generator, rate: int = RATE) -> np.ndarray:
    """A burst of clapping: many short decaying noise transients, swelling then fading."""
    n = int(round(seconds * rate))
    out = np.zeros(n, dtype=np.float32)
    clap_len = int(0.012 * rate)
    decay = np.exp(-np.linspace(0.0, 6.0, clap_len)).astype(np.float32)
    for start in rng.integers(0, max(1, n - clap_len), size=int(35 * seconds)):
        clap = rng.standard_normal(clap_len).astype(np.float32) * decay
        out[start : start + clap_len] += clap * rng.uniform(0.05, 0.2)
    ramp = min(n // 4, int(0.4 * rate))
    if ramp:
        out[:ramp] *= np.linspace(0.0, 1.0, ramp)
        out[-ramp:] *= np.linspace(1.0, 0.0, ramp)
    return out


def room_tone(n: int, rng: np.random.Generator, level: float = 0.002) -> np.ndarray:
    """Soft, slightly low-passed noise: ventilation and a hundred people sitting still."""
    noise = rng.standard_normal(n + 15).astype(np.float32)
    smoothed = np.convolve(noise, np.ones(16, dtype=np.float32) / 16, mode="valid")[:n]
    return smoothed * (level / max(1e-9, float(smoothed.std())))


def drift(samples: np.ndarray, drift_ppm: float) -> np.ndarray:
    """What a recorder whose clock runs ``drift_ppm`` fast captures: the same sound, lasting
    (1 + drift) times longer at the nominal rate (exact linear-interpolation resampling)."""
    if not drift_ppm:
        return samples
    factor = 1 + drift_ppm * 1e-6
    length = int(round(len(samples) * factor))
    positions = np.arange(length, dtype=np.float64) / factor
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
