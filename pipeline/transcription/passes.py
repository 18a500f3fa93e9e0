"""The passes over a chunk of sound: Whisper on the voiced stretches, then a second look at
speech it left out; segments kept only where there is voice."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.session.artifacts.transcript import (
    Segment,
    Word,
)
from pipeline.transcription import guards, timing
from pipeline.transcription.engines import (
    SAMPLE_RATE,
    Engine,
    speech_regions,
)
from pipeline.transcription.glossary import correct_spelling


def retime_segment(segment: Segment, convert: Callable[[int], int]) -> Segment:
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


def clean_segments(
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
        segments += [retime_segment(s, lambda ms, o=start: ms + o) for s in found]
    return segments


def transcribe_chunk(
    engine: Engine, audio: np.ndarray, level: float, language: str, hotwords: str | None
) -> list[Segment]:
    """The engine's segments for one chunk (ms from its start), plus a second look at any
    stretch of sound the first pass left without words where voice activity detection hears
    speech (a sentence Whisper skipped)."""
    voice = [(round(a * 1000), round(b * 1000)) for a, b in speech_regions(audio)]
    segments = _voiced(_first_pass(engine, audio, voice, language, hotwords), voice)
    words = [w for s in clean_segments(segments, audio, level, 0, []) for w in s.words]
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
    much as the first pass on a 12-minute programme (22 calls for 190 s of sound). A segment
    of that call that fails Whisper's own tests or loops (with the glossary as hotwords, "Val
    de Saône" forty times over 30 s of skipped speech, then four times more) sends the pieces
    it covers to the engine again, each alone and with Whisper's temperature fallback."""
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
    failed: set[int] = set()
    # temperature 0 only: on music the fallback decoded every window six times for nothing
    joined = np.concatenate(parts)
    for segment in engine.transcribe(joined, language=language, hotwords=hotwords, fallback=False):
        if not guards.passes_whisper_tests(segment) or guards.loops(segment):
            # what the fallback would have decoded again: its pieces are heard again alone
            failed |= {i for i in range(len(pieces)) if _covers(segment, pieces, i)}
            continue
        found += _kept_words(segment, pieces, taken)
    for index in sorted(failed):
        first, end, _ = pieces[index]
        piece = audio[first * SAMPLE_RATE // 1000 : (end + MISSED_CONTEXT_MS) * SAMPLE_RATE // 1000]
        alone = [(first, end, 0.0)]  # one piece, on its own clock
        for segment in engine.transcribe(np.asarray(piece, dtype=np.float32), language=language,
                                          hotwords=hotwords):  # fmt: skip
            # after the fallback, what Whisper gives is kept as in the first pass (the usual
            # guards follow), but a loop
            if not guards.loops(segment):
                found += _kept_words(segment, alone, taken)
    return found


def _piece_of(joined_ms: int, pieces: list[tuple[int, int, float]]) -> int:
    return max(i for i, p in enumerate(pieces) if p[2] <= joined_ms or i == 0)


def _covers(segment: Segment, pieces: list[tuple[int, int, float]], i: int) -> bool:
    """Whether ``segment`` (on the joined clock) covers some of piece ``i``."""
    start = pieces[i][2]
    following = pieces[i + 1][2] if i + 1 < len(pieces) else float("inf")
    return segment.start_ms < following and start < segment.end_ms


def _kept_words(
    segment: Segment, pieces: list[tuple[int, int, float]], taken: list[tuple[int, int]]
) -> list[Segment]:
    """The segment's new words, back on the chunk's clock, grouped by the piece they fall in:
    only words inside their piece's skipped stretch, over no word already heard, and only
    groups of SECOND_LOOK_MIN_WORDS or more."""
    by_piece: dict[int, list[Word]] = {}
    for word in segment.words:
        index = _piece_of(word.start_ms, pieces)
        first, end, joined_ms = pieces[index]
        shift = first - round(joined_ms)
        moved = word.model_copy(
            update={"start_ms": word.start_ms + shift, "end_ms": word.end_ms + shift}
        )
        if first <= moved.start_ms < end + MISSED_PADDING_MS and not _overlaps(moved, taken):
            by_piece.setdefault(index, []).append(moved)
            taken.append((moved.start_ms, moved.end_ms))
    return [
        segment.with_words(words)
        for words in by_piece.values()
        if len(words) >= SECOND_LOOK_MIN_WORDS
    ]
