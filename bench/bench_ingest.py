"""Ingest and sync: verified offload against `cp`, and sync time on 2-hour recordings.

* offload: the same ~1.5 GB of card files copied by `cp` (then `sync`, so the data reaches the
  disk as ours does) and by capture's verified copy (hash while copying, fsync, drop the page
  cache, read back and hash again). Ratio = cp time / capture time (1.0 = as fast as cp).
* sync: a 2-hour stereo recorder WAV and two 2-hour camera files (tiny video, AAC sound cut
  from the same room at other offsets); time of `run_sync` from scratch, and the part of it
  that bare ffmpeg needs just to decode the three soundtracks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from pipeline.ingest.offload import verified_copy
from pipeline.ingest.plan import plan_ingest, resolve_sources
from pipeline.ingest.run import ingest_declared, run_ingest
from pipeline.samples.audio import write_wav_mono
from pipeline.session.scaffold import init_session
from pipeline.sync.run import run_sync

CACHE = Path(__file__).resolve().parent / ".cache"
RATE = 48_000
HOURS = 2.0
RECORDER_DRIFT_PPM = 100.0


def _card(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, size in enumerate((700, 500, 300), start=1):
        path = folder / f"A001_C{index:03d}.R3D"  # opaque camera files: copied, not probed
        if not path.exists() or path.stat().st_size != size * 1024 * 1024:
            with path.open("wb") as handle:
                for _ in range(size):
                    handle.write(os.urandom(1024 * 1024))
        files.append(path)
    return files


def _offload(work: Path) -> dict[str, float]:
    files = _card(CACHE / "card")
    total = sum(f.stat().st_size for f in files)
    for f in files:  # warm the source in the page cache for both contenders
        f.read_bytes()
    target = work / "cp"
    started = time.perf_counter()
    subprocess.run(["cp", "-r", str(CACHE / "card"), str(target)], check=True)
    cp_alone = time.perf_counter() - started
    subprocess.run(["sync"], check=True)
    cp_seconds = time.perf_counter() - started
    shutil.rmtree(target)
    started = time.perf_counter()
    for f in files:
        verified_copy(f, work / "ours" / f.name)
    ours = time.perf_counter() - started
    shutil.rmtree(work / "ours")
    session = init_session(work / "session", title="Débit", date=date(2026, 3, 12))
    started = time.perf_counter()
    plan = plan_ingest(session, resolve_sources(session, [CACHE / "card"], []))
    run_ingest(session, plan)  # + discovery, state, probing, ASC MHL generation
    whole = time.perf_counter() - started
    return {
        "whole_ingest_s": round(whole, 3),
        "whole_ingest_over_cp_throughput_ratio": round(cp_seconds / whole, 3),
        "offload_bytes": total,
        "cp_alone_s": round(cp_alone, 3),
        "cp_then_sync_s": round(cp_seconds, 3),
        "verified_copy_over_cp_alone_throughput_ratio": round(cp_alone / ours, 3),
        "verified_copy_s": round(ours, 3),
        "verified_copy_mb_per_s": round(total / ours / 1e6, 1),
        "verified_copy_over_cp_throughput_ratio": round(cp_seconds / ours, 3),
    }


def _room(seconds: float) -> np.ndarray:
    """Speech-like sound: noise bursts of random length and level with pauses."""
    rng = np.random.default_rng(2)
    n = int(seconds * RATE)
    out = np.empty(n, dtype=np.float32)
    position = 0
    while position < n:
        length = int(rng.uniform(0.1, 0.6) * RATE)
        level = rng.choice([0.0, 0.02, 0.1, 0.3], p=[0.25, 0.15, 0.3, 0.3])
        piece = rng.standard_normal(min(length, n - position)).astype(np.float32) * level
        out[position : position + len(piece)] = piece
        position += len(piece)
    return out


def _write_drifting(room: np.ndarray, seconds: float, path: Path) -> None:
    """The room as a recorder running RECORDER_DRIFT_PPM fast hears it (16-bit mono WAV),
    resampled by chunks to keep memory flat."""
    import wave

    factor = 1 + RECORDER_DRIFT_PPM * 1e-6
    total = int(seconds * factor * RATE)
    chunk = 10_000_000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for first in range(0, total, chunk):
            positions = np.arange(first, min(total, first + chunk), dtype=np.float64) / factor
            base = int(positions[0])
            window = room[base : base + len(positions) + 2]
            part = np.interp(positions - base, np.arange(len(window)), window)
            out.writeframes((np.clip(part, -1, 1) * 32767).astype("<i2").tobytes())


def _two_hour_session(work: Path) -> Path:
    cards = CACHE / f"two-hours-{RECORDER_DRIFT_PPM:g}ppm"
    recorder = cards / "recorder" / "ZOOM0001.WAV"
    offsets = {"A": 37.25, "B": 912.5}
    if not recorder.exists():
        room = _room(HOURS * 3600 + 1000)
        write_wav_mono(cards / "room.wav", room)
        recorder.parent.mkdir(parents=True, exist_ok=True)
        drifting = cards / "recorder.16bit.wav"
        _write_drifting(room, HOURS * 3600, drifting)
        del room
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(drifting),
                "-ac",
                "2",
                "-c:a",
                "pcm_s24le",
                str(recorder),
            ],
            check=True,
        )
        drifting.unlink()
        for camera, offset in offsets.items():
            out = cards / f"cam-{camera}" / "C0001.MP4"
            out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    f"color=gray:size=64x36:rate=25:duration={HOURS * 3600 - offset}",
                    "-ss",
                    str(offset),
                    "-i",
                    str(cards / "room.wav"),
                    "-t",
                    str(HOURS * 3600 - offset),
                    "-af",
                    "aecho=0.9:0.8:41:0.3,highpass=f=120",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-c:a",
                    "aac",
                    "-shortest",
                    str(out),
                ],
                check=True,
            )
        (cards / "room.wav").unlink()
    session = init_session(work / "session", title="Deux heures", date=date(2026, 3, 12))
    yaml_file = session.folder.session_file
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8").replace(
            "sources: []", f"sources: [{cards / 'cam-A'}, {cards / 'cam-B'}, {cards / 'recorder'}]"
        ),
        encoding="utf-8",
    )
    return session.root


def _sync(work: Path) -> dict[str, float]:
    from pipeline.session import load_session

    root = _two_hour_session(work)
    loaded = load_session(root)
    ingest_declared(loaded)
    started = time.perf_counter()
    result = run_sync(loaded)
    sync_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for media in sorted(loaded.folder.media.rglob("*")):
        if media.suffix in (".MP4", ".WAV"):
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-i",
                    str(media),
                    "-vn",
                    "-ar",
                    "8000",
                    "-f",
                    "f32le",
                    "-y",
                    "/dev/null",
                ],
                check=True,
            )
    decode_seconds = time.perf_counter() - started
    offsets = {p.camera: p.offset_s for p in result.placements}
    drift = next(p.drift_ppm for p in result.placements if p.camera == "recorder")
    return {
        "recorder_drift_ppm_truth": RECORDER_DRIFT_PPM,
        "recorder_drift_ppm_measured": drift,
        "sync_2h_recorder_and_2_cameras_s": round(sync_seconds, 2),
        "bare_ffmpeg_decode_of_the_3_soundtracks_s": round(decode_seconds, 2),
        "sync_over_bare_decode_ratio": round(sync_seconds / decode_seconds, 3),
        "sync_offset_error_ms_camera_A": round(abs(offsets["cam-A"] - 37.25) * 1000, 2),
        "sync_offset_error_ms_camera_B": round(abs(offsets["cam-B"] - 912.5) * 1000, 2),
    }


def run() -> dict[str, float]:
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        figures = _offload(Path(folder))
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        figures |= _sync(Path(folder))
    return figures
