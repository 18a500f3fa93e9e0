"""``capture transcribe``: the session's best sound, in checkpointed chunks, to a transcript.

Chunks end in the quietest moment near every ``chunk_seconds``; each chunk's result is saved in
``work/transcribe/<run key>/`` as soon as it is done, so a killed run resumes where it stopped.
The run key covers everything the result depends on (engine, model, language, glossary, the
source's hashes), so a change starts a fresh run instead of mixing results.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline.audio.sound import RecordingSound
from pipeline.audio.source import SoundSource, best_sound
from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.progress import NullProgress, ProgressReporter
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import load_state
from pipeline.session.artifacts.transcript import (
    Segment,
    SoundEvent,
    Transcript,
    TranscriptSource,
    Word,
    write_transcript,
)
from pipeline.session.extras import extra_files
from pipeline.transcription import CHUNK_SECONDS, guards, speakers
from pipeline.transcription.engines import (
    DECODING,
    ENGINE_NAMES,
    SAMPLE_RATE,
    Engine,
    FasterWhisperEngine,
    OpenAIWhisperEngine,
)
from pipeline.transcription.extra_transcripts import transcribe_extra
from pipeline.transcription.model_store import (
    ModelError,
    find_packaged_models,
    prepare_packaged_model,
)
from pipeline.transcription.passes import clean_segments, retime_segment, transcribe_chunk
from pipeline.transcription.sounds import applause

QUIET_SEARCH_SECONDS = 15.0


def resolve_model(spec: str, engine: str = "faster-whisper") -> str:
    """What to load for --model: a path, an installed model package, or a name the engine
    downloads when online (a failed download becomes a ModelError saying how to get one)."""
    path = Path(spec)
    if engine == "openai-whisper":
        if path.suffix == ".pt" and not path.is_file():
            raise ModelError(f"{path}: no such openai-whisper checkpoint.")
        return str(path) if path.is_file() else spec
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path} is not a CTranslate2 Whisper model folder (no model.bin).")
        return str(path)
    packaged = [m for m in find_packaged_models() if m.name == spec]
    if packaged:
        return str(prepare_packaged_model(packaged[0]))
    return spec


def make_engine(name: str, model: str, device: str = "cpu") -> Engine:
    """The named engine with its model loaded."""
    if name not in ENGINE_NAMES:
        raise CaptureError(f"unknown engine {name!r}: use {' or '.join(ENGINE_NAMES)}")
    reference = resolve_model(model, name)
    try:
        if name == "openai-whisper":
            return OpenAIWhisperEngine(reference, device)
        return FasterWhisperEngine(reference, device)
    except (OSError, RuntimeError, ValueError) as error:
        if reference == model and not Path(model).exists():
            raise ModelError(f"cannot load the Whisper model {model!r}: {error}") from error
        raise


@functools.lru_cache(maxsize=2)
def shared_engine(name: str, model: str, device: str = "cpu") -> Engine:
    """The named engine, loaded once per process: a Dask worker transcribes chunk after
    chunk, session after session, with the same model in memory."""
    return make_engine(name, model, device)


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


def _run_key(loaded: LoadedSession, source: SoundSource, parameters: dict) -> str:
    files = {f.path: f.hash for f in load_state(loaded.folder.ingest_state).files}
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


def _session_clock(source: SoundSource) -> Callable[[int], int]:
    """Recording ms -> session-clock ms (offset, and the recorder's drift undone)."""
    return lambda ms: round((source.offset_s + ms / 1000 / (1 + source.drift)) * 1000)


@dataclass(frozen=True)
class ChunkPlan:
    """What every chunk of one transcription run shares: where its checkpoints go, where
    each chunk starts and ends (samples of the sound at SAMPLE_RATE), the speech level and
    what the engine is told. Small and picklable: a Dask worker transcribes one chunk of it
    (``capture batch``) exactly as ``run_transcribe`` does, into the same checkpoint."""

    checkpoints: Path
    bounds: list[tuple[int, int]]
    level: float
    language: str
    hotwords: str | None
    recording: str
    """The recording heard (its id): a chunk task checks it hears the same one."""
    mix_weights: tuple[float, ...]
    """Its channels' weights in the mono mix, measured once over the whole recording."""

    def checkpoint(self, index: int) -> Path:
        return self.checkpoints / f"chunk-{index:04d}.json"

    def missing(self) -> list[int]:
        """The chunks whose result is not saved yet (a damaged one counts as missing)."""
        return [i for i in range(len(self.bounds)) if _load_checkpoint(self.checkpoint(i)) is None]


def transcription_parameters(
    loaded: LoadedSession, engine_name: str, model: str, chunk_seconds: float
) -> dict:
    """Everything the transcript depends on besides the sound (its run key's material)."""
    session = loaded.session
    return {
        "engine": engine_name,
        "model": model,
        "language": session.language,
        "hotwords": ", ".join(session.glossary.all_terms()) or None,
        "chunk_seconds": chunk_seconds,
        "vad": True,
        "decoding": DECODING,
    }


def plan_chunks(
    loaded: LoadedSession, source: SoundSource, sound: RecordingSound, parameters: dict
) -> ChunkPlan:
    folder = loaded.folder.transcribe_checkpoints(_run_key(loaded, source, parameters))
    folder.mkdir(parents=True, exist_ok=True)
    bounds = chunk_bounds(sound, SAMPLE_RATE, parameters["chunk_seconds"])
    return ChunkPlan(folder, bounds, guards.speech_level(sound, SAMPLE_RATE),
                     parameters["language"], parameters["hotwords"], source.recording.id,
                     tuple(float(w) for w in sound.mix_weights))  # fmt: skip


def chunk_segments(
    engine: Engine, sound: RecordingSound, plan: ChunkPlan, index: int
) -> list[Segment]:
    """Chunk ``index``'s raw segments (ms on the recording), from its checkpoint, or heard
    by ``engine`` and saved as its checkpoint (written whole, under a temporary name)."""
    checkpoint = plan.checkpoint(index)
    found = _load_checkpoint(checkpoint)
    if found is not None:
        return found
    first, last = plan.bounds[index]
    origin = first * 1000 // SAMPLE_RATE
    raw = transcribe_chunk(engine, sound[first:last], plan.level, plan.language, plan.hotwords)
    found = [retime_segment(s, lambda ms, o=origin: ms + o) for s in raw]
    atomic_write_text(checkpoint, json.dumps([s.model_dump() for s in found], ensure_ascii=False))
    return found


def best_recording_sound(loaded: LoadedSession) -> tuple[SoundSource, RecordingSound]:
    """The session's best sound, read from the decode cache (decoded first if need be)."""
    source = best_sound(loaded)
    return source, RecordingSound(loaded.folder, source.recording, SAMPLE_RATE)


def planned_sound(loaded: LoadedSession, plan: ChunkPlan) -> RecordingSound:
    """The sound ``plan`` was made for, to transcribe one of its chunks elsewhere; refused
    if the session's best sound is another recording now."""
    source = best_sound(loaded)
    if source.recording.id != plan.recording:
        raise CaptureError(f"{loaded.root}: the sound to transcribe is {source.recording.id} "
                           f"now, not {plan.recording}: run the transcription again")  # fmt: skip
    weights = np.asarray(plan.mix_weights, dtype=np.float32)
    return RecordingSound(loaded.folder, source.recording, SAMPLE_RATE, weights)


def run_transcribe(
    loaded: LoadedSession,
    *,
    engine: Engine | None = None,
    engine_name: str = "faster-whisper",
    model: str = "base",
    device: str = "cpu",
    chunk_seconds: float = CHUNK_SECONDS,
    progress: ProgressReporter | None = None,
    elsewhere: Callable[[ChunkPlan], None] | None = None,
) -> Transcript:
    """Transcribe the session's best sound; memory stays flat however long it is (the sound
    is read chunk by chunk from the decode cache). ``elsewhere`` is given the plan when
    chunks are still to do, to have them done in parallel (``capture batch``: by the
    cluster's workers); what it leaves undone is done here, one chunk after the other."""
    engine = engine or make_engine(engine_name, model, device)
    source, sound = best_recording_sound(loaded)
    session = loaded.session
    terms = session.glossary.all_terms()
    parameters = transcription_parameters(loaded, engine.name, model, chunk_seconds)
    plan = plan_chunks(loaded, source, sound, parameters)
    if elsewhere is not None and len(plan.missing()) > 1:
        elsewhere(plan)
    mapping = speakers.channel_map(session, sound.channels) if sound.channels > 1 else {}
    to_session = _session_clock(source)
    segments: list[Segment] = []
    sounds: list[SoundEvent] = []
    reporter = progress or NullProgress()
    with reporter.task("transcribing", len(sound) / SAMPLE_RATE) as task:
        for index, (first, last) in enumerate(plan.bounds):
            origin = first * 1000 // SAMPLE_RATE
            found = chunk_segments(engine, sound, plan, index)
            audio = sound[first:last]
            cleaned = clean_segments(found, audio, plan.level, origin, terms)
            cleaned = speakers.label_speakers(cleaned, sound.channels_between, SAMPLE_RATE, mapping)
            segments.extend(retime_segment(s, to_session) for s in cleaned)
            heard = [(w.start_ms - origin, w.end_ms - origin) for s in cleaned for w in s.words]
            sounds += [SoundEvent(start_ms=to_session(e.start_ms + origin),
                                  end_ms=to_session(e.end_ms + origin), kind=e.kind)
                       for e in applause(audio, SAMPLE_RATE, heard)]  # fmt: skip
            task.advance_to(last / SAMPLE_RATE)
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
        segments=segments,
        sounds=sounds,
    )
    write_transcript(transcript, loaded.folder)
    for extra in extra_files(loaded):  # the recordings off the clock the cue lists cut
        transcribe_extra(loaded, extra, engine, parameters)
    return transcript


__all__ = [
    "Word",
    "run_transcribe",
    "chunk_bounds",
    "make_engine",
    "resolve_model",
]
