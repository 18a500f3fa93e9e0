"""Sound cues in the captions ("[Applaudissements]"): the deaf and hard of hearing are told
what the room does when no one speaks (GUIDE: sound cues belong in captions).

A sound cue takes only the time no speech cue uses: it starts and ends the minimum gap away
from its neighbours, lasts at most the longest a cue may, and is left out when what remains
is too short to read. Speech always wins."""

from __future__ import annotations

from pipeline.session.artifacts.transcript import SoundEvent
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.rules import SubtitleRules

LABELS = {"applause": "[Applaudissements]"}


def with_sound_cues(
    cues: list[Cue], sounds: list[tuple[int, int, str]], rules: SubtitleRules
) -> list[Cue]:
    """``cues`` (sorted, never overlapping) with a cue for each sound (start, end, kind) on
    the same clock, placed in the room the speech cues leave."""
    placed = list(cues)
    gap = rules.min_gap_ms
    for start, end, kind in sorted(sounds):
        earlier = [c.end_ms for c in placed if c.start_ms < start]
        first = max([start, *[e + gap for e in earlier]])
        later = [c.start_ms for c in placed if c.start_ms >= start]
        last = min([end, first + rules.max_duration_ms, *[s - gap for s in later]])
        overlapping = any(c.start_ms < last and first < c.end_ms for c in placed)
        if overlapping or last - first < rules.min_duration_ms:
            continue
        placed.append(Cue(first, last, (LABELS[kind],)))
        placed.sort(key=lambda c: c.start_ms)
    return placed


def session_sounds(events: list[SoundEvent]) -> list[tuple[int, int, str]]:
    return [(e.start_ms, e.end_ms, e.kind) for e in events]
