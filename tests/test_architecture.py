"""The shape of the code (issue 16): from the source alone (ast), the imports between layers
``core < session < audio < stages < orchestrate < cli`` and between stages. Today's
exceptions are listed below; each step of the restructure empties some, and a new one fails
here with the file that adds it. A listed exception that no longer exists fails too, so the
lists only ever shrink."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
LAYERS = ["core", "session", "audio", "stages", "orchestrate", "cli"]
STAGES = [
    "ingest",
    "sync",
    "transcription",
    "timeline",
    "subtitles",
    "render",
    "social",
    "publish",
    "samples",
]
"""In the order they run: a stage may read what an earlier one is (models), never its workflow."""
WORKFLOW_MODULES = ("run",)

HOMES = {
    "pipeline.session": "session", "pipeline.audio": "audio",
    "pipeline.samples": "samples", "pipeline.orchestrate": "orchestrate",
    "pipeline.cli": "cli", "pipeline.__main__": "cli",
    **{f"pipeline.{stage}": stage for stage in STAGES},
}  # fmt: skip
"""Where each module belongs (today's names: the restructure moves them into these homes);
anything else is ``core``."""

KNOWN_CYCLES: list[set[str]] = []

KNOWN_WRONG_WAY: set[str] = set()


def _home(module: str) -> str:
    prefixes = [p for p in HOMES if module == p or module.startswith(p + ".")]
    return HOMES[max(prefixes, key=len)] if prefixes else "core"


def _layer(home: str) -> int:
    return LAYERS.index("stages" if home in STAGES else home)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _targets(node: ast.AST, modules: dict[str, Path]) -> list[str]:
    """The pipeline modules an import statement names ("from pipeline.x import y" names
    ``pipeline.x.y`` when that is a module, else ``pipeline.x``)."""
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        named = [f"{node.module}.{alias.name}" for alias in node.names]
        targets = [name if name in modules else node.module for name in named]
    elif isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        return []
    return [target for target in targets if target.startswith("pipeline.")]


def _imports(*, deferred: bool = True) -> list[tuple[str, str]]:
    """(importer, imported) for every import of a pipeline module; ``deferred=False`` for
    those run when the module is imported (not inside functions)."""
    modules, edges = _modules(), []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if deferred else tree.body:
            edges += [(name, target) for target in _targets(node, modules) if target != name]
    return edges


def _cycles(edges: list[tuple[str, str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                other = stack.pop()
                component.add(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def _wrong_way(edges: list[tuple[str, str]]) -> set[str]:
    """Imports up the layers, a stage importing a later stage, or another stage's workflow."""
    found = set()
    for importer, imported in edges:
        ours, theirs = _home(importer), _home(imported)
        if _layer(theirs) > _layer(ours):
            found.add(f"{importer} -> {imported}")
        elif ours in STAGES and theirs in STAGES and ours != theirs:
            later = STAGES.index(theirs) > STAGES.index(ours) and "samples" not in (ours, theirs)
            workflow = imported.rsplit(".", 1)[-1] in WORKFLOW_MODULES
            if later or workflow:
                found.add(f"{importer} -> {imported}")
    return found


def test_no_import_cycle_but_the_known_ones() -> None:
    cycles = _cycles(_imports(deferred=False))
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"no longer cycles: remove them from KNOWN_CYCLES: {gone}"


def test_no_import_goes_the_wrong_way_but_the_known_ones() -> None:
    found = _wrong_way(_imports())
    new = sorted(found - KNOWN_WRONG_WAY)
    assert not new, f"imports up a layer, to a later stage or another stage's workflow: {new}"
    gone = KNOWN_WRONG_WAY - found
    assert not gone, f"fixed: remove them from KNOWN_WRONG_WAY: {sorted(gone)}"


def test_no_cycle_between_packages() -> None:
    """Deferred imports included: a stage that imports a later one inside a function still
    ties the two together."""
    edges = {(_home(a), _home(b)) for a, b in _imports()}
    cycles = _cycles(sorted((a, b) for a, b in edges if a != b))
    assert cycles == [], f"packages that import each other: {cycles}"


LONGEST_MODULE = 320


def test_no_module_is_too_long_to_read_in_one_go() -> None:
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    long = {path for path, lines in lengths.items() if lines > LONGEST_MODULE}
    assert not long, f"over {LONGEST_MODULE} lines: {sorted(long)}"


SHARED_NAMES = {"__init__", "run", "model"}
"""A package's entry (``run``: its workflow) and its data model: the same job everywhere."""


def test_two_modules_share_a_name_only_when_they_do_the_same_job() -> None:
    """The command modules are named after their stage, and so are the stage's artifacts."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if path.stem in SHARED_NAMES or parts[0] == "cli" or parts[:2] == ("session", "artifacts"):
            continue
        by_name[path.stem].append("/".join(parts))
    assert {n: p for n, p in by_name.items() if len(p) > 1} == {}


def test_every_python_file_the_docs_name_exists() -> None:
    import re

    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            for named in re.findall(r"`([\w./-]+/[\w.-]+\.py)", line):
                if not any((base / named).exists() for base in (ROOT, PACKAGE)):
                    missing.append(f"{doc.relative_to(ROOT)}:{number}: {named}")
    assert missing == []
