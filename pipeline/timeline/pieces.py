"""A film's pieces end to end on its own clock: the opening title card, the clips, the
closing credits. A crossfade or a dip to black overlaps two pieces by its length, so the
film is that much shorter than its pieces; every length is a whole number of frames.

The time map (session moment → film moment) follows the same layout, so subtitles, lower
thirds and the site's chapters land where the renderer puts the picture. Within a
transition the first half belongs to the piece going out and the second to the piece
coming in, so the map's spans never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.core.errors import ConfigError, Problem
from pipeline.session.cuelist import CueList, TransitionType
from pipeline.timeline.cut_points import transition_frames
from pipeline.timeline.resolve import ResolvedClip
from pipeline.timeline.timemap import Span, TimeMap


class PieceKind(StrEnum):
    TITLE = "title"
    CLIP = "clip"
    CREDITS = "credits"


@dataclass(frozen=True)
class Piece:
    kind: str
    frames: int
    transition: TransitionType = TransitionType.CUT
    overlap_frames: int = 0
    """Shared with the piece before (a crossfade or a dip)."""
    clip: ResolvedClip | None = None


def film_pieces(
    cue_list: CueList | None, clips: list[ResolvedClip], fps: int, cue_file: Path
) -> list[Piece]:
    """The pieces in order; a transition longer than half of either piece it joins is
    reported with the clip's line (every such problem at once)."""
    pieces: list[Piece] = []
    if cue_list and cue_list.title_card:
        pieces.append(Piece(PieceKind.TITLE, round(cue_list.title_card.duration * fps)))
    problems = []
    for index, clip in enumerate(clips):
        frames = round((clip.out_ms - clip.in_ms) * fps / 1000)
        kind = clip.transition.type
        overlap = 0
        if kind != TransitionType.CUT and not pieces:
            problems.append(
                Problem(
                    cue_file,
                    clip.line,
                    f"clips[{index}].transition",
                    f"a {kind.value} needs something before it: the first clip can only "
                    "start with a cut (or add a title_card)",
                )  # fmt: skip
            )
        elif kind != TransitionType.CUT:
            overlap = transition_frames(clip.transition.duration, fps)
            shortest = min(frames, pieces[-1].frames)
            if overlap * 2 > shortest:
                problems.append(
                    Problem(
                        cue_file, clip.line, f"clips[{index}].transition",
                        f"a {kind.value} of {overlap / fps:.2f} s is longer than half of the "
                        f"{shortest / fps:.2f} s it joins",
                    )
                )  # fmt: skip
        pieces.append(Piece(PieceKind.CLIP, frames, kind, overlap, clip))
    if problems:
        raise ConfigError(problems)
    if cue_list and cue_list.credits:
        pieces.append(Piece(PieceKind.CREDITS, round(cue_list.credits.duration * fps)))
    return pieces


def _ms(frames: int, fps: int) -> int:
    return round(frames * 1000 / fps)


def timemap_of(pieces: list[Piece], fps: int) -> TimeMap:
    """Session moments → film moments for the clips among ``pieces`` (see the module's
    docstring for transitions)."""
    spans, cursor = [], 0
    for index, piece in enumerate(pieces):
        start = cursor - piece.overlap_frames
        cursor = start + piece.frames
        if piece.clip is None:
            continue
        after = pieces[index + 1].overlap_frames if index + 1 < len(pieces) else 0
        head, tail = piece.overlap_frames // 2, after // 2
        spans.append(
            Span(
                piece.clip.in_ms + _ms(head, fps),
                piece.clip.out_ms - _ms(tail, fps),
                _ms(start + head, fps),
                piece.clip.in_ms,
                piece.clip.out_ms,
            )
        )
    return TimeMap(tuple(spans))
