"""The ``capture`` command line: parse, call the core, report. No work is done here."""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from pipeline import __version__
from pipeline.console import make_progress, stderr, stdout
from pipeline.core.errors import CaptureError, ConfigError, ExitCode, FileSystemError, exit_code_for

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="capture",
    help="The Rencontres video pipeline: from camera cards to a published mini-site.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class _Options:
    quiet: bool = False


OPTIONS = _Options()


def _report_errors(function: F) -> F:
    """Map every error to one clear message and its exit code (tracebacks: CAPTURE_DEBUG=1)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the one boundary
            if os.environ.get("CAPTURE_DEBUG") == "1":
                stderr.print(traceback.format_exc())
            stderr.print(_describe(error))
            raise typer.Exit(exit_code_for(error)) from None

    return wrapper  # type: ignore[return-value]


def _describe(error: BaseException) -> str:
    if isinstance(error, ConfigError):
        return "\n".join(f"error: {problem}" for problem in error.problems)
    if isinstance(error, CaptureError):
        return f"error: {error}"
    if (known := FileSystemError.known(error)) is not None:
        return f"error: {known}"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return (
        f"internal error ({type(error).__name__}): {error}\n"
        "Run again with CAPTURE_DEBUG=1 to see the traceback."
    )


def recorded_step(loaded: Any, step: str, command_name: str, **options: Any) -> Any:
    """The work of a step done by its own command, recorded in run.json as ``run`` does."""
    from pipeline.orchestrate.standalone import recorded_step as record

    return record(loaded, step, command_name, **options)


def open_for_writing(session: Path, command_name: str) -> Any:
    """The session, loaded, with its lock held until this command ends: a second writing
    command on the same session stops with a message naming this one."""
    from pipeline.session import load_session
    from pipeline.session_lock import lock_session

    loaded = load_session(Path(session))
    lock_session(loaded, f"capture {command_name}")
    return loaded


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` with the error boundary applied."""

    def register(function: F) -> F:
        app.command(*args, **kwargs)(_report_errors(function))
        return function

    return register


def _sigterm_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _version_callback(value: bool) -> None:
    if value:
        stdout.print(f"capture {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every command run (debug level).")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = None,
) -> None:
    OPTIONS.quiet = quiet
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # a run's log file may ask the loggers for more

    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)


SessionArg = Annotated[Path, typer.Argument(help="The session folder.", show_default=False)]


@command("init")
def init_command(
    session: SessionArg,
    title: Annotated[str, typer.Option(help="Title of the Rencontre.")],
    date: Annotated[str, typer.Option(help="Date of the Rencontre, YYYY-MM-DD.")],
    place: Annotated[str | None, typer.Option(help="Where it takes place.")] = None,
    slug: Annotated[str | None, typer.Option(help="Short name used in web addresses.")] = None,
) -> None:
    """Create a session folder: session.yaml with commented examples, empty cue lists."""
    from pipeline.scaffold import init_session

    try:
        day = Date.fromisoformat(date)
    except ValueError:
        raise ConfigError(f"--date {date!r} is not a date like 2026-03-12") from None
    loaded = init_session(session, title=title, date=day, place=place, slug=slug)
    stdout.print(f"Created {loaded.layout.session_file} (slug: {loaded.session.slug})")
    stdout.print(
        f"Cue lists: {loaded.layout.cues / 'full.yaml'}, {loaded.layout.cues / 'highlights.yaml'}"
    )


@command("probe")
def probe_command(
    files: Annotated[list[Path], typer.Argument(help="Media files to describe.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Describe media files (ffprobe): streams, rates, interlacing, rotation, VFR, timecode."""
    from pipeline.core.probe import probe_many

    results, failures = probe_many(files)
    if as_json:
        typer.echo(json.dumps([info.to_json() for info in results], indent=2, ensure_ascii=False))
    else:
        for info in results:
            stdout.print(_media_table(info))
    for failure in failures:
        stderr.print(f"error: {failure}")
    if failures:
        raise typer.Exit(ExitCode.MEDIA)


def _media_table(info: Any) -> Table:
    table = Table(title=str(info.path), title_justify="left", show_header=False)
    duration = f"{info.duration:.3f} s" if info.duration is not None else "unknown"
    table.add_row("container", f"{info.container}, {duration}")
    if info.creation_time:
        table.add_row("created", info.creation_time.isoformat())
    if info.timecode:
        table.add_row("timecode", info.timecode)
    for v in info.video:
        scan = f"interlaced ({v.field_order})" if v.interlaced else v.field_order
        rate = f"{float(v.frame_rate):.3f} fps" if v.frame_rate else "unknown rate"
        table.add_row(
            f"video #{v.index}",
            f"{v.codec} {v.profile or ''} {v.width}x{v.height} {rate}"
            f"{' VFR' if v.variable_frame_rate else ''}, {scan}, {v.pix_fmt} "
            f"{v.bit_depth}-bit{f', rotated {v.rotation}°' if v.rotation else ''}",
        )
    for a in info.audio:
        table.add_row(
            f"audio #{a.index}",
            f"{a.codec} {a.sample_rate} Hz, {a.channels} ch ({a.channel_layout or 'no layout'})",
        )
    if not info.audio:
        table.add_row("audio", "none")
    return table


@command("doctor")
def doctor_command(
    folder: Annotated[
        Path, typer.Option(help="Where sessions will be written (disk check).")
    ] = Path("."),
) -> None:
    """Check ffmpeg, encoders and filters, espeak-ng, Python deps, the offline model, disk."""
    from pipeline.doctor import Status, run_checks

    checks = run_checks(folder)
    table = Table(show_header=True)
    for column in ("check", "status", "detail"):
        table.add_column(column)
    colours = {Status.OK: "green", Status.WARNING: "yellow", Status.MISSING: "red"}
    for check in checks:
        detail = check.detail + (
            f"\n-> {check.fix}" if check.fix and check.status != Status.OK else ""
        )
        table.add_row(check.name, Text(check.status, style=colours[check.status]), detail)
    stdout.print(table)
    missing = [c for c in checks if c.failed]
    if missing:
        stderr.print(
            f"{len(missing)} required item(s) missing: {', '.join(c.name for c in missing)}"
        )
        raise typer.Exit(ExitCode.CHECK_FAILED)
    stdout.print("Everything capture needs is here.")


@command("samples")
def samples_command(
    folder: Annotated[
        Path, typer.Argument(help="Where to write cards/, the session and truth.json.")
    ],
    tiny: Annotated[
        bool, typer.Option(help="A tiny 320x180 sample under 20 s (for tests).")
    ] = False,
    drift_ppm: Annotated[
        float, typer.Option(help="Clock drift of the sound recorder, ppm.")
    ] = 80.0,
    force: Annotated[bool, typer.Option(help="Replace an existing sample in FOLDER.")] = False,
) -> None:
    """Generate the sample Rencontre (synthetic French debate) with its ground truth."""
    from pipeline.sample_rencontre.generate import generate_sample

    result = generate_sample(
        folder, tiny=tiny, drift_ppm=drift_ppm, force=force, progress=make_progress(OPTIONS.quiet)
    )
    truth = result.truth
    stdout.print(
        f"Sample Rencontre ({truth.size}, {truth.session_duration:.1f} s, "
        f"{len(truth.script)} lines)"
    )
    for device in truth.devices:
        files = ", ".join(f.path for f in device.files)
        stdout.print(f"  {device.camera:<9} starts at {device.offset:6.2f} s  {files}")
    stdout.print(f"Session folder: {result.session}")
    stdout.print(f"Ground truth:   {result.truth_file}")


def _parse_camera(value: str) -> tuple[str, Path]:
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise ConfigError(f"--camera {value!r}: expected NAME=PATH, e.g. --camera A=/media/CARD_A")
    return name, Path(path)


@command("ingest")
def ingest_command(
    session: SessionArg,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Cards or folders (default: sources in session.yaml)."),
    ] = None,
    camera: Annotated[
        list[str] | None, typer.Option(help="NAME=PATH: read PATH as camera NAME (repeatable).")
    ] = None,
    hash_format: Annotated[
        str, typer.Option("--hash", help="Hash: xxh128 (default), xxh64 or md5.")
    ] = "xxh128",
    no_sync: Annotated[bool, typer.Option(help="Skip the audio sync that follows.")] = False,
) -> None:
    """Copy the cards into SESSION/media with verification and an ASC MHL, then sync."""
    from pipeline.ingest.offload import HASH_FORMATS
    from pipeline.ingest.run import plan_ingest, resolve_sources, run_ingest
    from pipeline.ingest.wipe import card_verdict

    if hash_format not in HASH_FORMATS:
        raise ConfigError(f"--hash {hash_format!r}: use one of {', '.join(HASH_FORMATS)}")
    loaded = open_for_writing(session, "ingest")
    specs = resolve_sources(loaded, sources or [], [_parse_camera(c) for c in camera or []])
    plan = plan_ingest(loaded, specs)
    stdout.print(_plan_table(plan))
    if not plan.to_copy:
        stdout.print("Everything on these cards is already copied and verified: nothing to copy.")
    progress = make_progress(OPTIONS.quiet)
    same_as_run = not (sources or camera) or not loaded.session.sources
    with recorded_step(loaded, "ingest", "capture ingest", same_as_run=same_as_run):
        report = run_ingest(loaded, plan, hash_format=hash_format, progress=progress)
    if report.copied:
        stdout.print(
            f"Copied and verified {len(report.copied)} file(s) "
            f"({sum(f.size for f in report.copied) / 1e6:.1f} MB, {hash_format}); "
            f"MHL generation {report.generation} in {loaded.layout.media / 'ascmhl'}"
        )
    if report.skipped:
        stdout.print(f"{report.skipped} file(s) already verified by an earlier ingest: skipped.")
    if not no_sync and report.state.recordings:
        from pipeline.sync_session import run_sync

        with recorded_step(loaded, "sync", "capture ingest"):
            _print_sync(run_sync(loaded, progress))
    problems = [f"{f.path}: {'; '.join(f.problems)}" for f in report.unusable]
    problems += [str(failure) for failure in report.failures]
    for problem in problems:
        stderr.print(f"unusable: {problem}" if ": " in problem else problem)
    media = loaded.layout.media
    _print_wipe_verdicts([card_verdict(spec, report.state, media) for spec in specs])
    if problems:
        stderr.print(f"{len(problems)} file(s) need attention (see above); everything else is in.")
        raise typer.Exit(ExitCode.MEDIA)


def _print_wipe_verdicts(verdicts: list[Any]) -> None:
    for verdict in verdicts:
        out = stdout if verdict.safe_to_wipe else stderr
        out.print(f"card {verdict.camera} ({verdict.path}): {verdict.summary}", highlight=False)
        for line in verdict.keep:
            out.print(f"  keep: {line}", highlight=False)


def _plan_table(plan: Any) -> Table:
    table = Table(title="Found on the cards", title_justify="left")
    for column in ("camera", "file", "kind", "size", "state"):
        table.add_column(column)
    for item in plan.files:
        state = "verified earlier" if item.done else "to copy"
        table.add_row(
            item.found.camera,
            str(item.found.path),
            item.found.kind.value,
            f"{item.found.size / 1e6:.1f} MB",
            state,
        )
    return table


def _print_sync(result: Any) -> None:
    table = Table(title="Session clock", title_justify="left")
    for column in ("recording", "starts at", "method", "confidence", "drift", "notes"):
        table.add_column(column)
    for p in result.placements:
        start = f"{p.offset_s:.3f} s" if p.offset_s is not None else "not placed"
        drift = f"{p.drift_ppm:+.1f} ppm" + (" (corrected)" if p.drift_corrected else "")
        table.add_row(
            p.recording, start, p.method, f"{p.offset_confidence:.2f}", drift, "; ".join(p.problems)
        )
    stdout.print(table)


@command("sync")
def sync_command(session: SessionArg) -> None:
    """Place every ingested recording on the session clock (ingest runs it; this re-runs it)."""
    from pipeline.sync_session import run_sync

    loaded = open_for_writing(session, "sync")
    with recorded_step(loaded, "sync", "capture sync"):
        _print_sync(run_sync(loaded, make_progress(OPTIONS.quiet)))


@command("transcribe")
def transcribe_command(
    session: SessionArg,
    engine: Annotated[
        str, typer.Option(help="faster-whisper (default) or openai-whisper (optional extra).")
    ] = "faster-whisper",
    model: Annotated[
        str,
        typer.Option(help="base (installed offline), small, medium, large-v3, or a path."),
    ] = "base",
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
    chunk_minutes: Annotated[
        float, typer.Option(help="Checkpoint every this many minutes of sound.", min=0.1)
    ] = 10.0,
) -> None:
    """French transcript with word times, on the session clock (resumes a killed run)."""
    from pipeline.transcription.engines import ENGINE_NAMES
    from pipeline.transcription.run import run_transcribe

    if engine not in ENGINE_NAMES:
        raise ConfigError(f"--engine {engine!r}: use {' or '.join(ENGINE_NAMES)}")
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"--device {device!r}: use cpu or cuda")
    loaded = open_for_writing(session, "transcribe")
    with recorded_step(loaded, "transcribe", "capture transcribe", engine=engine, model=model):
        transcript = run_transcribe(
            loaded,
            engine_name=engine,
            model=model,
            device=device,
            chunk_seconds=chunk_minutes * 60,
            progress=make_progress(OPTIONS.quiet),
        )
    stdout.print(
        f"{len(transcript.segments)} segment(s), {len(transcript.words)} word(s) from "
        f"{transcript.source.recording} ({transcript.engine}, model {transcript.model})"
    )
    stdout.print(f"Transcript: {loaded.layout.transcript / 'transcript.json'} (.txt, .md)")


@command("status")
def status_command(
    session: SessionArg,
    as_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable (stable) output.")
    ] = False,
) -> None:
    """Check session.yaml and show what the session holds: recordings, sync, problems."""
    from pipeline.session import load_session
    from pipeline.status import session_status

    loaded = load_session(session)
    status = session_status(loaded)
    if as_json:
        typer.echo(status.model_dump_json(indent=2))
        if status.needs_attention:
            raise typer.Exit(ExitCode.CHECK_FAILED)
        return
    s = loaded.session
    stdout.print(f"{s.title} — {s.date.isoformat()}{f', {s.place}' if s.place else ''}")
    stdout.print(f"slug: {s.slug}  language: {s.language}  speakers: {len(s.speakers)}")
    if status.busy:
        stdout.print(f"working on it now: {status.busy}")
    folders = Table(show_header=True)
    for column in ("what", "where", "state"):
        folders.add_column(column)
    for row in status.folders:
        folders.add_row(row.what, row.where, row.state)
    stdout.print(folders)
    if status.verified_files:
        stdout.print(
            f"{status.verified_files} verified file(s), {status.verified_bytes / 1e6:.1f} MB, "
            f"{status.mhl_generations} MHL generation(s)"
        )
    if status.recordings:
        table = Table(title="Recordings", title_justify="left")
        for column in ("recording", "parts", "length", "starts at", "conf.", "drift", "notes"):
            table.add_column(column)
        for r in status.recordings:
            start = f"{r.offset_s:.3f} s" if r.offset_s is not None else "-"
            conf = f"{r.offset_confidence:.2f}" if r.offset_confidence is not None else "-"
            drift = f"{r.drift_ppm:+.0f} ppm" if r.drift_ppm and abs(r.drift_ppm) >= 0.5 else "-"
            notes = "; ".join([*r.flags, *r.problems])
            table.add_row(
                r.id, str(len(r.files)), f"{r.duration_s:.1f} s", start, conf, drift, notes
            )
        stdout.print(table)
    for bad in status.unusable_files:
        stdout.print(f"unusable: {bad.path}: {'; '.join(bad.problems)}")
    sub = status.subtitles
    if sub.reviewed:
        stdout.print(
            f"subtitles: reviewed by a person ({sub.reviewed_cues} cues, {sub.changed_cues} "
            f"changed from the generated ones); films: {', '.join(sub.films) or 'none yet'}"
        )
    elif sub.generated:
        stdout.print(
            f"subtitles: generated, not reviewed yet; films: {', '.join(sub.films) or 'none'}"
        )
    steps = Table(title="Steps (capture run)", title_justify="left")
    for column in ("step", "state", "detail"):
        steps.add_column(column)
    for step in status.steps:
        steps.add_row(step.name, step.state, step.detail or "")
    stdout.print(steps)
    for card in status.cards:
        for line in card.keep:
            stdout.print(f"card {card.camera}: keep: {line}", highlight=False)
    if status.needs_attention:
        stderr.print("Needs attention:\n" + "\n".join(f"  {n}" for n in status.needs_attention))
        raise typer.Exit(ExitCode.CHECK_FAILED)


# the commands of later stages live in their own modules and register themselves here
from pipeline import cli_publish, cli_render, cli_run, cli_subtitles  # noqa: E402,F401
