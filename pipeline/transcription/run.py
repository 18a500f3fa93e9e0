"""``capture transcribe``: the session's best sound, in checkpointed chunks, to a transcript.

Chunks end in the quietest moment near every ``chunk_seconds``; each chunk's result is saved in
``work/transcribe/<run key>/`` as soon as it is done, so a killed run resumes where it stopped.
The run key covers everything the result depends on (engine, model, language, glossary, the
source's hashes), so a change starts a fresh run instead of mixing results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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
    Transcript,
    TranscriptSource,
    Word,
    write_transcript,
)
from pipeline.transcription import guards, speakers, timing
from pipeline.transcription.engines import (
    DECODING,
    ENGINE_NAMES,
    SAMPLE_RATE,
    Engine,
    FasterWhisperEngine,
    OpenAIWhisperEngine,
    speech_regions,
)
from pipeline.transcription.glossary import correct_spelling
from pipeline.transcription.model_store import (
    ModelError,
    find_packaged_models,
    prepare_packaged_model,
)

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


def _session_clock(source: SoundSource) -> Callable[[int], int]:
    """Recording ms -> session-clock ms (offset, and the recorder's drift undone)."""
    return lambda ms: round((source.offset_s + ms / 1000 / (1 + source.drift)) * 1000)


def _clean(
    raw: list[Segment], audio: np.ndarray, level: float, origin_ms: int, terms: list[str]
) -> list[Segment]:
    """Guards, glossary spelling and word timing for one chunk's segments; ``audio`` is the
    chunk's sound and starts at ``origin_ms``."""
    cleaned = []
    for segment in raw:
        kept = guards.clean_segment(segment)
        if kept is None:
            continue
        kept, _ = correct_spelling(kept, terms)
        words = [w for w in kept.words if guards.audible(w, audio, SAMPLE_RATE, level, origin_ms)]
        words = timing.tighten(words, audio, SAMPLE_RATE, level, origin_ms)
        words = timing.snap_onsets(words, audio, SAMPLE_RATE, level, origin_ms)
        cleaned += [kept.with_words(run) for run in timing.split_at_lost_words(words)]
    return cleaned


MISSED_PADDING_MS = 200
SECOND_LOOK_GAP_MS = 1000
SECOND_LOOK_MIN_WORDS = 2
"""Words the second look must find in one skipped stretch to keep them. Measured on the
12-minute real programme: its only finds were two lone words, both wrong ("'abord," cut from
the "d'abord" beside it, "Cette"), 0.2634 against 0.2616 without a second look; keeping only
finds of two words or more gives 0.2616 and still recovers the skipped sentences of the short
test programme and of the demo."""
MISSED_CONTEXT_MS = 3000
"""Sound after a skipped stretch given to the model with it, so a lone "Oui," before a
sentence is heard in context."""


def _overlaps(word: Word, spans: list[tuple[int, int]]) -> bool:
    length = max(1, word.end_ms - word.start_ms)
    return any(
        min(word.end_ms, end) - max(word.start_ms, start) > length // 2 for start, end in spans
    )


def _voiced_ms(voice: list[tuple[int, int]], start: int, end: int) -> int:
    """How much of start..end voice activity detection takes for speech."""
    return sum(max(0, min(end, b) - max(start, a)) for a, b in voice)


def _voiced(segments: list[Segment], voice: list[tuple[int, int]]) -> list[Segment]:
    """Segments with only the words that voice activity detection hears as speech (its
    regions are already padded by 400 ms): nothing written on music, applause or noise."""
    kept = []
    for segment in segments:
        words = [w for w in segment.words if _voiced_ms(voice, w.start_ms, w.end_ms + 1) > 0]
        if words:
            kept.append(segment if words == segment.words else segment.with_words(words))
    return kept


BREAK_MS = 10_000
"""Sound with no speech for this long (music, applause, a break) ends a stretch of speech
that the engine hears in one call. Measured on the 12-minute real programme (``make
bench-guards``): a word error rate of 0.263 with a fresh start after every break of 10 s,
0.278 with one call over everything (Whisper, carrying the text before 22 s of music, skipped
the next speaker); breaks of 5 s did worse than 10 s (too many fresh starts lose useful
context). Cut in the middle of the break, so a chunk without breaks is heard exactly as
before."""


def _stretches(voice: list[tuple[int, int]], length_ms: int, gap_ms: int) -> list[tuple[int, int]]:
    """0..length_ms cut in the middle of every break of ``gap_ms`` or more between speech
    regions: stretches of speech that no long break divides, with all the sound between."""
    cuts = [
        (end + start) // 2
        for (_, end), (start, _) in zip(voice, voice[1:], strict=False)
        if start - end >= gap_ms
    ]
    edges = [0, *cuts, length_ms]
    return list(zip(edges, edges[1:], strict=False))


def _first_pass(
    engine: Engine,
    audio: np.ndarray,
    voice: list[tuple[int, int]],
    language: str,
    hotwords: str | None,
) -> list[Segment]:
    """The engine's segments, one call per stretch of speech between breaks, so the model
    starts afresh after music or applause instead of carrying the last speaker's text over
    it (it then skipped the next sentence, or dated it seconds early)."""
    segments: list[Segment] = []
    length_ms = len(audio) * 1000 // SAMPLE_RATE
    for start, end in _stretches(voice, length_ms, BREAK_MS):
        # the last stretch runs to the last sample, not to the last whole millisecond
        last = len(audio) if end == length_ms else end * SAMPLE_RATE // 1000
        piece = audio[start * SAMPLE_RATE // 1000 : last]
        found = engine.transcribe(piece, language=language, hotwords=hotwords)
        segments += [_retime(s, lambda ms, o=start: ms + o) for s in found]
    return segments


def _transcribe_chunk(
    engine: Engine, audio: np.ndarray, level: float, language: str, hotwords: str | None
) -> list[Segment]:
    """The engine's segments for one chunk (ms from its start), plus a second look at any
    stretch of sound the first pass left without words where voice activity detection hears
    speech (a sentence Whisper skipped)."""
    voice = [(round(a * 1000), round(b * 1000)) for a, b in speech_regions(audio)]
    segments = _voiced(_first_pass(engine, audio, voice, language, hotwords), voice)
    words = [w for s in _clean(segments, audio, level, 0, []) for w in s.words]
    missed = [
        (start, end)
        for start, end in timing.uncovered_sound(words, audio, SAMPLE_RATE, level, 0)
        # music, applause, room noise: nothing for the model to find there
        if _voiced_ms(voice, start, end) >= timing.MISSED_SPEECH_MS
    ]
    taken = [(w.start_ms, w.end_ms) for w in words]
    segments += _second_look(engine, audio, missed, taken, language, hotwords)
    return sorted(segments, key=lambda s: s.start_ms)


def _second_look(
    engine: Engine,
    audio: np.ndarray,
    missed: list[tuple[int, int]],
    taken: list[tuple[int, int]],
    language: str,
    hotwords: str | None,
) -> list[Segment]:
    """New words for the stretches Whisper skipped, each heard with 3 s of what follows.

    The stretches are joined, a second of silence apart, and given to the engine in one call:
    Whisper pays for a whole 30-s window whatever its length, so one call per stretch cost as
    much as the first pass on a 12-minute programme (22 calls for 190 s of sound). Loops the
    model may fall into here are cut by the repetition guard."""
    if not missed:
        return []
    gap = np.zeros(SECOND_LOOK_GAP_MS * SAMPLE_RATE // 1000, dtype=np.float32)
    parts: list[np.ndarray] = []
    pieces: list[tuple[int, int, float]] = []  # (first ms in the chunk, end ms, joined ms)
    joined_samples = 0
    for start, end in missed:
        first = max(0, start - MISSED_PADDING_MS)
        last = end + MISSED_CONTEXT_MS
        piece = np.asarray(audio[first * SAMPLE_RATE // 1000 : last * SAMPLE_RATE // 1000])
        pieces.append((first, end, joined_samples * 1000 / SAMPLE_RATE))
        parts += [piece.astype(np.float32), gap]
        joined_samples += len(piece) + len(gap)
    found: list[Segment] = []
    # temperature 0 only: on music the fallback decoded every window six times for nothing
    joined = np.concatenate(parts)
    for segment in engine.transcribe(joined, language=language, hotwords=hotwords, fallback=False):
        if not guards.passes_whisper_tests(segment):
            continue  # what the fallback would have decoded again: not to be trusted here
        by_piece: dict[int, list[Word]] = {}
        for word in segment.words:
            index = max(i for i, p in enumerate(pieces) if p[2] <= word.start_ms or i == 0)
            first, end, joined_ms = pieces[index]
            shift = first - round(joined_ms)
            moved = word.model_copy(
                update={"start_ms": word.start_ms + shift, "end_ms": word.end_ms + shift}
            )
            if first <= moved.start_ms < end + MISSED_PADDING_MS and not _overlaps(moved, taken):
                by_piece.setdefault(index, []).append(moved)
                taken.append((moved.start_ms, moved.end_ms))
        found += [
            segment.with_words(words)
            for words in by_piece.values()
            if len(words) >= SECOND_LOOK_MIN_WORDS
        ]
    return found


def run_transcribe(
    loaded: LoadedSession,
    *,
    engine: Engine | None = None,
    engine_name: str = "faster-whisper",
    model: str = "base",
    device: str = "cpu",
    chunk_seconds: float = 600.0,
    progress: ProgressReporter | None = None,
) -> Transcript:
    """Transcribe the session's best sound; memory stays flat however long it is (the sound
    is read chunk by chunk from the decode cache)."""
    source = best_sound(loaded)
    session = loaded.session
    terms = session.glossary.all_terms()
    hotwords = ", ".join(terms) or None
    engine = engine or make_engine(engine_name, model, device)
    parameters = {
        "engine": engine.name,
        "model": model,
        "language": session.language,
        "hotwords": hotwords,
        "chunk_seconds": chunk_seconds,
        "vad": True,
        "decoding": DECODING,
    }
    sound = RecordingSound(loaded.folder, source.recording, SAMPLE_RATE)
    mapping = speakers.channel_map(session, sound.channels) if sound.channels > 1 else {}
    to_session = _session_clock(source)
    folder = loaded.folder.transcribe_checkpoints(_run_key(loaded, source, parameters))
    folder.mkdir(parents=True, exist_ok=True)
    level = guards.speech_level(sound, SAMPLE_RATE)
    segments: list[Segment] = []
    reporter = progress or NullProgress()
    with reporter.task("transcribing", len(sound) / SAMPLE_RATE) as task:
        for index, (first, last) in enumerate(chunk_bounds(sound, SAMPLE_RATE, chunk_seconds)):
            checkpoint = folder / f"chunk-{index:04d}.json"
            origin = first * 1000 // SAMPLE_RATE
            found = _load_checkpoint(checkpoint)
            audio = sound[first:last]
            if found is None:
                raw = _transcribe_chunk(engine, audio, level, session.language, hotwords)
                found = [_retime(s, lambda ms, o=origin: ms + o) for s in raw]
                atomic_write_text(
                    checkpoint, json.dumps([s.model_dump() for s in found], ensure_ascii=False)
                )
            cleaned = _clean(found, audio, level, origin, terms)
            cleaned = speakers.label_speakers(cleaned, sound.channels_between, SAMPLE_RATE, mapping)
            segments.extend(_retime(s, to_session) for s in cleaned)
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
    )
    write_transcript(transcript, loaded.folder)
    return transcript


__all__ = [
    "Word",
    "run_transcribe",
    "chunk_bounds",
    "make_engine",
    "resolve_model",
]
