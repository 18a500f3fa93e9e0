"""The transcripts of the recordings off the session clock that the cue lists cut by file
(``timeline/extras.py``): each transcribed like the session (the same engine, guards,
glossary and timing passes), on its own clock, in ``transcript/extras/``. A transcript is
reused while its file and the transcription parameters are unchanged."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from pipeline.audio.decode import decode_channels, loudest_channel
from pipeline.core.digests import value_digest
from pipeline.core.fsutil import atomic_write_text
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Transcript, TranscriptSource
from pipeline.session.extras import ExtraFile
from pipeline.transcription import guards
from pipeline.transcription.engines import SAMPLE_RATE, Engine
from pipeline.transcription.passes import clean_segments, transcribe_chunk


def extra_transcript_path(loaded: LoadedSession, extra: ExtraFile) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(extra.relative).stem).strip("-") or "fichier"
    digest = hashlib.sha256(extra.relative.encode("utf-8")).hexdigest()[:8]
    return loaded.folder.transcript / "extras" / f"{stem}-{digest}.json"


def _stamp(extra: ExtraFile) -> list:
    stat = extra.path.stat()
    return [extra.relative, stat.st_size, stat.st_mtime_ns]


def _key(extra: ExtraFile, parameters: dict) -> str:
    return value_digest([_stamp(extra), parameters])[:16]


def current_extra_transcript(loaded: LoadedSession, extra: ExtraFile) -> Transcript | None:
    """The file's transcript if it was made from the file as it is now (None: transcribe
    it again; a replaced file must never be captioned with the old one's words)."""
    kept = load_extra_transcript(loaded, extra)
    return kept if kept is not None and kept.parameters.get("extra file") == _stamp(extra) else None


def load_extra_transcript(loaded: LoadedSession, extra: ExtraFile) -> Transcript | None:
    path = extra_transcript_path(loaded, extra)
    if not path.is_file():
        return None
    try:
        return Transcript.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def transcribe_extra(
    loaded: LoadedSession, extra: ExtraFile, engine: Engine, parameters: dict
) -> tuple[Transcript, bool]:
    """(the file's transcript on its own clock, whether it was made now)."""
    key = _key(extra, parameters)
    kept = current_extra_transcript(loaded, extra)
    if kept is not None and kept.parameters.get("extra key") == key:
        return kept, False
    session = loaded.session
    terms = session.glossary.all_terms()
    hotwords = parameters.get("hotwords")
    audio = loudest_channel(decode_channels(extra.path, SAMPLE_RATE, loaded.folder.audio_cache))
    level = guards.speech_level(audio, SAMPLE_RATE)
    raw = transcribe_chunk(engine, audio, level, session.language, hotwords)
    segments = clean_segments(raw, audio, level, 0, terms)
    transcript = Transcript(
        engine=engine.name, model=str(parameters.get("model")), language=session.language,
        parameters={**parameters, "extra key": key, "extra file": _stamp(extra)},
        source=TranscriptSource(recording=extra.relative, offset_s=0.0, drift_ppm=0.0),
        created_at=datetime.now(UTC), segments=segments,
    )  # fmt: skip
    path = extra_transcript_path(loaded, extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, transcript.model_dump_json(indent=1) + "\n")
    return transcript, True
