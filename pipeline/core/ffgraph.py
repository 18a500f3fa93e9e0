"""Compiling ffmpeg-python graphs into argv lists for ``pipeline.core.runner``.

ffmpeg-python builds the filtergraph (and escapes filter option values); the runner runs it.
Inputs and outputs are named by placeholder strings in the graph and swapped here for
``Path``/``OutputFile`` objects, so the runner still controls how files are passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.core.runner import Arg


def graph_args(stream: Any, files: Mapping[str, Arg]) -> list[Arg]:
    """``stream.get_args()`` with placeholder names replaced by the files they stand for."""
    args: list[Arg] = []
    for arg in stream.get_args():
        args.append(files.get(arg, arg))
    missing = [name for name in files if name not in stream.get_args()]
    if missing:
        raise ValueError(f"placeholders not found in the graph: {missing}")
    return args
