"""Loading user YAML safely, keeping the line of every value for error messages.

``yaml.SafeLoader`` only (no tag ever builds an object), with YAML 1.2 scalars (``no`` and
``18:30`` stay text), regular files of at most 1 MB, no duplicate keys, and an expansion budget
that stops "billion laughs" alias bombs and alias cycles before anything is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from pipeline.core.errors import ConfigError, Problem

MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 200_000
MAX_YAML_EXPANDED_BYTES = 5_000_000
"""Text once aliases are expanded: one long string referred to many times fits the node
budget and still fills the memory (a 600-KB file grew a glossary past 4 GB)."""

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


_YAML_11_ONLY = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


class StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with YAML 1.2 scalars.

    Still the safe loader: no tag ever builds an object. Only ``true``/``false`` are booleans
    (``no``, ``on`` stay text), numbers have no base-60 form (``18:30`` stays text), and dates
    stay text for the pydantic models, which report an impossible date with its line.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_11_ONLY]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _Refused(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message


def _index_lines(root: yaml.Node, lines: dict[Location, int]) -> None:
    """Record each key's line; refuse duplicate keys, alias cycles and expansion bombs."""
    budget = MAX_YAML_NODES
    text_budget = MAX_YAML_EXPANDED_BYTES
    on_path: set[int] = set()

    def walk(node: yaml.Node, here: Location) -> None:
        nonlocal budget, text_budget
        budget -= 1
        if budget < 0:
            raise _Refused(None, f"more than {MAX_YAML_NODES} values once aliases are expanded "
                                 "(an alias bomb?)")  # fmt: skip
        if isinstance(node, yaml.ScalarNode):
            text_budget -= len(node.value)
            if text_budget < 0:
                raise _Refused(
                    node.start_mark.line + 1,
                    f"more than {MAX_YAML_EXPANDED_BYTES} characters of text once aliases are "
                    "expanded (an alias bomb?)",
                )
        if id(node) in on_path:
            raise _Refused(node.start_mark.line + 1, "an alias refers to itself")
        lines.setdefault(here, node.start_mark.line + 1)
        on_path.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                if key in seen and key != "<<":
                    raise _Refused(key_node.start_mark.line + 1, f"duplicate key {key!r}")
                seen.add(key)
                lines.setdefault((*here, key), key_node.start_mark.line + 1)
                walk(value_node, (*here, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*here, i))
        on_path.discard(id(node))

    walk(root, ())


def _read_text(path: Path, max_bytes: int) -> str:
    if not path.is_file():
        reason = "no such file" if not path.exists() else "not a regular file"
        raise ConfigError(reason, file=path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read it: {exc.strerror}", file=path) from exc
    if len(raw) > max_bytes:
        raise ConfigError(f"over the {max_bytes}-byte limit for YAML", file=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from exc


def load_yaml(path: Path, *, max_bytes: int = MAX_YAML_BYTES) -> LoadedYaml:
    """Read ``path`` safely; every failure is a ConfigError naming the file and the line."""
    return parse_yaml_text(_read_text(path, max_bytes), path)


def parse_yaml_text(text: str, path: Path) -> LoadedYaml:
    """Parse YAML text that is (or will be) the file ``path``, as ``load_yaml`` does."""
    lines: dict[Location, int] = {}
    try:
        root = yaml.compose(text, Loader=StrictSafeLoader)
        if root is not None:
            _index_lines(root, lines)
        loader = StrictSafeLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as refused:
        raise ConfigError([Problem(path, refused.line, None, refused.message)]) from None
    except RecursionError:
        raise ConfigError([Problem(path, None, None, "nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([Problem(path, line, None, f"YAML error: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path, None, None, f"YAML error: {exc}")]) from None
    return LoadedYaml(path=path, data=data, lines=lines)


def model_yaml(model: BaseModel, header: str = "") -> str:
    """``model`` as the YAML a person would write: the keys they use (aliases), only the
    fields that were given, in the model's order; ``header`` (comment lines) first. What
    ``load_yaml`` and the model read back is the same model."""
    data = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
