"""The one place where capture runs external programs (ffmpeg, ffprobe, espeak-ng).

* argv lists only, never a shell; every command is logged at debug level.
* ``Path`` arguments become ``file:/absolute/path`` for ffmpeg-family tools, so a file name
  with a colon, a leading dash or a protocol-like prefix is always read as a plain file.
* ``OutputFile(path)`` marks an output: the program writes to a temporary name in the same
  folder, renamed to the final name only on success; failures and Ctrl-C remove it.
* ffmpeg progress is read from ``-progress pipe:1`` and reported to a ``ProgressReporter``.
* failures raise ``ToolFailedError`` with the command, exit code and the tail of stderr.
* the child itself is supervised by ``core/process`` (signals, stderr, never orphaned).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import MediaError, ToolFailedError
from pipeline.core.process import ToolRun, interrupts_deferred, supervise
from pipeline.core.progress import NullProgress, ProgressReporter
from pipeline.core.tempfiles import _remove_stale_temporaries, temporary_name
from pipeline.core.tools import FFMPEG, FFPROBE, ExternalTool, find_tool

log = logging.getLogger("capture.runner")


@dataclass(frozen=True)
class OutputFile:
    """An output path in an argv: written under a temporary name, renamed on success."""

    path: Path


@dataclass(frozen=True)
class FilterGraph:
    """A ``-filter_complex`` graph in an argv. One that would pass INLINE_GRAPH_BYTES goes
    through a file instead (``-filter_complex_script``): Linux refuses a single argument
    over 128 KiB ("Argument list too long"), which a film of some 200 clips reaches."""

    text: str


INLINE_GRAPH_BYTES = 64 * 1024


Arg = str | Path | OutputFile | FilterGraph


def media_url(path: Path) -> str:
    """A path as ffmpeg must read it: never a protocol, an option or a relative surprise."""
    return "file:" + str(Path(os.path.abspath(path)))


class _PreparedArgs:
    def __init__(self, args: Iterable[Arg], *, url_paths: bool) -> None:
        self.argv: list[str] = []
        self.outputs: list[tuple[Path, Path]] = []  # (temporary, final)
        self.scripts: list[Path] = []
        try:
            self._prepare(args, url_paths)
        except BaseException:
            self.remove_scripts()
            raise

    def _prepare(self, args: Iterable[Arg], url_paths: bool) -> None:
        for arg in args:
            if isinstance(arg, FilterGraph):
                self.argv += self._graph(arg)
            elif isinstance(arg, OutputFile):
                final = Path(os.path.abspath(arg.path))
                try:
                    final.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    self.discard()
                    raise MediaError(
                        f"cannot create its folder: {exc.strerror}", path=final
                    ) from exc
                temp = temporary_name(final)
                _remove_stale_temporaries(final)
                temp.unlink(missing_ok=True)
                self.outputs.append((temp, final))
                self.argv.append(media_url(temp) if url_paths else str(temp))
            elif isinstance(arg, Path):
                if url_paths and self.argv and self.argv[-1] == "-i":
                    # a file from outside may be a playlist: let it open local files only
                    self.argv[-1:] = ["-protocol_whitelist", "file,pipe", "-i"]
                self.argv.append(media_url(arg) if url_paths else str(arg))
            else:
                self.argv.append(str(arg))

    def _graph(self, graph: FilterGraph) -> list[str]:
        if len(graph.text.encode()) <= INLINE_GRAPH_BYTES:
            return ["-filter_complex", graph.text]
        fd, name = tempfile.mkstemp(prefix=f"capture-graph-{os.getpid()}-", suffix=".txt")
        self.scripts.append(Path(name))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(graph.text)
        log.debug("graph %s: %s", name, graph.text)  # the file goes once ffmpeg has run
        return ["-filter_complex_script", name]

    def remove_scripts(self) -> None:
        for script in self.scripts:
            script.unlink(missing_ok=True)

    def discard(self) -> None:
        for temp, _ in self.outputs:
            temp.unlink(missing_ok=True)

    def commit(self) -> None:
        """Rename every output, or none: all temporaries are checked before the first rename."""
        for temp, final in self.outputs:
            if not temp.exists():
                raise MediaError("the program reported success but wrote no file", path=final)
        for temp, final in self.outputs:
            os.replace(temp, final)


def _execute(
    tool: ExternalTool,
    args: Iterable[Arg],
    *,
    fixed_args: Sequence[str] = (),
    url_paths: bool,
    on_stdout_line: Any = None,
) -> ToolRun:
    prepared = _PreparedArgs(args, url_paths=url_paths)
    committed = False
    try:
        try:
            result = supervise(tool, [str(find_tool(tool)), *fixed_args, *prepared.argv],
                                on_stdout_line)  # fmt: skip
        except ToolFailedError as failed:
            if prepared.outputs and _out_of_space(failed):
                final = prepared.outputs[0][1]
                raise MediaError(
                    f"not enough disk space to write it ({_space_left(final)} left): free some "
                    "space and run again; nothing was kept and earlier files are intact",
                    path=final,
                ) from failed
            raise
        prepared.commit()
        committed = True
        return result
    finally:
        prepared.remove_scripts()
        if not committed:
            with interrupts_deferred():
                prepared.discard()


_NO_SPACE = ("No space left on device", "File too large", "Disk quota exceeded")


def _out_of_space(failed: ToolFailedError) -> bool:
    """ffmpeg could not write: the disk is full, a quota or a file-size limit was hit (the
    last kills the program with SIGXFSZ)."""
    return failed.returncode == -signal.SIGXFSZ or any(
        text in failed.stderr_tail for text in _NO_SPACE
    )


def _space_left(path: Path) -> str:
    try:
        free = os.statvfs(path.parent)
    except OSError:
        return "unknown"
    return f"{free.f_bavail * free.f_frsize / 1e6:.0f} MB"


def run_tool(tool: ExternalTool, args: Iterable[Arg]) -> ToolRun:
    """Run a non-ffmpeg program (espeak-ng...) with the same error and output handling."""
    return _execute(tool, args, url_paths=False)


class _ProgressParser:
    """Reads ffmpeg's ``-progress`` key=value lines and reports seconds of output done."""

    def __init__(self, task: Any) -> None:
        self.task = task
        self.seconds = 0.0

    def __call__(self, line: str) -> None:
        key, _, value = line.partition("=")
        if key in ("out_time_us", "out_time_ms") and value.strip().lstrip("-").isdigit():
            # ffmpeg's out_time_ms is in microseconds too (a historical misnomer).
            self.seconds = max(self.seconds, int(value) / 1_000_000)
            self.task.advance_to(self.seconds)


def run_ffmpeg(
    args: Iterable[Arg],
    *,
    duration: float | None = None,
    progress: ProgressReporter | None = None,
    label: str = "ffmpeg",
) -> ToolRun:
    """Run ffmpeg with progress; ``duration`` (seconds of output) gives the bar its total."""
    reporter = progress or NullProgress()
    fixed = ["-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-nostats"]
    fixed += ["-progress", "pipe:1"]
    with reporter.task(label, duration) as task:
        parser = _ProgressParser(task)
        result = _execute(FFMPEG, args, fixed_args=fixed, url_paths=True, on_stdout_line=parser)
        if duration:
            task.advance_to(duration)
    return result


def _ffprobe(path: Path, args: Sequence[str], on_line: Callable[[str], None] | None = None):
    """ffprobe on ``path``; an unreadable file raises MediaError naming it."""
    if not path.exists():
        raise MediaError("no such file", path=path)
    try:
        return _execute(FFPROBE, ["-v", "error", *args, path], fixed_args=["-hide_banner"],
                        url_paths=True, on_stdout_line=on_line)  # fmt: skip
    except ToolFailedError as exc:
        reason = exc.stderr_tail.strip().splitlines()[-1:] or ["unreadable media"]
        raise MediaError(f"ffprobe cannot read it: {reason[0]}", path=path) from exc


def ffprobe_json(path: Path, extra_args: Sequence[str] = ()) -> dict[str, Any]:
    """ffprobe's JSON for ``path``; an unreadable file raises MediaError naming it."""
    result = _ffprobe(path, ["-of", "json", *extra_args])
    try:
        return json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise MediaError(f"ffprobe returned invalid JSON: {exc}", path=path) from exc


def ffprobe_lines(path: Path, extra_args: Sequence[str], on_line: Callable[[str], None]) -> None:
    """ffprobe's output for ``path`` handed over line by line (a packet listing of a 2-hour
    film is hundreds of thousands of lines: never held whole)."""
    _ffprobe(path, extra_args, on_line)
