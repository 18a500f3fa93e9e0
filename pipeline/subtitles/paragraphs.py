"""The transcript's readable text rebuilt from subtitles, so a reviewer's corrections reach
the transcript shown on the site."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.subtitles.cues import Cue
from pipeline.subtitles.sound_cues import LABELS

SOUNDS = frozenset(LABELS.values())
"""A sound cue ("[Applaudissements]") is a paragraph of its own in the transcript."""

PARAGRAPH_PAUSE_MS = 2000
PARAGRAPH_CHARS = 450
"""A turn longer than this goes on in a new paragraph at the next sentence's end, so a long
answer reads (and links to its moments) in short paragraphs."""
SENTENCE_END = re.compile(r"[.!?…»]$")


@dataclass(frozen=True)
class Paragraph:
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


def _cue_text(cue: Cue) -> str:
    return " ".join(re.sub(r"^-\s*", "", line) for line in cue.lines)


def paragraphs(cues: list[Cue]) -> list[Paragraph]:
    """Consecutive cues of one speaker, without a long pause, make a paragraph (a long turn,
    several)."""
    found: list[Paragraph] = []
    for cue in cues:
        text = _cue_text(cue)
        previous = found[-1] if found else None
        if (
            previous is not None
            and text not in SOUNDS
            and previous.text not in SOUNDS
            and previous.speaker == cue.speaker
            and cue.start_ms - previous.end_ms < PARAGRAPH_PAUSE_MS
            and not (len(previous.text) >= PARAGRAPH_CHARS and SENTENCE_END.search(previous.text))
        ):
            found[-1] = Paragraph(
                previous.start_ms, cue.end_ms, previous.speaker, f"{previous.text} {text}"
            )
        else:
            found.append(Paragraph(cue.start_ms, cue.end_ms, cue.speaker, text))
    return found
