"""The Transcript model (``SESSION/transcript/transcript.json``) and its readable forms.

Times are integer milliseconds on the session clock.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.timecode import clock
from pipeline.core.validation import StrictModel
from pipeline.session.folder import SessionFolder

TRANSCRIPT_VERSION = 1


class Word(StrictModel):
    text: str
    start_ms: int
    end_ms: int
    probability: float


class Segment(StrictModel):
    start_ms: int
    end_ms: int
    text: str
    words: list[Word]
    speaker: str | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None

    def with_words(self, words: list[Word], **changes: Any) -> Segment:
        """This segment holding ``words`` (not empty): times follow them, and the text is
        rebuilt from them unless they are the very same words."""
        text = self.text if words == self.words else join_words(words)
        update = {"words": words, "text": text, "start_ms": words[0].start_ms}
        return self.model_copy(update={**update, "end_ms": words[-1].end_ms, **changes})


class SoundEvent(StrictModel):
    """A sound heard where no one speaks, for the captions of the deaf and hard of hearing."""

    start_ms: int
    end_ms: int
    kind: Literal["applause"]


class TranscriptSource(StrictModel):
    recording: str
    offset_s: float
    drift_ppm: float


class Transcript(StrictModel):
    version: int = TRANSCRIPT_VERSION
    engine: str
    model: str
    language: str
    parameters: dict[str, Any]
    source: TranscriptSource
    created_at: datetime
    segments: list[Segment]
    sounds: list[SoundEvent] = []
    """Applause found where no word is (a transcript made before sounds were looked for
    has none: ``capture transcribe --force`` looks again)."""

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


def join_words(words: list[Word]) -> str:
    """Words back into text: "l" + "'alimentation" gives "l'alimentation", "peut" + "-être"
    gives "peut-être"."""
    text = " ".join(w.text for w in words)
    text = re.sub(r"\s+(-\w)", r"\1", text)
    return re.sub(r"\s*(['’])\s*", r"\1", text)


def load_transcript(folder: SessionFolder) -> Transcript | None:
    """The session's transcript, or None before transcription."""
    path = folder.transcript_json
    if not path.is_file():
        return None
    return Transcript.model_validate_json(path.read_text(encoding="utf-8"))


def write_transcript(transcript: Transcript, folder: SessionFolder) -> list[Path]:
    """transcript.json, transcript.txt and transcript.md (timestamped, with speakers)."""
    json_file, txt_file, md_file = (
        folder.transcript_json,
        folder.transcript_txt,
        folder.transcript_md,
    )
    atomic_write_text(json_file, transcript.model_dump_json(indent=2) + "\n")
    atomic_write_text(txt_file, "\n".join(s.text for s in transcript.segments) + "\n")
    lines = ["# Transcription", ""]
    for segment in transcript.segments:
        who = f" **{segment.speaker}**" if segment.speaker else ""
        lines.append(f"`{clock(segment.start_ms, '.')}`{who} {segment.text}  ")
    atomic_write_text(md_file, "\n".join(lines) + "\n")
    return [json_file, txt_file, md_file]
