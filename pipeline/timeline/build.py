"""A film's cue list resolved against the ingested recordings and the session clock.

Clip times are rounded to whole frames, so the film lasts exactly the sum of its clips.
Every problem (a camera with no recording at that time, a missing cue list) is reported
with the cue list's file and line, before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.core.errors import CaptureError, ConfigError, Problem
from pipeline.core.probe import probe
from pipeline.session import CameraRole, LoadedSession
from pipeline.session.artifacts.ingest import IngestState, ProbedVideo, Recording, load_state
from pipeline.session.artifacts.sync import Placement, load_sync
from pipeline.session.extras import open_extra
from pipeline.session.siblings import open_sibling, sibling_base_ms
from pipeline.timeline.card_text import credits_lines, title_lines
from pipeline.timeline.cut_points import CutNote
from pipeline.timeline.film_plan import plan_film
from pipeline.timeline.model import SourceCut, Timeline, TimelineCard, TimelineClip, TimelineItem
from pipeline.timeline.pieces import Piece, PieceKind
from pipeline.timeline.resolve import ResolvedClip

MAX_HEIGHT = 1080


def recording_cuts(
    layout_media: Path, recording: Recording, placement: Placement, first_ms: int, last_ms: int
) -> tuple[SourceCut, ...] | None:
    """The file pieces holding session time [first, last), or None if not all recorded."""
    drift = placement.clock_drift
    start = (first_ms / 1000 - placement.offset_s) * (1 + drift)
    end = (last_ms / 1000 - placement.offset_s) * (1 + drift)
    if start < -1e-3 or end > recording.duration_s + 1e-3:
        return None
    cuts, cursor = [], 0.0
    for name, length in zip(recording.files, recording.part_durations, strict=True):
        lo, hi = max(start, cursor), min(end, cursor + length)
        if hi > lo + 1e-6:
            cuts.append(SourceCut(layout_media / name, lo - cursor, hi - lo))
        cursor += length
    return tuple(cuts)


def placed_recordings(
    loaded: LoadedSession, state: IngestState
) -> list[tuple[Recording, Placement]]:
    """The usable recordings that sync placed on the session clock."""
    sync = load_sync(loaded)
    if sync is None:
        raise ConfigError(f"nothing on the session clock: run `capture ingest {loaded.root}`")
    return [
        (r, placement)
        for r in state.recordings
        if r.usable and (placement := sync.placement(r.id)) and placement.offset_s is not None
    ]


def _logos(loaded: LoadedSession) -> tuple[Path, ...]:
    """The session's logos; every missing one is reported with its session.yaml line."""
    found, problems = [], []
    for index, logo in enumerate(loaded.session.logos):
        path = loaded.resolve(logo)
        if not path.is_file():
            line = loaded.line_of(("logos", index))
            message = f"{logo!r} is not in the session folder"
            problems.append(Problem(loaded.folder.session_file, line, f"logos[{index}]", message))
        found.append(path)
    if problems:
        raise ConfigError(problems)
    return tuple(found)


def _cards_and_clips(
    loaded: LoadedSession, pieces: list[Piece], clips: list[TimelineClip]
) -> tuple[TimelineItem, ...]:
    """The pieces as timeline items: clips with their transition, cards with their words."""
    items: list[TimelineItem] = []
    remaining = iter(clips)
    logos = _logos(loaded) if any(p.clip is None for p in pieces) else ()
    for piece in pieces:
        if piece.kind == PieceKind.CLIP:
            clip = next(remaining)
            items.append(replace(clip, transition=piece.transition,
                                 overlap_frames=piece.overlap_frames))  # fmt: skip
            continue
        words = title_lines if piece.kind == PieceKind.TITLE else credits_lines
        items.append(TimelineCard(piece.kind, piece.frames, words(loaded.session), logos))
    return tuple(items)


@dataclass(frozen=True)
class _Recordings:
    """What a session's clips are cut from: its recordings placed on its clock, its
    recorder's and its cameras' names."""

    loaded: LoadedSession
    state: IngestState
    placed: list[tuple[Recording, Placement]]

    @classmethod
    def of(cls, loaded: LoadedSession) -> _Recordings:
        state = load_state(loaded.folder.ingest_state)
        return cls(loaded, state, placed_recordings(loaded, state))

    def clip(self, clip: ResolvedClip, shift_ms: int) -> TimelineClip | str:
        """The clip's picture and sound cut from these recordings (its times less
        ``shift_ms`` on this session's clock), or why it cannot be."""
        session = self.loaded.session
        declared = [c.name for c in session.cameras]
        unknown = [n for n in (clip.camera, clip.audio) if n is not None and n not in declared]
        if unknown:
            yaml = self.loaded.folder.session_file if shift_ms else "session.yaml"
            return (f"camera {unknown[0]!r} is not in {yaml} "
                    f"(cameras: {', '.join(declared) or 'none'})")  # fmt: skip
        first, last = clip.in_ms - shift_ms, clip.out_ms - shift_ms
        wide = [c.name for c in session.cameras if c.role == CameraRole.WIDE]
        camera = clip.camera or (wide[0] if wide else None)
        media = self.loaded.folder.media
        video = next(
            (
                (r, cuts)
                for r, p in self.placed
                if r.has_video
                and (camera is None or r.camera == camera)
                and (cuts := recording_cuts(media, r, p, first, last))
            ),
            None,
        )
        where = f" of {self.loaded.root.name}" if shift_ms else ""
        if video is None:
            return (f"no recording of camera {camera or '(any)'} covers "
                    f"{first / 1000:.3f}-{last / 1000:.3f} s on the session clock{where}"
                    + "".join(f" ({on_own_clock(n, shift_ms)})" for n in clip.notes))  # fmt: skip
        if clip.audio:
            hearing = [(r, p) for r, p in self.placed if r.has_audio and r.camera == clip.audio]
        else:
            hearing = [(r, p) for r, p in self.placed
                       if r.has_audio and r.is_sound_recorder(session)]  # fmt: skip
        sound = next(
            ((r, cuts) for r, p in hearing if (cuts := recording_cuts(media, r, p, first, last))),
            None,
        )
        if sound is None and video[0].has_audio and clip.audio in (None, video[0].camera):
            sound = video
        if sound is None:
            whose = f"from {clip.audio} " if clip.audio else ""
            return f"no sound {whose}at {first / 1000:.3f} s{where}"
        video_cuts = tuple(
            SourceCut(c.path, c.start_s, c.duration_s, probed_video(self.state, c.path).interlaced)
            for c in video[1]
        )
        return TimelineClip(clip.in_ms, clip.out_ms, video[0].camera, video_cuts, sound[1],
                            sound[0].camera)  # fmt: skip


def on_own_clock(note: CutNote, shift_ms: int) -> CutNote:
    """A note on a clip of another session, in that session's times."""
    return replace(note, asked_ms=note.asked_ms - shift_ms, placed_ms=note.placed_ms - shift_ms)


def build_timeline(loaded: LoadedSession, name: str) -> Timeline:
    cue_file = loaded.folder.cue_list(name)
    plan = plan_film(loaded, name, strict=False)  # its problems are reported with ours
    if plan is None:
        raise ConfigError(f"{cue_file}: no clips to render")
    problems, clips = list(plan.piece_problems), []
    sources: dict[str | None, _Recordings] = {}
    unusable: set[str | None] = set()  # reported at the first clip cut from it, not at each
    for index, clip in enumerate(plan.clips):
        if clip.file is not None:
            clips.append(_extra_clip(loaded, clip))
            continue
        if clip.session in unusable:
            continue
        try:
            if clip.session not in sources:
                session = open_sibling(loaded, clip.session).loaded if clip.session else loaded
                sources[clip.session] = _Recordings.of(session)
        except CaptureError as error:
            problems.append(Problem(cue_file, clip.line, f"clips[{index}]", str(error)))
            unusable.add(clip.session)
            continue
        shift = sibling_base_ms(clip.session) if clip.session else 0
        made = sources[clip.session].clip(clip, shift)
        if isinstance(made, str):
            problems.append(Problem(cue_file, clip.line, f"clips[{index}]", made))
            continue
        where = f"{clip.session}, " if clip.session else ""  # its times on that session's clock
        notes = tuple(
            f"{cue_file.name}:{clip.line}: {where}{on_own_clock(note, shift)}"
            for note in clip.notes
        )
        clips.append(replace(made, cut_notes=notes))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    states = [s.state for s in sources.values()]
    heights = [_height(states, cut.path) for c in clips for cut in c.video]
    height = min(MAX_HEIGHT, max(heights))
    items = _cards_and_clips(loaded, plan.pieces, clips)
    return Timeline(name, items, plan.fps, height - height % 2, plan.timemap, plan.cue_list)


def _extra_clip(loaded: LoadedSession, clip: ResolvedClip) -> TimelineClip:
    """A clip of a recording off the session clock: its picture and its own sound, read
    from the file at the clip's place (``session/extras.py``)."""
    assert clip.file is not None
    extra = open_extra(loaded, clip.file)  # checked when the clip was resolved
    stream = extra.info.primary_video
    interlaced = bool(stream and stream.interlaced)
    cut = SourceCut(extra.path, extra.to_file(clip.in_ms) / 1000,
                    (clip.out_ms - clip.in_ms) / 1000, interlaced)  # fmt: skip
    name = Path(clip.file).name
    return TimelineClip(clip.in_ms, clip.out_ms, name, (cut,), (replace(cut, interlaced=False),),
                        name)  # fmt: skip


def _height(states: list[IngestState], path: Path) -> int:
    """A source's picture height: as ingest probed it, or probed now (a file off the
    session clock is not ingested)."""
    for state in states:
        if any(path.as_posix().endswith("/media/" + entry.path) for entry in state.files):
            return probed_video(state, path).upright_height or UNKNOWN_PICTURE.height
    stream = probe(path, check_vfr=False).primary_video
    return stream.display_size[1] if stream else UNKNOWN_PICTURE.height


UNKNOWN_PICTURE = ProbedVideo(width=1280, height=720)
"""A recording file ingest could not probe is taken as 720p (it is refused later if it
cannot be read)."""


def probed_video(state: IngestState, path: Path) -> ProbedVideo:
    """The first video stream of an ingested file, as ingest probed it."""
    for entry in state.files:
        if path.as_posix().endswith("/media/" + entry.path):
            probed = entry.probed
            if probed and probed.primary_video:
                return probed.primary_video
    return UNKNOWN_PICTURE
