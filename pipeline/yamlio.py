"""Loading user YAML safely, keeping the line of every value for error messages.

``yaml.SafeLoader`` only (no tag ever builds an object), a size limit, and an expansion
budget that stops "billion laughs" alias bombs before they are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError, Problem

MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 200_000

Location = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """The data of a YAML file and the 1-based line where each key or item starts."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """Line of the deepest part of ``location`` that exists in the file."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None


def _index_lines(node: yaml.Node, here: Location, lines: dict[Location, int], budget: list[int]):
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    lines.setdefault(here, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines.setdefault((*here, key), key_node.start_mark.line + 1)
            _index_lines(value_node, (*here, key), lines, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*here, i), lines, budget)


class _TooLarge(Exception):
    pass


class DatesAsTextSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that leaves dates and times as text.

    Still the safe loader (no tag ever builds an object); dates are left to the pydantic
    models, which report an impossible date such as 2026-02-30 with its line instead of
    PyYAML raising a bare ValueError.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _construct(text: str) -> Any:
    loader = DatesAsTextSafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_yaml(path: Path, *, max_bytes: int = MAX_YAML_BYTES) -> LoadedYaml:
    """Read ``path`` with ``yaml.safe_load``; every failure is a ConfigError naming file:line."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConfigError(f"cannot read it: {exc.strerror}", file=path) from exc
    if size > max_bytes:
        raise ConfigError(f"{size} bytes is over the {max_bytes}-byte limit for YAML", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from exc
    try:
        root = yaml.compose(text, Loader=DatesAsTextSafeLoader)
        lines: dict[Location, int] = {}
        if root is not None:
            # walking the node graph expands aliases: a bomb exhausts the budget here, cheaply
            _index_lines(root, (), lines, [MAX_YAML_NODES])
        data = _construct(text)
    except _TooLarge:
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    None,
                    f"more than {MAX_YAML_NODES} values once aliases are expanded (an alias bomb?)",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([Problem(path, line, None, f"YAML error: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path, None, None, f"YAML error: {exc}")]) from None
    return LoadedYaml(path=path, data=data, lines=lines)
