"""Subtitles of the master (session clock) carried onto a film's timeline.

Each cue is cut by the film's clips: the part heard in a clip (the whole clip, including
its halves under transitions) moves with it, the part outside is dropped, so no cue ever
spans a cut. A piece that keeps most of its cue (KEEP_FRACTION) is
kept even if it now reads a little fast (the checker reports it); a smaller piece is kept only
when it is still readable (minimum duration, reading-speed limit), else dropped. Cues that
would now be closer than the minimum gap are shortened.

This is for a reviewed master, whose text must stay as the reviewer wrote it; generated
subtitles are rebuilt from the words inside each clip instead (``run.film_cues``).
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.subtitles.cues import Cue
from pipeline.subtitles.rules import SubtitleRules, reading_chars
from pipeline.timeline.timemap import TimeMap

KEEP_FRACTION = 0.8


def retime(cues: list[Cue], timemap: TimeMap, rules: SubtitleRules) -> list[Cue]:
    pieces: list[Cue] = []
    for cue in cues:
        for span in timemap.spans:
            start = max(cue.start_ms, span.heard_from_ms)
            end = min(cue.end_ms, span.heard_until_ms)
            if end <= start:
                continue
            kept = (end - start) / max(1, cue.duration_ms)
            readable = (
                end - start >= rules.min_duration_ms
                and reading_chars(list(cue.lines)) * 1000 / (end - start) <= rules.max_cps
            )
            if (
                kept < 1
                and not readable
                and (kept < KEEP_FRACTION or end - start < rules.min_duration_ms)
            ):
                continue  # too short to read once cut
            words = tuple(
                replace(w, start_ms=span.to_output(w.start_ms), end_ms=span.to_output(w.end_ms))
                for w in cue.words
                if start <= w.start_ms < end
            )
            pieces.append(
                replace(
                    cue,
                    start_ms=span.to_output(start),
                    end_ms=span.to_output(end),
                    words=words,
                )
            )
    return spaced_cues(pieces, rules)


def spaced_cues(pieces: list[Cue], rules: SubtitleRules) -> list[Cue]:
    """``pieces`` in film order, never overlapping. Two clips heard together under a
    transition (or repeating a moment) give overlapping pieces: the earlier one is shortened
    to end the minimum gap before the later; if that leaves it too short to read, the later
    one starts after it instead; if neither can be read, the one holding more text stays."""
    spaced: list[Cue] = []
    for piece in sorted(pieces, key=lambda c: c.start_ms):
        if not spaced or piece.start_ms - spaced[-1].end_ms >= rules.min_gap_ms:
            spaced.append(piece)
            continue
        previous = spaced[-1]
        end = piece.start_ms - rules.min_gap_ms
        start = previous.end_ms + rules.min_gap_ms
        if end - previous.start_ms >= rules.min_duration_ms:
            spaced[-1] = previous.moved(previous.start_ms, end)
            spaced.append(piece)
        elif piece.end_ms - start >= rules.min_duration_ms:
            spaced.append(piece.moved(start, piece.end_ms))
        elif reading_chars(list(piece.lines)) > reading_chars(list(previous.lines)):
            spaced[-1] = piece
    return spaced
