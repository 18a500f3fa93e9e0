"""The ffmpeg runner: atomic outputs, errors with context, progress, Ctrl-C, odd names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.core.errors import MediaError, MissingDependencyError, ToolFailedError
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.tempfiles import filter_safe_tempdir, temporary_name
from pipeline.core.tools import FFMPEG, FFPROBE, find_tool


class _Task:
    def __init__(self, values: list[float]) -> None:
        self.values = values

    def advance_to(self, done: float) -> None:
        self.values.append(done)

    def __enter__(self) -> _Task:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class RecordingProgress:
    """A ProgressReporter that remembers every value reported."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, float | None, list[float]]] = []

    def task(self, label: str, total: float | None) -> _Task:
        values: list[float] = []
        self.tasks.append((label, total, values))
        return _Task(values)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_success_writes_final_name_only_and_reports_progress(tmp_path: Path) -> None:
    out = tmp_path / "tone.wav"
    progress = RecordingProgress()
    run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=frequency=440:duration=3", OutputFile(out)],
        duration=3.0,
        progress=progress,
    )
    assert out.stat().st_size > 3 * 44100
    assert _leftovers(tmp_path) == []
    (_, total, values) = progress.tasks[0]
    assert total == 3.0
    assert values == sorted(values) and values[-1] == pytest.approx(3.0)
    assert any(2.5 < v <= 3.0 for v in values[:-1]), "ffmpeg's own progress was not read"


def test_failure_carries_command_exit_code_and_stderr_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous good output")
    with pytest.raises(ToolFailedError) as caught:
        run_ffmpeg(["-f", "lavfi", "-i", "nosuchsource=x", OutputFile(out)])
    error = caught.value
    assert error.returncode != 0
    assert "nosuchsource" in " ".join(error.argv)
    assert "nosuchsource" in error.stderr_tail or "No such filter" in error.stderr_tail
    assert "command:" in str(error)
    assert out.read_bytes() == b"previous good output"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "name",
    ["-leading dash.wav", "with:colon.wav", 'it\'s "quoted".wav', "accentué é.wav", "a b.wav"],
)
def test_odd_file_names_are_plain_files(tmp_path: Path, name: str) -> None:
    source = tmp_path / f"src {name}"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.5", OutputFile(source)])
    target = tmp_path / name
    run_ffmpeg(["-i", source, "-c", "copy", OutputFile(target)])
    assert target.is_file() and target.stat().st_size > 1000
    assert _leftovers(tmp_path) == []


def test_temporary_name_keeps_the_extension_and_folder(tmp_path: Path) -> None:
    final = tmp_path / "renders" / "full.mp4"
    temp = temporary_name(final)
    assert temp.parent == final.parent and temp.suffix == ".mp4" and temp.name.startswith(".")


def test_missing_ffmpeg_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("CAPTURE_FFMPEG", str(tmp_path / "no-ffmpeg"))
    with pytest.raises(MissingDependencyError) as caught:
        find_tool(FFMPEG)
    assert "apt-get install ffmpeg" in caught.value.hint
    monkeypatch.delenv("CAPTURE_FFMPEG")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError):
        find_tool(FFPROBE)


_LONG_RUN = """
import signal, sys
from pathlib import Path
from pipeline.cli.app import _sigterm_as_interrupt
from pipeline.core.errors import InterruptedByUser
from pipeline.core.runner import OutputFile, run_ffmpeg
signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
print("started", flush=True)
try:
    run_ffmpeg(["-re", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=60",
                "-c:v", "libx264", "-preset", "ultrafast", OutputFile(Path(sys.argv[1]))])
except InterruptedByUser:
    sys.exit(130)
"""


def _start_long_run(out: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _LONG_RUN, str(out)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 20
    while not _leftovers(out.parent) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _leftovers(out.parent), "ffmpeg never started writing"
    time.sleep(0.5)
    return child


def _no_ffmpeg_left(out: Path) -> bool:
    found = subprocess.run(["pgrep", "-f", str(out.parent)], capture_output=True, text=True)
    return found.stdout.strip() == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", ["SIGINT to capture", "SIGTERM to capture", "Ctrl-C to the job", "Ctrl-C twice"]
)
def test_interrupt_stops_ffmpeg_and_keeps_no_partial_output(tmp_path: Path, how: str) -> None:
    out = tmp_path / "long.mp4"
    child = _start_long_run(out)
    if how == "SIGINT to capture":
        os.kill(child.pid, signal.SIGINT)
    elif how == "SIGTERM to capture":
        os.kill(child.pid, signal.SIGTERM)
    elif how == "Ctrl-C to the job":  # the terminal signals capture and ffmpeg together
        os.killpg(child.pid, signal.SIGINT)
    else:
        os.killpg(child.pid, signal.SIGINT)
        time.sleep(0.05)
        os.kill(child.pid, signal.SIGINT)
    # a second Ctrl-C may land after capture's own handler: Python's default exit then
    expected = (130, -signal.SIGINT) if how == "Ctrl-C twice" else (130,)
    assert child.wait(timeout=20) in expected
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert _no_ffmpeg_left(out)


@pytest.mark.slow
def test_killed_capture_leaves_no_ffmpeg_and_the_next_run_sweeps_its_temporary(tmp_path):
    out = tmp_path / "long.mp4"
    child = _start_long_run(out)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not _no_ffmpeg_left(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _no_ffmpeg_left(out), "ffmpeg outlived a SIGKILLed capture"
    assert not out.exists() and len(_leftovers(tmp_path)) == 1
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:duration=0.5", OutputFile(out)])
    assert out.is_file() and _leftovers(tmp_path) == []


def test_outputs_are_committed_all_or_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "a.wav", tmp_path / "sub" / "b.wav"
    (tmp_path / "sub").mkdir()
    with pytest.raises(ToolFailedError):
        run_ffmpeg(
            ["-f", "lavfi", "-i", "sine=duration=0.5", "-map", "0", OutputFile(first),
             "-map", "0", "-f", "nosuchformat", OutputFile(second)]
        )  # fmt: skip
    assert not first.exists() and not second.exists()
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "sub") == []


def test_output_folder_that_cannot_exist_is_a_media_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(MediaError, match="cannot create its folder"):
        run_ffmpeg(
            ["-f", "lavfi", "-i", "sine=duration=0.1", OutputFile(tmp_path / "file" / "o.wav")]
        )


def test_file_inputs_only_open_local_files(tmp_path: Path) -> None:
    playlist = tmp_path / "evil.m3u8"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(ToolFailedError) as caught:
        run_ffmpeg(["-i", playlist, "-c", "copy", OutputFile(tmp_path / "o.ts")])
    assert "-protocol_whitelist" in caught.value.argv
    assert "not on whitelist 'file,pipe'" in caught.value.stderr_tail


def test_temporary_folders_of_a_killed_capture_are_removed_by_the_next(tmp_path, monkeypatch):
    """kill -9 leaves ``capture-render-*`` folders (text files for drawtext) in /tmp."""
    import tempfile

    child = subprocess.Popen(
        [sys.executable, "-c",
         "import time\nfrom pipeline.core.tempfiles import filter_safe_tempdir\n"
         "with filter_safe_tempdir('capture-render-') as f:\n"
         "    (f / 'title.txt').write_text('x'); print(f, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=str(tmp_path)),
    )  # fmt: skip
    left = Path(child.stdout.readline().strip())
    child.kill()
    child.wait()
    assert left.is_dir() and left.parent == tmp_path
    alive = tmp_path / f"capture-render-{os.getpid()}-abcd1234"  # a running capture's
    alive.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with filter_safe_tempdir("capture-burn-") as mine:
        assert mine.is_dir() and not left.exists() and alive.is_dir()


def test_what_a_killed_capture_left_beside_its_outputs_is_removed_by_the_next(tmp_path):
    """kill -9 left ``.full.pieces-*`` folders as large as the film and checked candidates
    beside the renders; a temporary of a 250-character name was never found again (its name
    is shortened with a digest, and the sweep looked for the full name)."""
    from pipeline.core.tempfiles import work_folder_beside
    from pipeline.render.assembly import remove_leftovers

    dead = subprocess.Popen(["true"])
    dead.wait()
    running = subprocess.Popen(["sleep", "60"])
    film = tmp_path / "full.mp4"
    long_final = tmp_path / ("R" * 250 + ".wav")
    ours = temporary_name(long_final).name
    assert len(ours.encode()) <= 255
    leftovers = {
        "dead pieces": tmp_path / f".full.pieces-{dead.pid}-k2j3",
        "dead long temporary": tmp_path / ours.replace(f"-{os.getpid()}.", f"-{dead.pid}."),
        "dead candidate": tmp_path / f".full.by-copy-{dead.pid}.mp4",
        "dead candidate being written": tmp_path
        / f"..full.rendered-{dead.pid}.partial-{dead.pid}.mp4",
        "dead pieces of a render": tmp_path / f".full.pieces-{dead.pid}-zz9",
        "an impossible pid (os.kill overflowed)": tmp_path / f".full.by-copy-{'9' * 40}.mp4",
    }
    kept = {
        "running pieces": tmp_path / f".full.pieces-{running.pid}-a1b2",
        "running long temporary": tmp_path / ours.replace(f"-{os.getpid()}.", f"-{running.pid}."),
        "another film's pieces": tmp_path / f".full.preview.pieces-{dead.pid}-x",
        "not shaped as ours": tmp_path / f".full.rendered-{dead.pid}-notes.txt",
    }
    for path in [*leftovers.values(), *kept.values()]:
        if "pieces" in path.name:
            path.mkdir()
            (path / "piece-0001.mp4").write_bytes(b"x")
        else:
            path.write_bytes(b"x")
    try:
        remove_leftovers(film)
        with work_folder_beside(film, "pieces") as work:
            assert work.parent == tmp_path and f"-{os.getpid()}-" in work.name
        run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.1", OutputFile(long_final)])
    finally:
        running.kill()
    assert {k for k, p in leftovers.items() if p.exists()} == set()
    assert {k for k, p in kept.items() if p.exists()} == set(kept)
    assert long_final.is_file() and not work.exists()
