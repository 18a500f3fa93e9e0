"""The two ways a film's picture is made: rendered through one filtergraph, or copied GOP by
GOP with only the frames around each cut re-encoded (``stream_copy``). The sound is rendered
either way."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import MediaError
from pipeline.core.fsutil import atomic_link_or_copy
from pipeline.core.media_integrity import stream_extents
from pipeline.core.presets import Preset
from pipeline.core.probe import probe
from pipeline.core.process import ToolRun
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import Arg, FilterGraph, OutputFile, run_ffmpeg
from pipeline.core.tempfiles import TEMPORARY_FOLDER_TAIL, remove_dead_leftovers, work_folder_beside
from pipeline.render import stream_copy
from pipeline.render.filtergraph import assemble
from pipeline.render.ladder import PlannedRung, ladder_outputs, master_rung
from pipeline.render.overlays import drawtext_chain
from pipeline.render.stream_copy import SourceFormat
from pipeline.timeline.lower_thirds import LowerThirdOnFilm
from pipeline.timeline.model import Timeline


@dataclass(frozen=True)
class FilmAssembly:
    """How the picture was made: ``render`` (one filtergraph) or ``stream copy``."""

    method: str
    reason: str | None = None
    """Why the film was not assembled by copy (final renders only)."""
    copied_frames: int = 0
    encoded_frames: int = 0
    same_as_rendition: str | None = None
    """The web rendition the film is, byte for byte (one encode for both), if any."""


@dataclass(frozen=True)
class WebLadder:
    """The film's web renditions, made in the same graph as the film itself."""

    rungs: list[PlannedRung]
    outputs: list[Path]
    """Where each rung goes in the end (in ``rungs``' order)."""
    preset: Preset
    listening: Path | None = None
    """Where the audio-only rendition goes (None: the preset has none)."""


@dataclass(frozen=True)
class Assembled:
    run: ToolRun | None
    path: Path | None
    """The checked film under a temporary name beside its final one (None: no film made)."""
    web: tuple[Path, ...] = ()
    """The checked web renditions under temporary names, in the ladder's order."""
    master_rendition: str | None = None
    """The rung the film is the same file as (encoded once for both), if any."""
    listening: Path | None = None
    """The checked audio-only rendition under a temporary name."""


CANDIDATES = ("rendered", "by-copy")


def _candidate(output: Path, how: str) -> Path:
    """``.NAME.how-PID.mp4`` beside ``output``: the film before it is checked."""
    return output.with_name(f".{output.stem}.{how}-{os.getpid()}{output.suffix}")


def remove_leftovers(output: Path) -> None:
    """What a killed render of ``output`` left beside it: checked candidates, ffmpeg's
    temporaries of them (``..NAME.rendered-PID.partial-PID.mp4``), the stream copy's pieces."""
    suffix = re.escape(output.suffix)
    for how in CANDIDATES:
        remove_dead_leftovers(output.parent, f".{output.stem}.{how}-", suffix)
        remove_dead_leftovers(output.parent, f"..{output.stem}.{how}-", rf"\.partial-\d+{suffix}")
    remove_dead_leftovers(output.parent, f".{output.stem}.pieces-", TEMPORARY_FOLDER_TAIL)


def check_length(
    output: Path, timeline: Timeline, fps: int | None = None, what: str | None = None
) -> None:
    """A source that cannot be decoded at a cut point (a seek that finds no keyframe), or a
    source shorter than its header says, makes the film silently short, often in one stream
    only: its picture and its sound must each last what the clips add up to, and the picture
    hold one frame per frame of it (at ``fps``, the film's rate unless given). Read from the
    packets, not the container's duration."""
    fps = fps or timeline.fps
    info = probe(output, check_vfr=False)
    extents = stream_extents(output)
    expected = timeline.duration_s
    problems = []
    for kind, streams in (("picture", info.video), ("sound", info.audio)):
        for stream in streams:
            extent = extents.get(stream.index)
            length = extent.end_s - (stream.start_time or 0.0) if extent else 0.0
            if abs(length - expected) > 1.5 / fps:
                problems.append(f"its {kind} lasts {length:.3f} s")
    frames = [extents[s.index].packets for s in info.video if s.index in extents]
    wanted = round(expected * fps)
    if any(abs(count - wanted) > 1 for count in frames):
        problems.append(f"it holds {frames[0]} frames instead of {wanted}")
    if problems:
        output.unlink(missing_ok=True)
        found = "; ".join(problems)
        raise MediaError(
            f"{what or 'the ' + timeline.name} came out wrong ({found})"
            f" instead of {expected:.3f} s: a source could not be read at a cut point or is "
            "shorter than it says",
            path=output,
        )


def by_render(
    timeline: Timeline, width: int, height: int, overlays: list[LowerThirdOnFilm],
    audio_filter: str, encode: list[Arg] | None, output: Path, folder: Path, *,
    preview: bool, progress: ProgressReporter | None, ladder: WebLadder | None = None,
) -> Assembled:  # fmt: skip
    """The film through one filtergraph (cards and lower thirds drawn from text files in
    ``folder``, a filter-safe temporary folder), and its web renditions split from the same
    graph when a ``ladder`` is given: the sources are decoded once and each file encoded
    once. When a rung has the film's size and rate, the film is that rendition (one encode,
    the same file under both names); ``encode=None`` makes the renditions alone (the film
    was copied). Everything is checked, under temporary names beside the final ones: the
    caller renames them along with the report (``.path``, ``.web``)."""
    assembly = assemble(timeline, width, height, timecode=preview, text_folder=folder)
    drawn = drawtext_chain(overlays, folder, width, height)
    graph = (
        f"{assembly.graph};{assembly.video_label}null{drawn}[film_video];"
        f"{assembly.audio_label}{audio_filter}[film_audio]"
    )
    # checked under other names first: a film that came out short never replaces the last one
    candidate = _candidate(output, "rendered") if encode is not None else None
    web = [_candidate(path, "rendered") for path in ladder.outputs] if ladder else []
    heard = _candidate(ladder.listening, "rendered") if ladder and ladder.listening else None
    shared = None
    if ladder is not None and candidate is not None:
        shared = master_rung(ladder.rungs, width, height, ladder.preset, timeline.fps)
    video, audio, rung_args = "[film_video]", "[film_audio]", []
    if ladder:
        split = ladder_outputs(
            video, audio, ladder.rungs, web, ladder.preset,
            with_master=candidate is not None and shared is None, film_fps=timeline.fps,
            listening=heard,
        )  # fmt: skip
        graph += ";" + ";".join(split.chains)
        video, audio, rung_args = split.master_video, split.master_audio, split.args
    master: list[Arg] = []
    if encode is not None and candidate is not None and shared is None:
        master = ["-map", video, "-map", audio, *encode, OutputFile(candidate)]
    what = "web renditions of " if candidate is None else ""
    run = run_ffmpeg(
        [*assembly.inputs, FilterGraph(graph), "-loglevel", "info", *master, *rung_args],
        duration=timeline.duration_s,
        progress=progress,
        label=f"rendering {what}{timeline.name}{' preview' if preview else ''}"
        + (f" and {len(web)} web rendition(s)" if web and candidate is not None else ""),
    )  # fmt: skip
    made = [p for p in [candidate, *web, heard] if p is not None]
    try:
        for path, rung in zip(web, ladder.rungs if ladder else [], strict=True):
            assert ladder is not None
            check_length(path, timeline, ladder.preset.video.frame_rate,
                         f"the {rung.name} web rendition of the {timeline.name}")  # fmt: skip
        if heard is not None:
            check_length(heard, timeline, what=f"the audio-only rendition of the {timeline.name}")
        if candidate is not None and shared is not None and ladder is not None:
            atomic_link_or_copy(web[ladder.rungs.index(shared)], candidate)
        elif candidate is not None:
            check_length(candidate, timeline)
    except BaseException:  # a probe that fails, Ctrl-C: no film-sized file left behind
        for path in made:
            path.unlink(missing_ok=True)
        raise
    return Assembled(run, candidate, tuple(web), shared.name if shared else None, heard)


def by_copy(
    timeline: Timeline, width: int, height: int, formats: dict[Path, SourceFormat],
    audio_filter: str, audio_encode: list[Arg], output: Path,
    progress: ProgressReporter | None,
) -> tuple[Assembled, FilmAssembly]:  # fmt: skip
    """The picture copied GOP by GOP (``stream_copy``), the sound rendered beside it. The
    pieces (copied GOPs: as large as the film) go into a folder beside the output, on the
    same disk, not into the system's temporary folder."""
    with work_folder_beside(output, "pieces") as work:
        return _copy_in(timeline, width, height, formats, audio_filter, audio_encode, output,
                        work, progress)  # fmt: skip


def _copy_in(
    timeline: Timeline, width: int, height: int, formats: dict[Path, SourceFormat],
    audio_filter: str, audio_encode: list[Arg], output: Path, folder: Path,
    progress: ProgressReporter | None,
) -> tuple[Assembled, FilmAssembly]:  # fmt: skip
    picture = stream_copy.copy_picture(timeline, formats, folder)
    sound = assemble(timeline, width, height, with_video=False)
    candidate = _candidate(output, "by-copy")  # checked before it replaces anything
    picture_input = sum(1 for arg in sound.inputs if arg == "-i")
    run = run_ffmpeg(
        [*sound.inputs, "-f", "concat", "-safe", "1", "-i", picture.concat_list,
         FilterGraph(f"{sound.graph};{sound.audio_label}{audio_filter}[out_audio]"),
         "-map", f"{picture_input}:v:0", "-map", "[out_audio]", "-c:v", "copy",
         *audio_encode, "-movflags", "+faststart", "-loglevel", "info", OutputFile(candidate)],
        duration=timeline.duration_s,
        progress=progress,
        label=f"assembling {timeline.name} by stream copy",
    )  # fmt: skip
    try:
        stream_copy.check_frames(candidate, picture, timeline, folder)
        check_length(candidate, timeline)
    except BaseException:
        candidate.unlink(missing_ok=True)
        raise
    method = FilmAssembly("stream copy", None, picture.copied_frames, picture.encoded_frames)
    return Assembled(run, candidate), method
