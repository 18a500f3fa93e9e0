"""``capture doctor``: what this machine has, what is missing, and how to fix it."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from pipeline.core.errors import CaptureError, MissingDependencyError
from pipeline.core.presets import REQUIRED_ENCODERS
from pipeline.core.runner import run_tool
from pipeline.core.tools import ESPEAK, FFMPEG, FFPROBE, ExternalTool, find_tool
from pipeline.transcription.model_store import HOW_TO_GET, find_packaged_models

REQUIRED_FILTERS = ("loudnorm", "drawtext", "subtitles", "ebur128", "aresample", "xfade",
                    "acrossfade", "bwdif", "hstack", "overlay", "fade", "alimiter", "split",
                    "tile", "fps", "scale")  # fmt: skip
REQUIRED_MUXERS = ("nut", "hls", "mp4")
"""nut carries stream-copy pieces, hls the site's streams."""
REQUIRED_BSFS = ("h264_mp4toannexb", "dump_extra")
PYTHON_DEPS = (
    "typer",
    "rich",
    "pydantic",
    "PyYAML",
    "ffmpeg-python",
    "numpy",
    "ascmhl",
    "xxhash",
    "faster-whisper",
    "opentimelineio",
    "opencv-python",
    "Jinja2",
)
MIN_FREE_BYTES = 5 * 1024**3


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    MISSING = "missing"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.status is Status.MISSING


def _version(tool: ExternalTool, flag: str) -> tuple[Path, str]:
    path = find_tool(tool)
    output = run_tool(tool, [flag]).stdout
    first = output.strip().splitlines()[0] if output.strip() else "unknown version"
    # "ffmpeg version 5.1.9 Copyright..." / "eSpeak NG text-to-speech: 1.51  Data at: ..."
    short = re.split(r"\s+Copyright|\s{2,}", first)[0]
    return path, short


def _tool_check(tool: ExternalTool, flag: str) -> Check:
    try:
        path, version = _version(tool, flag)
    except MissingDependencyError as exc:
        return Check(tool.name, Status.MISSING, "not found", exc.hint)
    except CaptureError as exc:
        return Check(tool.name, Status.MISSING, f"does not run: {exc}", tool.hint())
    return Check(tool.name, Status.OK, f"{version} ({path})")


def _ffmpeg_listing(flag: str) -> str:
    return run_tool(FFMPEG, ["-hide_banner", flag]).stdout


def _component_checks() -> list[Check]:
    try:
        encoders = _ffmpeg_listing("-encoders")
        filters = _ffmpeg_listing("-filters")
        muxers = _ffmpeg_listing("-muxers")
        bsfs = _ffmpeg_listing("-bsfs")
    except CaptureError:
        return []  # the ffmpeg check already says what is wrong
    checks = []
    for name in REQUIRED_ENCODERS:
        present = re.search(rf"^\s*\S+\s+{re.escape(name)}\s", encoders, re.MULTILINE)
        checks.append(_present(f"encoder {name}", bool(present)))
    for name in REQUIRED_FILTERS:
        present = re.search(rf"^\s*\S+\s+{re.escape(name)}\s", filters, re.MULTILINE)
        detail_name = "subtitles (libass)" if name == "subtitles" else name
        checks.append(_present(f"filter {detail_name}", bool(present)))
    for name in REQUIRED_MUXERS:
        present = re.search(rf"^\s*E\s+{re.escape(name)}\s", muxers, re.MULTILINE)
        checks.append(_present(f"muxer {name}", bool(present)))
    for name in REQUIRED_BSFS:
        present = re.search(rf"^{re.escape(name)}$", bsfs, re.MULTILINE)
        checks.append(_present(f"bitstream filter {name}", bool(present)))
    return checks


def _present(name: str, present: bool) -> Check:
    if present:
        return Check(name, Status.OK, "available")
    return Check(
        name,
        Status.MISSING,
        "not in this ffmpeg build",
        "install Debian's full ffmpeg (`sudo apt-get install ffmpeg`)",
    )


def _python_checks() -> list[Check]:
    checks = []
    for dist in PYTHON_DEPS:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            checks.append(
                Check(f"python {dist}", Status.MISSING, "not installed", "run `make setup`")
            )
        else:
            checks.append(Check(f"python {dist}", Status.OK, version))
    return checks


def _model_check() -> Check:
    models = find_packaged_models()
    if models:
        model = models[0]
        return Check(
            "whisper model (offline)",
            Status.OK,
            f"{model.name} from {', '.join(model.distributions)} ({model.size / 1e6:.0f} MB)",
        )
    return Check(
        "whisper model (offline)",
        Status.WARNING,
        "no packaged model installed (only needed for transcription)",
        HOW_TO_GET,
    )


def _disk_check(folder: Path) -> Check:
    folder = folder.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the disk the folder will be created on
    usage = shutil.disk_usage(folder)
    detail = f"{usage.free / 1024**3:.1f} GiB free in {folder}"
    if usage.free < MIN_FREE_BYTES:
        return Check(
            "free disk", Status.WARNING, detail, "a 2-hour session needs tens of GiB: free space"
        )
    return Check("free disk", Status.OK, detail)


def run_checks(folder: Path) -> list[Check]:
    checks = [_tool_check(FFMPEG, "-version"), _tool_check(FFPROBE, "-version")]
    checks += _component_checks()
    espeak = _tool_check(ESPEAK, "--version")
    if espeak.failed:  # only the sample generator needs it
        espeak = replace(espeak, status=Status.WARNING, detail="not found (for `capture samples`)")
    checks.append(espeak)
    checks += _python_checks()
    checks.append(_model_check())
    checks.append(_disk_check(folder))
    return checks
