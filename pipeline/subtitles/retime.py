"""Subtitles of the master (session clock) carried onto a film's timeline.

Each cue is cut by the film's clips: the part inside a clip moves with it, the part outside
is dropped, so no cue ever spans a cut. A piece that keeps most of its cue (KEEP_FRACTION) is
kept even if it now reads a little fast (the checker reports it); a smaller piece is kept only
when it is still readable (minimum duration, reading-speed limit), else dropped. Cues that
would now be closer than the minimum gap are shortened.

This is for a reviewed master, whose text must stay as the reviewer wrote it; generated
subtitles are rebuilt from the words inside each clip instead (``run.film_cues``).
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.subtitles.cues import Cue
from pipeline.subtitles.rules import RULES, SubtitleRules, reading_chars
from pipeline.timeline.timemap import TimeMap

KEEP_FRACTION = 0.8


def retime(cues: list[Cue], timemap: TimeMap, rules: SubtitleRules = RULES) -> list[Cue]:
    pieces: list[Cue] = []
    for cue in cues:
        for span in timemap.spans:
            start = max(cue.start_ms, span.session_start_ms)
            end = min(cue.end_ms, span.session_end_ms)
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
    pieces.sort(key=lambda c: c.start_ms)
    spaced: list[Cue] = []
    for piece in pieces:
        if spaced and piece.start_ms - spaced[-1].end_ms < rules.min_gap_ms:
            previous = spaced[-1]
            end = piece.start_ms - rules.min_gap_ms
            if end - previous.start_ms < rules.min_duration_ms:
                continue  # two clips repeat the same moment: keep the earlier cue whole
            spaced[-1] = previous.moved(previous.start_ms, end)
        spaced.append(piece)
    return spaced
