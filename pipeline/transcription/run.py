"""``capture transcribe``: the session's best sound, in checkpointed chunks, to a transcript.

Chunks end in the quietest moment near every ``chunk_seconds``; each chunk's result is saved in
``work/transcribe/<run key>/`` as soon as it is done, so a killed run resumes where it stopped.
The run key covers everything the result depends on (engine, model, language, glossary, the
source's hashes), so a change starts a fresh run instead of mixing results.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline.audio_decode import recording_audio
from pipeline.errors import CaptureError, ExitCode
from pipeline.fsutil import atomic_write_text
from pipeline.ingest.run import state_file
from pipeline.ingest.state import Recording, load_state
from pipeline.progress import NullProgress, ProgressReporter
from pipeline.session import CameraRole, LoadedSession
from pipeline.sync_session import load_sync
from pipeline.transcription import guards, timing
from pipeline.transcription.engines import SAMPLE_RATE, Engine, FasterWhisperEngine
from pipeline.transcription.model_store import (
    ModelError,
    find_packaged_models,
    prepare_packaged_model,
)
from pipeline.transcription.transcript import (
    Segment,
    Transcript,
    TranscriptSource,
    Word,
    write_transcript,
)

QUIET_SEARCH_SECONDS = 15.0


class NothingToTranscribe(CaptureError):
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class SourceAudio:
    recording: Recording
    offset_s: float
    drift: float
    """Relative clock rate to undo: session time = offset + t / (1 + drift)."""


def resolve_model(spec: str) -> str:
    """A model folder path from --model: a path, an installed package, or a name to download."""
    path = Path(spec)
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path} is not a CTranslate2 Whisper model folder (no model.bin).")
        return str(path)
    packaged = [m for m in find_packaged_models() if m.name == spec]
    if packaged:
        return str(prepare_packaged_model(packaged[0]))
    return spec  # the engine downloads it when online; failures become ModelError


def choose_source(loaded: LoadedSession) -> SourceAudio:
    """The recorder when there is one, else a wide camera, else the longest recording with
    sound; it must have a place on the session clock."""
    sync = load_sync(loaded)
    recordings = [r for r in load_state(state_file(loaded)).recordings if r.usable and r.has_audio]
    if not recordings or sync is None:
        raise NothingToTranscribe(
            f"nothing to transcribe in {loaded.root}: run `capture ingest {loaded.root}` first"
        )

    def rank(recording: Recording) -> tuple[int, float]:
        camera = loaded.session.camera(recording.camera)
        role = camera.role if camera else (None if recording.has_video else CameraRole.RECORDER)
        order = {CameraRole.RECORDER: 0, CameraRole.WIDE: 1}.get(role, 2)  # type: ignore[arg-type]
        return order, -recording.duration_s

    for recording in sorted(recordings, key=rank):
        placement = sync.placement(recording.id)
        if placement is None or placement.offset_s is None:
            continue
        drift = placement.drift_ppm * 1e-6 if placement.drift_corrected else 0.0
        return SourceAudio(recording, placement.offset_s, drift)
    raise NothingToTranscribe("no recording with sound has a place on the session clock")


def chunk_bounds(audio: np.ndarray, rate: int, chunk_seconds: float) -> list[tuple[int, int]]:
    """Chunks of about ``chunk_seconds``, each ending in the quietest 0.5 s nearby."""
    bounds, start = [], 0
    chunk = int(chunk_seconds * rate)
    search = int(min(QUIET_SEARCH_SECONDS, chunk_seconds / 3) * rate)
    hop = rate // 2
    while len(audio) - start > chunk + search:
        nominal = start + chunk
        first, last = nominal - search, nominal + search
        frames = (last - first) // hop
        rms = np.sqrt(
            np.mean(audio[first : first + frames * hop].reshape(frames, hop) ** 2, axis=1)
        )
        end = first + int(np.argmin(rms)) * hop + hop // 2
        bounds.append((start, end))
        start = end
    bounds.append((start, len(audio)))
    return bounds


def _run_key(loaded: LoadedSession, source: SourceAudio, parameters: dict) -> str:
    files = {f.path: f.hash for f in load_state(state_file(loaded)).files}
    material = json.dumps(
        {"parameters": parameters, "files": [files.get(f) for f in source.recording.files]},
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _load_checkpoint(path: Path) -> list[Segment] | None:
    if not path.is_file():
        return None
    try:
        return [Segment.model_validate(s) for s in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, json.JSONDecodeError):
        return None  # a damaged checkpoint is simply redone


def _retime(segment: Segment, convert: Callable[[int], int]) -> Segment:
    """The segment with every time passed through ``convert``."""
    words = [
        w.model_copy(update={"start_ms": convert(w.start_ms), "end_ms": convert(w.end_ms)})
        for w in segment.words
    ]
    return segment.model_copy(
        update={
            "words": words,
            "start_ms": convert(segment.start_ms),
            "end_ms": convert(segment.end_ms),
        }
    )


def _session_clock(source: SourceAudio) -> Callable[[int], int]:
    """Recording ms -> session-clock ms (offset, and the recorder's drift undone)."""
    return lambda ms: round((source.offset_s + ms / 1000 / (1 + source.drift)) * 1000)


def join_words(words: list[Word]) -> str:
    """Words back into text: "l" + "'alimentation" gives "l'alimentation"."""
    text = " ".join(w.text for w in words)
    return re.sub(r"\s*(['’])\s*", r"\1", text)


def run_transcribe(
    loaded: LoadedSession,
    *,
    engine: Engine | None = None,
    model: str = "base",
    device: str = "cpu",
    chunk_seconds: float = 600.0,
    progress: ProgressReporter | None = None,
) -> Transcript:
    source = choose_source(loaded)
    session = loaded.session
    hotwords = ", ".join(session.glossary.all_terms()) or None
    model_ref = resolve_model(model) if engine is None else model
    engine = engine or FasterWhisperEngine(model_ref, device)
    parameters = {
        "engine": engine.name,
        "model": model,
        "language": session.language,
        "hotwords": hotwords,
        "chunk_seconds": chunk_seconds,
        "vad": True,
    }
    audio = recording_audio(loaded.layout, source.recording, SAMPLE_RATE)
    to_session = _session_clock(source)
    folder = loaded.layout.work / "transcribe" / _run_key(loaded, source, parameters)
    folder.mkdir(parents=True, exist_ok=True)
    level = guards.speech_level(audio, SAMPLE_RATE)
    segments: list[Segment] = []
    bounds = chunk_bounds(audio, SAMPLE_RATE, chunk_seconds)
    reporter = progress or NullProgress()
    with reporter.task("transcribing", len(audio) / SAMPLE_RATE) as task:
        for index, (first, last) in enumerate(bounds):
            checkpoint = folder / f"chunk-{index:04d}.json"
            found = _load_checkpoint(checkpoint)
            if found is None:
                origin = first * 1000 // SAMPLE_RATE
                raw = engine.transcribe(
                    audio[first:last], language=session.language, hotwords=hotwords
                )
                found = [_retime(s, lambda ms, o=origin: ms + o) for s in raw]
                atomic_write_text(
                    checkpoint, json.dumps([s.model_dump() for s in found], ensure_ascii=False)
                )
            segments.extend(found)
            task.advance_to(last / SAMPLE_RATE)
    cleaned = []
    for segment in segments:
        kept = guards.clean_segment(segment)
        if kept is None:
            continue
        words = [w for w in kept.words if guards.audible(w, audio, SAMPLE_RATE, level, 0)]
        words = timing.tighten(words, audio, SAMPLE_RATE, level, 0)
        if not words:
            continue
        text = kept.text if len(words) == len(kept.words) else join_words(words)
        kept = kept.model_copy(
            update={
                "words": words,
                "text": text,
                "start_ms": words[0].start_ms,
                "end_ms": words[-1].end_ms,
            }
        )
        cleaned.append(_retime(kept, to_session))
    transcript = Transcript(
        engine=engine.name,
        model=model,
        language=session.language,
        parameters=parameters,
        source=TranscriptSource(
            recording=source.recording.id,
            offset_s=source.offset_s,
            drift_ppm=round(source.drift * 1e6, 1),
        ),
        created_at=datetime.now(UTC),
        segments=cleaned,
    )
    write_transcript(transcript, loaded.layout.transcript)
    return transcript


__all__ = ["Word", "run_transcribe", "choose_source", "chunk_bounds", "resolve_model"]
