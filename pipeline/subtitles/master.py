"""The master subtitles on the session clock: the reviewer's once imported, else cues built
from the transcript."""

from __future__ import annotations

from dataclasses import replace

from pipeline.core.errors import CaptureError, ExitCode
from pipeline.session import LoadedSession
from pipeline.session.artifacts.transcript import Transcript
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.formats import (
    read_subtitles,
)
from pipeline.subtitles.rules import session_rules
from pipeline.subtitles.segment import segment_words, transcript_words
from pipeline.subtitles.sound_cues import session_sounds, with_sound_cues


class NoTranscript(CaptureError):
    exit_code = ExitCode.BAD_INPUT


def generated_cues(loaded: LoadedSession, transcript: Transcript | None) -> list[Cue]:
    if transcript is None:
        raise NoTranscript(
            f"no transcript in {loaded.root}: run `capture transcribe {loaded.root}` first"
        )
    terms = loaded.session.glossary.all_terms()
    rules = session_rules(loaded)
    cues = segment_words(transcript_words(transcript), terms, rules)
    return with_sound_cues(cues, session_sounds(transcript.sounds), rules)


def _with_words(cues: list[Cue], words: list[CueWord]) -> list[Cue]:
    """Reviewed cues get back the transcript's words in their time (for speakers and the
    review sheet); a cue whose words are all one person's is that person's."""
    dressed = []
    for cue in cues:
        inside = tuple(w for w in words if cue.start_ms <= w.start_ms < cue.end_ms)
        speakers = {w.speaker for w in inside}
        speaker = cue.speaker
        if speaker is None and len(speakers) == 1 and not cue.lines[0].startswith("-"):
            speaker = speakers.pop()
        dressed.append(replace(cue, words=inside, speaker=speaker))
    return dressed


def master_cues(loaded: LoadedSession, transcript: Transcript | None) -> tuple[list[Cue], bool]:
    """(cues on the session clock, whether they are the reviewer's)."""
    reviewed = loaded.folder.reviewed_subtitles
    if reviewed.is_file():
        words = transcript_words(transcript) if transcript else []
        return _with_words(read_subtitles(reviewed), words), True
    if transcript is None and not loaded.session.cameras and not loaded.session.sources:
        return [], False  # no recordings of its own (the cycle's synthesis): no speech either
    return generated_cues(loaded, transcript), False
