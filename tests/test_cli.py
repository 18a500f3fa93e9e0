"""The command line as users run it: a real subprocess of the `capture` entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

COMMANDS = {
    "init",
    "publish",
    "serve",
    "run",
    "probe",
    "doctor",
    "samples",
    "status",
    "ingest",
    "sync",
    "transcribe",
    "subtitles",
    "render",
    "restitution",
    "social",
    "slideshow",
    "batch",
}


def capture(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_help_lists_exactly_the_commands_that_exist() -> None:
    result = capture("--help")
    assert result.returncode == 0
    listed = set(re.findall(r"^│ (\w+)\s{2,}", result.stdout, re.MULTILINE))
    assert listed == COMMANDS


def test_doctor_is_accurate_on_this_machine() -> None:
    result = capture("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    for item in ("ffmpeg", "ffprobe", "libx264", "loudnorm", "drawtext", "libass", "espeak-ng"):
        assert re.search(rf"{item}.*│ ok", result.stdout), item


def test_doctor_fails_and_says_how_to_fix_a_missing_ffmpeg(tmp_path: Path) -> None:
    result = capture("doctor", env={"CAPTURE_FFMPEG": str(tmp_path / "ffmpeg")})
    assert result.returncode == 1
    assert "missing" in result.stdout and "apt-get install ffmpeg" in result.stdout
    assert "ffmpeg" in result.stderr


def test_probe_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", str(good)],
                   check=True)  # fmt: skip
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    result = capture("probe", "--json", str(bad), str(good))
    assert result.returncode == 4
    assert "bad.mp4" in result.stderr and "Traceback" not in result.stderr
    (described,) = json.loads(result.stdout)
    assert described["audio"][0]["sample_rate"] == 44100


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = capture("status", str(tmp_path), env={"CAPTURE_DEBUG": "1"})
    assert result.returncode == 3 and "Traceback" in result.stderr
    quiet = capture("status", str(tmp_path))
    assert "Traceback" not in quiet.stderr and "capture init" in quiet.stderr
