"""Word times into subtitle cues that meet the rules (GUIDE §3).

Words are first cut into blocks at long pauses and speaker changes (a cue never spans
either). Inside a block, dynamic programming picks the cue boundaries: each cue must fit two
lines of 42 characters, last at most 7 s and be readable at 17 characters per second within
the time it can be given; among those, boundaries at good places (after a full stop, before
a conjunction) and reading speeds near 15 cps win. Then each cue is timed: from its first
word, extended after its last word (at most 0.5 s) towards the target reading speed and the
minimum duration, always at least 2 frames before the next cue. Quick exchanges between two
speakers share a cue with a dash per speaker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.session.artifacts.transcript import Transcript, Word, join_words
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.french import break_penalty, protected_pairs
from pipeline.subtitles.line_breaks import BAD_LAYOUT, dashed, layout_lines
from pipeline.subtitles.rules import SubtitleRules, reading_chars

INVALID = 1e12
LONE_WORD_COST = 1e6
"""A word that breaks a rule on its own (a 50-character word, a word Whisper stretched over
8 s): finite, so any number of them still leaves a segmentation to choose."""
BOUNDARY_WEIGHT = 3.0
"""A cue boundary in a bad place is worse than a line break there: the reader loses more."""


def transcript_words(transcript: Transcript) -> list[CueWord]:
    """The transcript's words in time order, none starting before the previous one ends
    (Whisper's segments can overlap by a few hundred ms at window edges)."""
    words = sorted(
        (
            CueWord(w.text, w.start_ms, w.end_ms, w.probability, segment.speaker)
            for segment in transcript.segments
            for w in segment.words
            if w.end_ms > 0  # a manual offset can put the first words before the clock's 0
        ),
        key=lambda w: (w.start_ms, w.end_ms),
    )
    ordered: list[CueWord] = []
    for word in words:
        if word.start_ms < 0:
            word = replace(word, start_ms=0)
        if ordered and word.start_ms < ordered[-1].end_ms:
            start = ordered[-1].end_ms
            word = replace(word, start_ms=start, end_ms=max(word.end_ms, start + 1))
        ordered.append(word)
    return ordered


def _blocks(words: Sequence[CueWord], rules: SubtitleRules) -> list[list[CueWord]]:
    blocks: list[list[CueWord]] = []
    for word in words:
        if (
            blocks
            and word.start_ms - blocks[-1][-1].end_ms < rules.long_pause_ms
            and word.speaker == blocks[-1][-1].speaker
        ):
            blocks[-1].append(word)
        else:
            blocks.append([word])
    return blocks


def _text(words: Sequence[CueWord]) -> str:
    return join_words([Word(text=w.text, start_ms=0, end_ms=0, probability=0) for w in words])


def _available_ms(words: Sequence[CueWord], next_start: int | None, rules: SubtitleRules) -> int:
    """The longest this cue may last: to its last word + 0.5 s, before the next cue's gap."""
    end = words[-1].end_ms + rules.max_tail_ms
    if next_start is not None:
        end = min(end, next_start - rules.min_gap_ms)
    return min(end - words[0].start_ms, rules.max_duration_ms)


def _cue_cost(
    words: Sequence[CueWord],
    next_start: int | None,
    protected: set[tuple[str, str]],
    rules: SubtitleRules,
) -> tuple[float, tuple[str, ...]]:
    lines, layout_cost = layout_lines(_text(words), protected, rules)
    if layout_cost >= BAD_LAYOUT:
        return INVALID, lines
    spoken = words[-1].end_ms - words[0].start_ms
    if spoken > rules.max_duration_ms:
        return INVALID, lines
    available = max(1, _available_ms(words, next_start, rules))
    cps = reading_chars(list(lines)) * 1000 / available
    cost = 10.0 + layout_cost  # every cue costs: fewer, fuller cues are easier to follow
    cost += max(0.0, cps - rules.target_cps) * 4
    if cps > rules.max_cps:
        # speech too fast to fit anywhere (a clip cut right after it): a little too fast
        # beats a flicker of one-word cues; the checker reports it
        cost += 150.0 + (cps - rules.max_cps) * 25
    if available < rules.min_duration_ms:
        cost += 200.0  # too short to be read; only when nothing better exists
    return cost, lines


def _segment_block(
    block: list[CueWord], after: int | None, protected: set[tuple[str, str]], rules: SubtitleRules
) -> list[tuple[list[CueWord], tuple[str, ...]]]:
    """Best cues for one block (``after``: where the next block starts, if any)."""
    n = len(block)
    best = [INVALID] * (n + 1)
    choice: list[tuple[int, tuple[str, ...]]] = [(0, ())] * (n + 1)
    best[0] = 0.0
    for end in range(1, n + 1):
        next_start = block[end].start_ms if end < n else after
        for start in range(end - 1, -1, -1):
            if best[start] >= INVALID:
                continue
            words = block[start:end]
            if words[-1].end_ms - words[0].start_ms > rules.max_duration_ms and start < end - 1:
                break  # longer cues from here on are longer still
            cost, lines = _cue_cost(words, next_start, protected, rules)
            if cost >= INVALID and start == end - 1:
                cost = LONE_WORD_COST  # a lone word always gets a cue, whatever it costs
            if end < n:
                cost += BOUNDARY_WEIGHT * break_penalty(
                    block[end - 1].text, block[end].text, protected
                )
            if best[start] + cost < best[end]:
                best[end] = best[start] + cost
                choice[end] = (start, lines)
    cues = []
    end = n
    while end > 0:
        start, lines = choice[end]
        cues.append((block[start:end], lines))
        end = start
    return cues[::-1]


def _timed(words: Sequence[CueWord], lines: tuple[str, ...], next_start: int | None, rules):
    start, last = words[0].start_ms, words[-1].end_ms
    wanted = max(
        last - start,
        rules.min_duration_ms,
        round(reading_chars(list(lines)) * 1000 / rules.target_cps),
    )
    end = min(start + wanted, last + rules.max_tail_ms, start + rules.max_duration_ms)
    if next_start is not None:
        end = min(end, next_start - rules.min_gap_ms)
    return Cue(
        start_ms=start,
        end_ms=max(end, start + 1),
        lines=lines,
        words=tuple(words),
        speaker=words[0].speaker,
    )


def _cps(lines: tuple[str, ...], start: int, end: int) -> float:
    return reading_chars(list(lines)) * 1000 / max(1, end - start)


def _rebalance(cues: list[Cue], rules: SubtitleRules) -> list[Cue]:
    """Fast speech: a cue read too fast keeps its text on screen a little longer (still at
    most 0.5 s after its last word) and the next cue appears that much later (never before
    its first word, never past the point where it would itself read too fast)."""
    out = list(cues)
    for index in range(len(out) - 1):
        cue, following = out[index], out[index + 1]
        if _cps(cue.lines, cue.start_ms, cue.end_ms) <= rules.max_cps:
            continue
        needed = cue.start_ms + round(reading_chars(list(cue.lines)) * 1000 / rules.max_cps)
        limit = min(cue.words[-1].end_ms + rules.max_tail_ms, cue.start_ms + rules.max_duration_ms)
        # the next cue may start later only while it still reads within the limit
        latest_next = following.end_ms - round(
            reading_chars(list(following.lines)) * 1000 / rules.max_cps
        )
        end = min(needed, limit, latest_next - rules.min_gap_ms)
        if end <= cue.end_ms:
            continue
        out[index] = cue.moved(cue.start_ms, end)
        if following.start_ms < end + rules.min_gap_ms:
            out[index + 1] = following.moved(end + rules.min_gap_ms, following.end_ms)
    return out


def _hard_rules_kept(cues: list[Cue], rules: SubtitleRules) -> list[Cue]:
    """The last word on timing, whatever the word times were (words Whisper gave the same
    instant, zero-length words, speech faster than anyone reads): every cue starts at or
    after its first word and 2 frames after the previous cue, and lasts 5/6 s to 7 s. When a
    cue would start too early, the previous one gives back what it can above its minimum
    duration, then the cue starts later."""
    kept: list[Cue] = []
    for cue in cues:
        start = max(cue.start_ms, cue.words[0].start_ms if cue.words else cue.start_ms)
        if kept and start < kept[-1].end_ms + rules.min_gap_ms:
            previous = kept[-1]
            shortest = previous.start_ms + rules.min_duration_ms
            end = max(shortest, min(previous.end_ms, start - rules.min_gap_ms))
            kept[-1] = previous.moved(previous.start_ms, end)
            start = max(start, end + rules.min_gap_ms)
        end = max(cue.end_ms, start + rules.min_duration_ms)
        kept.append(cue.moved(start, min(end, start + rules.max_duration_ms)))
    return kept


def _fitting_words(words: Sequence[CueWord], rules: SubtitleRules) -> list[CueWord]:
    """Words longer than a line (a URL, a long compound) cut into line-sized pieces ending
    in a hyphen, sharing the word's time, so every word fits on a line of a cue."""
    fitting: list[CueWord] = []
    size = rules.max_line_chars - 1
    for word in words:
        if len(word.text) <= rules.max_line_chars:
            fitting.append(word)
            continue
        pieces = [word.text[i : i + size] for i in range(0, len(word.text), size)]
        span = max(1, word.end_ms - word.start_ms)
        for index, piece in enumerate(pieces):
            start = word.start_ms + span * index // len(pieces)
            end = word.start_ms + span * (index + 1) // len(pieces)
            text = piece + ("-" if index < len(pieces) - 1 else "")
            fitting.append(replace(word, text=text, start_ms=start, end_ms=max(end, start + 1)))
    return fitting


def _share(cues: list[Cue], rules: SubtitleRules) -> list[Cue]:
    """Quick exchanges: a short cue and the next one, by another speaker, become one cue
    with a dash per speaker when that fits the rules."""
    merged: list[Cue] = []
    for cue in cues:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.speaker != cue.speaker
            and len(previous.lines) == 1
            and len(cue.lines) == 1
            and min(previous.duration_ms, cue.duration_ms) < 2 * rules.min_duration_ms
            and cue.start_ms - previous.end_ms < rules.long_pause_ms
            and cue.end_ms - previous.start_ms <= rules.max_duration_ms
        ):
            lines = dashed(previous.lines[0], cue.lines[0], rules)
            chars = reading_chars(list(lines)) if lines else 0
            if lines and chars * 1000 / (cue.end_ms - previous.start_ms) <= rules.max_cps:
                merged[-1] = Cue(
                    start_ms=previous.start_ms,
                    end_ms=cue.end_ms,
                    lines=lines,
                    words=previous.words + cue.words,
                    speaker=None,
                )
                continue
        merged.append(cue)
    return merged


def segment_words(words: Sequence[CueWord], glossary: list[str], rules: SubtitleRules) -> list[Cue]:
    """Cues for ``words`` (session clock), meeting the rules wherever the speech allows."""
    protected = protected_pairs(glossary)
    blocks = _blocks(_fitting_words(words, rules), rules)
    planned: list[tuple[list[CueWord], tuple[str, ...]]] = []
    for index, block in enumerate(blocks):
        after = blocks[index + 1][0].start_ms if index + 1 < len(blocks) else None
        planned += _segment_block(block, after, protected, rules)
    cues = []
    for index, (cue_words, lines) in enumerate(planned):
        next_start = planned[index + 1][0][0].start_ms if index + 1 < len(planned) else None
        cues.append(_timed(cue_words, lines, next_start, rules))
    return _hard_rules_kept(_share(_rebalance(cues, rules), rules), rules)
