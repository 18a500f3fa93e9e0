"""Sync at real length (``make bench-long``, not part of ``make bench``): a 2-hour Rencontre
filmed by two cameras and a sound recorder whose clock drifts, placed by their sound alone.

The room: the real French speech set (``../shared/speech-fr``, read where it lies) laid out
as a debate three times in three orders (about 14 minutes), looped to two hours under a
brown room noise that never repeats (the sound every device hears), with applause. Each
device hears it its own way:

* the recorder starts first (session 0) and stops at 2:00:00; its clock runs
  ``DRIFT_PPM`` fast (resampled 48000→47995 Hz: +104 ppm, 0.75 s over the evening);
* camera A starts at 3.2 s, camera B at 10 min 11.37 s and runs 30 s past the recorder's
  end; each adds its own microphone hiss and a low-pass, and records AAC beside the picture
  (640×360, a one-minute picture looped by copy, shared with ``bench_long``).

``capture ingest`` and ``capture sync`` then run as the videographer runs them, with no
manual offset: the figures are each camera's error against the truth (the issue's bound:
40 ms), the recorder's measured drift, sync's wall time and the peak memory of this
process (the sync runs in it). Media are made once and cached under bench/.cache/sync-long/.
"""

from __future__ import annotations

import resource
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ON_REQUEST = True
CACHE = Path(__file__).resolve().parent / ".cache" / "sync-long"
SECONDS = 7200.0
RATE = 48_000
RECORDER_RATE = 47_995
"""The recorder's samples, taken 48000 a second by a clock running fast, played at 48000."""
DRIFT_PPM = (RATE / RECORDER_RATE - 1) * 1e6
CAMERAS = {"A": (3.2, SECONDS), "B": (611.37, SECONDS + 30.0)}
"""Each camera's start and end on the session clock (true time)."""
FF = ["ffmpeg", "-v", "error", "-y", "-nostdin"]


def _room() -> Path:
    """The room's sound for 2 h 01 min (48 kHz mono FLAC)."""
    import realspeech

    path = CACHE / "room.flac"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    programme = CACHE / "programme.wav"
    if not programme.exists():
        realspeech.build_programme(programme, realspeech.DEBATE_ORDER, rounds=3, noise_db=-90)
    length = max(end for _, end in CAMERAS.values()) + 10
    partial = path.with_suffix(".partial.flac")
    subprocess.run([*FF, "-stream_loop", "-1", "-i", str(programme),
                    "-f", "lavfi", "-i", f"anoisesrc=color=brown:seed=11:amplitude=0.02:r={RATE}",
                    "-filter_complex", "[0:a]aformat=channel_layouts=mono[s];"
                    "[s][1:a]amix=inputs=2:normalize=0:duration=shortest[room]",
                    "-map", "[room]", "-t", str(length), "-ar", str(RATE), "-c:a", "flac",
                    str(partial)], check=True)  # fmt: skip
    partial.rename(path)
    return path


def _recorder(room: Path) -> Path:
    card = CACHE / "cards" / "recorder"
    path = card / "ZOOM0001.WAV"
    if not path.exists():
        card.mkdir(parents=True, exist_ok=True)
        partial = card / ".ZOOM0001.partial.wav"
        subprocess.run([*FF, "-i", str(room), "-af",
                        f"atrim=end={SECONDS},asetrate={RECORDER_RATE},aresample={RATE}",
                        "-c:a", "pcm_s16le", "-f", "wav", str(partial)], check=True)  # fmt: skip
        partial.rename(path)
    return card


def _picture() -> Path:
    """Two hours and a minute of 640x360 25 fps picture (a one-minute test card looped by
    copy), cached beside bench_long's."""
    path = CACHE / "picture.mp4"
    if not path.exists():
        unit = CACHE / "unit.mp4"
        subprocess.run([*FF, "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=60",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", str(unit)],
                       check=True)  # fmt: skip
        subprocess.run([*FF, "-stream_loop", "-1", "-i", str(unit), "-c", "copy",
                        "-t", str(SECONDS + 60), str(path)], check=True)  # fmt: skip
    return path


def _camera(name: str, room: Path, picture: Path, seed: int) -> Path:
    start, end = CAMERAS[name]
    card = CACHE / "cards" / f"cam-{name}"
    path = card / "C0001.MP4"
    if not path.exists():
        card.mkdir(parents=True, exist_ok=True)
        partial = card / ".C0001.partial.mp4"
        heard = (f"[0:a]atrim=start={start}:end={end},asetpts=PTS-STARTPTS,volume=0.7,"
                 "lowpass=f=7000[own];"
                 f"anoisesrc=color=pink:seed={seed}:amplitude=0.004:r={RATE}[hiss];"
                 "[own][hiss]amix=inputs=2:normalize=0:duration=first[sound]")  # fmt: skip
        subprocess.run([*FF, "-i", str(room), "-i", str(picture), "-filter_complex", heard,
                        "-map", "1:v", "-map", "[sound]", "-t", str(end - start),
                        "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                        str(partial)], check=True)  # fmt: skip
        partial.rename(path)
    return card


def _session(work: Path, cards: dict[str, Path]) -> Path:
    from pipeline.session import Session

    folder = work / "soiree-longue"
    folder.mkdir(parents=True)
    data = {
        "slug": "soiree-longue", "title": "Une soirée de deux heures",
        "date": date(2026, 3, 12).isoformat(), "language": "fr",
        "cameras": [{"name": "A", "role": "wide", "label": "Plan large"},
                    {"name": "B", "role": "close", "label": "Plan serré"},
                    {"name": "recorder", "role": "recorder", "label": "Enregistreur"}],
        "sources": [{"path": str(card), "camera": camera} for camera, card in cards.items()],
    }  # fmt: skip
    Session.model_validate(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / "session.yaml").write_text(text, encoding="utf-8")
    return folder


def run() -> dict[str, object]:
    from pipeline.ingest.run import ingest_declared
    from pipeline.session import load_session
    from pipeline.sync.run import run_sync

    room = _room()
    picture = _picture()
    cards = {"A": _camera("A", room, picture, 21), "B": _camera("B", room, picture, 22),
             "recorder": _recorder(room)}  # fmt: skip
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:  # the media copy: same disk
        loaded = load_session(_session(Path(folder), cards))
        started = time.monotonic()
        ingest_declared(loaded)
        ingest_s = time.monotonic() - started
        started = time.monotonic()
        result = run_sync(load_session(loaded.root))
        sync_s = time.monotonic() - started
    placed = {p.camera: p for p in result.placements}
    figures: dict[str, object] = {
        "session_seconds": SECONDS,
        "ingest_s": round(ingest_s, 1),
        "sync_s": round(sync_s, 1),
        "sync_x_real_time": round(SECONDS / sync_s, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "recorder_drift_true_ppm": round(DRIFT_PPM, 2),
    }
    for camera, (start, _) in CAMERAS.items():
        found = placed.get(camera)
        figures[f"camera_{camera}"] = {
            "true_offset_s": start,
            "found_offset_s": None if found is None else found.offset_s,
            "error_ms": None if found is None or found.offset_s is None
            else round((found.offset_s - start) * 1000, 1),
            "method": None if found is None else found.method,
            "confidence": None if found is None else found.offset_confidence,
            "drift_ppm": None if found is None else found.drift_ppm,
        }  # fmt: skip
    recorder = placed.get("recorder")
    figures["recorder_drift_found_ppm"] = None if recorder is None else recorder.drift_ppm
    figures["problems"] = [f"{p.camera}: {problem}" for p in result.placements
                           for problem in p.problems]  # fmt: skip
    return figures
