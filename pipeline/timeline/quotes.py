"""Quotes of the transcript found among its words, tolerant of case, punctuation and small
recognition errors (a fuzzy score over as many transcript words as the quote has). No
match, or several equally good ones, is an error that lists the candidates with their
times."""

from __future__ import annotations

from rapidfuzz import fuzz

from pipeline.core.timecode import clock
from pipeline.session.artifacts.transcript import Transcript, Word
from pipeline.session.cuelist import Clip
from pipeline.timeline.speech import BREATH_MS
from pipeline.transcription.glossary import plain_text

MATCH_MIN = 80.0
TIE_MARGIN = 3.0


def transcript_words_in_order(transcript: Transcript | None) -> list[Word]:
    return sorted(transcript.words, key=lambda w: w.start_ms) if transcript else []


def find_quote(quote: str, words: list[Word]) -> tuple[int, int]:
    """(index of the first word, index after the last) of the one best match of ``quote``."""
    wanted = plain_text(quote)
    size = max(1, len(wanted.split()))
    plain = [plain_text(w.text) for w in words]
    scored = []
    for start in range(0, max(0, len(words) - size) + 1):
        for length in {max(1, size - 1), size, size + 1}:
            edges = plain[start : start + length]
            if not edges or not edges[0] or not edges[-1]:
                continue  # a quote starts and ends on a word, not on a lone “?” or “–”
            heard = " ".join(p for p in edges if p)
            scored.append((fuzz.ratio(wanted, heard), start, start + length))
    scored.sort(key=lambda s: -s[0])
    best = [s for s in scored if s[0] >= MATCH_MIN]
    if not best:
        shown = "; ".join(
            f"{clock(words[s].start_ms)} “{' '.join(w.text for w in words[s:e])}” ({score:.0f} %)"
            for score, s, e in scored[:3]
        )
        raise ValueError(f"quote “{quote}” not found in the transcript; closest: {shown or 'none'}")
    top = best[0]
    rivals = [s for s in best if s[0] >= top[0] - TIE_MARGIN and abs(s[1] - top[1]) > size]
    if rivals:
        shown = "; ".join(
            f"{clock(words[s].start_ms)} ({score:.0f} %)" for score, s, _ in [top, *rivals][:4]
        )
        raise ValueError(f"quote “{quote}” matches several places: {shown}; quote more words")
    return top[1], top[2]


def asked_span(clip: Clip, words: list[Word]) -> tuple[int, int]:
    """Where the editor asked the clip to start and end: times, or a breath outside the
    quoted words."""
    if (clip.from_quote or clip.to_quote) and not words:
        raise ValueError("quotes need a transcript: run `capture transcribe` first")
    asked_in, asked_out = clip.in_ms, clip.out_ms
    if clip.from_quote:
        first, _ = find_quote(clip.from_quote, words)
        asked_in = max(0, words[first].start_ms - BREATH_MS)
    if clip.to_quote:
        _, last = find_quote(clip.to_quote, words)
        asked_out = words[last - 1].end_ms + BREATH_MS
    assert asked_in is not None and asked_out is not None
    if asked_out <= asked_in:
        raise ValueError(f"ends ({clock(asked_out)}) before it starts ({clock(asked_in)})")
    return asked_in, asked_out
