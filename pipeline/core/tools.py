"""Finding the external programs capture runs, lazily and with an install hint."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import MissingDependencyError


@dataclass(frozen=True)
class ExternalTool:
    name: str
    env_var: str
    debian_package: str
    purpose: str

    def hint(self) -> str:
        return (
            f"capture needs {self.name} for {self.purpose}. Install it with "
            f"`sudo apt-get install {self.debian_package}` (or run `make demo`/`make test`, "
            f"which install it), or point {self.env_var} at the executable."
        )


FFMPEG = ExternalTool("ffmpeg", "CAPTURE_FFMPEG", "ffmpeg", "every media operation")
FFPROBE = ExternalTool("ffprobe", "CAPTURE_FFPROBE", "ffmpeg", "reading media information")
ESPEAK = ExternalTool("espeak-ng", "CAPTURE_ESPEAK", "espeak-ng", "the synthetic sample voices")


def find_tool(tool: ExternalTool) -> Path:
    """Return the executable for ``tool``: its environment variable first, then PATH.

    ffprobe also looks beside a CAPTURE_FFMPEG override, so pointing at one build is enough.
    """
    override = os.environ.get(tool.env_var)
    if override:
        path = Path(override)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise MissingDependencyError(f"{tool.name} ({tool.env_var}={override})", tool.hint())
    if tool is FFPROBE and os.environ.get(FFMPEG.env_var):
        sibling = Path(os.environ[FFMPEG.env_var]).with_name("ffprobe")
        if sibling.is_file() and os.access(sibling, os.X_OK):
            return sibling
    found = shutil.which(tool.name)
    if found is None:
        raise MissingDependencyError(tool.name, tool.hint())
    return Path(found)
