"""``capture render SESSION full|highlights|synthesis [--preview]``.

The master: H.264 High yuv420p at the timeline's height (the sources' own, at most 1080p;
never upscaled), CFR at the film's frame rate (the cameras'), AAC-LC 48 kHz stereo,
loudness to the preset in two passes, measured afterwards; ``renders/<name>.json`` beside
it records the timeline, the sources with their hashes, the preset, the loudness, the
time map and the web renditions. The renditions (``render/ladder.py``) are split from the
master's own graph, or made from the sources in one graph when the master was copied: the
sources are decoded once and each file encoded once. A master that must be re-encoded is
the top rendition itself when that rung has its size and rate (the same file under both
names: one encode, not two); otherwise it is encoded beside the rungs in the same graph.
The preview is a fast 360p proxy without loudness passes or renditions, for the editor's
loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.core.errors import ConfigError, MediaError, Problem, ToolFailedError
from pipeline.core.fsutil import FileSet, file_set
from pipeline.core.presets import (
    AUDIO_CODEC,
    MASTER,
    PREVIEW,
    PREVIEW_AUDIO_KBPS,
    Preset,
    load_preset,
)
from pipeline.core.progress import ProgressReporter
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.core.timecode import format_time_ms
from pipeline.render import loudness, stream_copy
from pipeline.render.assembly import (
    FilmAssembly,
    WebLadder,
    by_copy,
    by_render,
    remove_leftovers,
)
from pipeline.render.editorial import (
    EDITORIAL_SUFFIXES,
    media_facts,
    to_otio,
    with_files_off_the_clock,
    write_editorial,
)
from pipeline.render.filtergraph import SAMPLE_RATE, assemble
from pipeline.render.ladder import ladder_digest, plan_ladder
from pipeline.render.report import film_report, listening_report, web_report
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import load_state
from pipeline.session.cuelist import CueList
from pipeline.session.siblings import sibling_sessions
from pipeline.timeline.build import build_timeline
from pipeline.timeline.lower_thirds import LowerThirdOnFilm, lower_thirds
from pipeline.timeline.model import Timeline, TimelineCard
from pipeline.timeline.text_fit import TextDoesNotFit, card_layout, lower_third_layout

PREVIEW_HEIGHT = 360


@dataclass(frozen=True)
class RenderResult:
    output: Path
    report: Path
    duration_s: float
    integrated_lufs: float | None
    true_peak_dbtp: float | None
    normalization: str | None
    editorial: list[Path] = field(default_factory=list)
    """The cut as OTIO, FCP XML and EDL (final renders only)."""
    assembly: FilmAssembly | None = None
    editorial_error: str | None = None
    """Why the OTIO/FCP XML/EDL files could not be written (the render itself is fine)."""
    cut_notes: list[str] = field(default_factory=list)
    """Cuts that speech moved, transitions it shortened or that cover words."""


def _width(height: int) -> int:
    width = round(height * 16 / 9)
    return width + width % 2


def _write_editorial(loaded: LoadedSession, timeline: Timeline, files: FileSet) -> list[Path]:
    """The cut for editing software, beside the render (OTIO, FCP XML, EDL)."""
    facts = media_facts(load_state(loaded.folder.ingest_state), loaded.folder.media)
    facts = with_files_off_the_clock(facts, timeline)
    film = to_otio(timeline, loaded.session.title, facts, loaded.folder.media)
    return write_editorial(film, loaded.folder.renders, timeline.name, files)


def _web_ladder(
    loaded: LoadedSession, name: str, preset: Preset, width: int, height: int
) -> WebLadder:
    rungs = plan_ladder(preset, width, height)
    outputs = [loaded.folder.web_rendition(name, rung.name) for rung in rungs]
    listening = loaded.folder.web_listening(name) if preset.listening else None
    return WebLadder(rungs, outputs, preset, listening)


def _remove_other_rungs(loaded: LoadedSession, name: str, ladder: WebLadder) -> None:
    """Renditions of this film a ladder no longer has (a rung removed from the preset, an
    audio-only rendition it no longer asks for)."""
    folder = loaded.folder.renders / "web"
    kept = {*ladder.outputs, ladder.listening}
    for path in folder.glob(f"{name}-*") if folder.is_dir() else []:
        if path.suffix in (".mp4", ".m4a") and path not in kept:
            path.unlink(missing_ok=True)


def _check_overlays(
    timeline: Timeline,
    cue_list: CueList | None,
    overlays: list[LowerThirdOnFilm],
    width: int,
    height: int,
    cues: Path,
) -> None:
    """Every card and lower third laid out before any encode: text that cannot be drawn
    legibly, and a lower third at a moment the film does not show, are refused at their
    line of the cue list, with what to change."""
    refused: list[tuple[tuple[str | int, ...], str]] = []
    placed = {overlay.cue_index for overlay in overlays}
    for index, item in enumerate(cue_list.lower_thirds if cue_list else []):
        if index not in placed:
            refused.append((("lower_thirds", index), f"{format_time_ms(item.at)} is not in the "
                            "film: no clip shows that moment of the session"))  # fmt: skip
    for item in timeline.items:
        if isinstance(item, TimelineCard):
            try:
                card_layout(item, width, height, timeline.fps)
            except TextDoesNotFit as error:
                key = "title_card" if item.kind == "title" else item.kind
                refused.append(((key,), error.problems[0].message))
    for overlay in overlays:
        try:
            lower_third_layout(overlay.name, overlay.detail, width, height)
        except TextDoesNotFit as error:
            refused.append((("lower_thirds", overlay.cue_index), error.problems[0].message))
    if refused:
        line_of = cue_list.line_of if cue_list else lambda _: None
        found = [Problem(cues, line_of(place), None, message) for place, message in refused]
        raise ConfigError(sorted(found, key=lambda problem: problem.line or 0))


def render(
    loaded: LoadedSession,
    name: str,
    *,
    preview: bool = False,
    preset_name: str = "web",
    allow_copy: bool = True,
    progress: ProgressReporter | None = None,
) -> RenderResult:
    """Render a film; a final render whose picture needs nothing drawn or conformed is
    assembled by stream copy instead (falling back to a render if the copy does not hold
    every frame), unless ``allow_copy`` is false."""
    timeline = build_timeline(loaded, name)  # every cue-list problem before any work
    preset = load_preset(preset_name, session_root=loaded.root)
    height = min(PREVIEW_HEIGHT, timeline.height) if preview else timeline.height
    width = _width(height)
    cue_list = timeline.cue_list
    others = sibling_sessions(loaded, cue_list.sessions) if cue_list else {}
    overlays = lower_thirds(cue_list, loaded.session, timeline.timemap, others) if cue_list else []
    _check_overlays(timeline, cue_list, overlays, width, height, loaded.folder.cue_list(name))
    output = loaded.folder.render(name, preview=preview)
    video = preset.video
    audio_kbps = PREVIEW_AUDIO_KBPS if preview else preset.audio.bitrate_kbps
    audio_encode: list = ["-c:a", AUDIO_CODEC, "-ar", str(SAMPLE_RATE), "-ac", "2",
                          "-b:a", f"{audio_kbps}k"]  # fmt: skip
    encode: list = [
        "-c:v", video.codec, "-pix_fmt", video.pix_fmt, "-r", str(timeline.fps),
        "-g", str(round(video.gop_seconds * timeline.fps)), *audio_encode,
        "-movflags", "+faststart",
    ]  # fmt: skip
    if preview:
        encode += PREVIEW.args()
        audio_filter = "anull"
    else:
        encode += ["-profile:v", video.profile, "-level:v", video.level, *MASTER.args()]
        target = preset.audio.loudness
        sound = assemble(timeline, width, height, with_video=False)
        measured_pass = loudness.measure_pass(sound.inputs, sound.graph, sound.audio_label, target)
        audio_filter = loudness.second_pass_filter(measured_pass, target, SAMPLE_RATE)
    if preview:
        reason, formats = None, {}
    elif not allow_copy:
        reason, formats = "re-encoding was asked for (--reencode)", {}
    else:
        level = round(float(video.level) * 10)
        reason, formats = stream_copy.why_not_copy(timeline, width, height, bool(overlays), level)
    method = FilmAssembly("render", reason)
    ladder = None if preview else _web_ladder(loaded, name, preset, width, height)
    remove_leftovers(output)
    for path in [*ladder.outputs, loaded.folder.web_listening(name)] if ladder else []:
        remove_leftovers(path)
    with filter_safe_tempdir("capture-render-") as folder:
        film = web = None
        if not preview and reason is None:
            try:
                film, method = by_copy(timeline, width, height, formats, audio_filter,
                                       audio_encode, output, progress)  # fmt: skip
            except (MediaError, ToolFailedError) as error:
                first_line = str(error).strip().splitlines()[0][:300]
                method = FilmAssembly("render", f"the copy failed: {first_line}")
        try:
            if film is None:
                film = by_render(timeline, width, height, overlays, audio_filter, encode,
                                 output, folder, preview=preview, progress=progress,
                                 ladder=ladder)  # fmt: skip
            elif ladder is not None:  # the picture was copied: the renditions from the sources
                web = by_render(timeline, width, height, overlays, audio_filter, None,
                                output, folder, preview=False, progress=progress,
                                ladder=ladder)  # fmt: skip
        except BaseException:
            if film is not None and film.path is not None:
                film.path.unlink(missing_ok=True)
            raise
    if film.master_rendition is not None:
        method = replace(method, same_as_rendition=film.master_rendition)
    renditions = list(zip(ladder.outputs, (web or film).web, strict=True)) if ladder else []
    heard = (web or film).listening
    listened = [(ladder.listening, heard)] if ladder and ladder.listening and heard else []
    report = loaded.folder.render_report(name, preview=preview)
    editorial, editorial_error = [], None
    # the film, its renditions, report and exports replace the old ones together, or not at all
    with file_set() as files:
        assert film.path is not None and film.run is not None
        # renamed in this order, the report last: a kill between leaves renditions that
        # differ from the sizes the old report lists, which publish refuses
        for final, checked in [*renditions, *listened]:
            files.add(checked, final)
        files.add(film.path, output)
        normalization = None if preview else loudness.normalization_type(film.run.stderr_tail)
        measured = None if preview else loudness.measure_file(film.path)
        if not preview:
            try:
                editorial = _write_editorial(loaded, timeline, files)
            except OSError:
                raise  # a full disk is the whole render's failure, not the export's
            except Exception as error:  # an exchange file must never cost the render itself
                editorial_error = f"{type(error).__name__}: {error}"
        made = film_report(loaded, timeline, output, preset.name, measured, normalization, method)
        if ladder is not None:
            made = made.model_copy(update={
                "web": web_report(loaded, ladder, renditions),
                "listening": listening_report(
                    loaded, ladder, listened, timeline.duration_s
                ),
                "ladder": ladder_digest(preset),
            })  # fmt: skip
        files.write_text(
            report, made.model_copy(update={"editorial_error": editorial_error}).to_text()
        )
    if ladder is not None:
        _remove_other_rungs(loaded, name, ladder)
    if editorial_error is not None:  # the old exports describe another cut
        for suffix in EDITORIAL_SUFFIXES:
            (loaded.folder.renders / f"{name}{suffix}").unlink(missing_ok=True)
    return RenderResult(
        output,
        report,
        timeline.duration_s,
        measured.integrated_lufs if measured else None,
        measured.true_peak_dbtp if measured else None,
        normalization,
        editorial,
        method,
        editorial_error,
        timeline.cut_notes,
    )
