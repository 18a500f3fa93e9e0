"""Transcription: the pipeline against the raw faster-whisper engine on the demo Rencontre.

Both run in their own process on the same sound (the recorder, mixed to mono 16 kHz) with
the same base model, French forced. Reported: real-time factor (wall time / audio duration),
peak memory, word error rate against the script in truth.json, speaker names spelled right
with and without the glossary, and the pipeline's overhead over the raw engine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _TimedEngine:
    """Forwards to the real engine and adds up the time spent inside it, so the pipeline's
    own work (decoding, guards, checkpoints, second look) can be told from the model's."""

    def __init__(self, engine) -> None:
        self.engine, self.name, self.seconds, self.calls = engine, engine.name, 0.0, 0

    def transcribe(self, audio, **options):
        started = time.monotonic()
        try:
            return self.engine.transcribe(audio, **options)
        finally:
            self.seconds += time.monotonic() - started
            self.calls += 1


CACHE = HERE / ".cache" / "transcribe"
sys.path[:0] = [str(HERE.parent), str(HERE)]


def _prepare() -> Path:
    from pipeline.ingest.run import ingest_declared
    from pipeline.samples.generate import generate_sample
    from pipeline.session import load_session
    from pipeline.sync.run import run_sync

    session = CACHE / "manger-local-2040"
    if not (session / "work" / "sync.json").is_file():
        generate_sample(CACHE, tiny=False, force=True)
        loaded = load_session(session)
        ingest_declared(loaded)
        run_sync(loaded)
    return session


def _audio_worker(kind: str, wav: str, out: str) -> None:
    """Peak memory of the pipeline's own audio work on one recording: decode cache, speech
    level, quiet chunk ends, every chunk read once ("streamed"), or the whole recording
    loaded at once as before ("whole")."""
    from pipeline.audio.decode import joined_mono
    from pipeline.audio.sound import RecordingSound
    from pipeline.core.probe import probe
    from pipeline.session import SessionFolder
    from pipeline.session.artifacts.ingest import Recording
    from pipeline.transcription import guards
    from pipeline.transcription.run import chunk_bounds

    source = Path(wav)
    folder = SessionFolder(CACHE / f"audio-{source.stem}")
    folder.media.mkdir(parents=True, exist_ok=True)
    link = folder.media / source.name
    if not link.exists():
        link.symlink_to(source)
    duration = probe(source, check_vfr=False).duration
    started = time.monotonic()
    if kind == "whole":
        audio = joined_mono([link], [duration], 16_000, folder.audio_cache)
        guards.speech_level(audio, 16_000)
        chunk_bounds(audio, 16_000, 600.0)
    else:
        recording = Recording(
            id="recorder/x", camera="recorder", files=[source.name],
            part_durations=[duration], duration_s=duration, has_video=False, has_audio=True,
        )  # fmt: skip
        sound = RecordingSound(folder, recording, 16_000)
        guards.speech_level(sound, 16_000)
        for first, last in chunk_bounds(sound, 16_000, 600.0):
            sound[first:last]
    Path(out).write_text(
        json.dumps(
            {
                "audio_s": duration,
                "wall_s": time.monotonic() - started,
                "peak_mb": _peak_mb(),
            }
        ),
        encoding="utf-8",
    )


def _worker(kind: str, folder: str, out: str) -> None:
    """One measured run in this process; writes its figures and words to ``out``."""
    import shutil

    from pipeline.audio.sound import RecordingSound
    from pipeline.audio.source import best_sound
    from pipeline.session import Glossary, load_session
    from pipeline.transcription.engines import SAMPLE_RATE
    from pipeline.transcription.quality import raw_engine_text
    from pipeline.transcription.run import (
        make_engine,
        resolve_model,
        run_transcribe,
    )

    loaded = load_session(Path(folder))
    source = best_sound(loaded)
    duration = source.recording.duration_s
    started = time.monotonic()
    timed: dict[str, float] = {}
    if kind == "raw":
        audio = RecordingSound(loaded.folder, source.recording, SAMPLE_RATE)[:]
        text = raw_engine_text(resolve_model("base"), audio, "fr")
    else:
        if kind == "pipeline-no-glossary":
            session = loaded.session.model_copy(update={"glossary": Glossary()})
            loaded = type(loaded)(session=session, folder=loaded.folder)
        shutil.rmtree(loaded.folder.work / "transcribe", ignore_errors=True)
        engine = _TimedEngine(make_engine("faster-whisper", "base"))
        loaded_at = time.monotonic()
        text = run_transcribe(loaded, engine=engine, model="base").text
        timed = {
            "load_s": loaded_at - started,
            "engine_s": engine.seconds,
            "engine_calls": engine.calls,
            "own_s": time.monotonic() - loaded_at - engine.seconds,
        }
    wall = time.monotonic() - started
    found = {"wall_s": wall, "audio_s": duration, "peak_mb": _peak_mb(), "text": text}
    Path(out).write_text(json.dumps({**found, **timed}), encoding="utf-8")


def _measure(kind: str, target: Path, worker: str = "worker") -> dict:
    out = CACHE / f"{worker}-{kind}-{target.stem}.json"
    subprocess.run([sys.executable, __file__, worker, kind, str(target), str(out)], check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def _memory_with_duration(session: Path) -> dict[str, object]:
    """Flat memory: the audio path on the demo recorder (3 min) and on a 2-hour recording."""
    long = HERE / ".cache" / "two-hours-100ppm" / "recorder" / "ZOOM0001.WAV"
    if not long.is_file():
        import tempfile

        from bench_ingest import _two_hour_session  # builds the 2-hour cards once

        with tempfile.TemporaryDirectory() as work:
            _two_hour_session(Path(work))
    (short,) = (session / "media" / "recorder").rglob("*.WAV")
    figures: dict[str, object] = {}
    for label, wav in (("demo", short), ("two_hours", long)):
        for kind in ("streamed", "whole"):
            _measure(kind, wav, "audio")  # first pass fills the decode cache
            found = _measure(kind, wav, "audio")
            figures[f"{label}_{kind}_peak_mb"] = round(found["peak_mb"])
        figures[f"{label}_audio_s"] = round(found["audio_s"])
    return figures


def run() -> dict[str, object]:
    from pipeline.samples import script as S
    from pipeline.transcription.quality import spelled, word_error_rate

    session = _prepare()
    truth = json.loads((CACHE / "truth.json").read_text(encoding="utf-8"))
    reference = " ".join(line["text"] for line in truth["script"])
    names = sorted({v.name for v in S.CAST.values() if v.key != "room"})
    names = [n for n in names if n in reference]
    _measure("pipeline", session)  # warm the decode cache and the model files
    runs = {kind: _measure(kind, session) for kind in ("raw", "pipeline", "pipeline-no-glossary")}
    figures: dict[str, object] = {"audio_seconds": round(runs["raw"]["audio_s"], 1)}
    for kind, found in runs.items():
        figures[kind] = {
            "real_time_factor": round(found["wall_s"] / found["audio_s"], 3),
            "peak_memory_mb": round(found["peak_mb"]),
            "word_error_rate": round(word_error_rate(reference, found["text"]), 3),
            "names_spelled_right": [n for n in names if spelled(n, found["text"])],
        }
    figures["names_in_script"] = names
    figures["audio_path_memory"] = _memory_with_duration(session)
    own = runs["pipeline"]
    figures["pipeline_model_calls"] = own["engine_calls"]
    figures["pipeline_own_work_over_model_time"] = round(own["own_s"] / own["engine_s"], 3)
    figures["pipeline_over_raw_time"] = round(runs["pipeline"]["wall_s"] / runs["raw"]["wall_s"], 3)
    figures["pipeline_over_raw_memory"] = round(
        runs["pipeline"]["peak_mb"] / runs["raw"]["peak_mb"], 3
    )
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        _worker(*sys.argv[2:5])
    elif sys.argv[1:2] == ["audio"]:
        _audio_worker(*sys.argv[2:5])
    else:
        print(json.dumps(run(), indent=2))
