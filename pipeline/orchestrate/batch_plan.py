"""What ``capture batch`` will run (``batch.py``): the session folders found, sorted into
ordinary sessions, the cycle's synthesis, those with nothing to run and those that do not
load; and what each session's task reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import CaptureError
from pipeline.session import LoadedSession, load_session
from pipeline.session.siblings import is_cycle_film_folder

NOT_RUN = "not run"
"""A step's verdict in a batch when a step it waits for failed or was not run."""


@dataclass(frozen=True)
class StepLine:
    """What one step's task did (a ``Verdict`` of ``capture run``, or NOT_RUN)."""

    name: str
    verdict: str
    reason: str
    """Why it ran (or why not), or its error."""
    summary: str | None = None
    session: str = ""
    worker_pid: int | None = None
    seconds: float = 0.0
    log: str | None = None
    key: str = ""
    """The Dask task's key."""

    @property
    def succeeded(self) -> bool:
        return self.verdict not in ("failed", NOT_RUN)


@dataclass(frozen=True)
class SessionOutcome:
    root: str
    steps: list[StepLine] = field(default_factory=list)
    failed: str | None = None
    """The step that failed, or the error that stopped the session before its steps."""
    seconds: float = 0.0
    """Its steps' time, added up."""

    @classmethod
    def of(cls, root: str, steps: list[StepLine]) -> SessionOutcome:
        """The session's outcome from its steps' (in ``capture run``'s order)."""
        failed = next((f"{s.name}: {s.reason}" for s in steps if s.verdict == "failed"), None)
        if failed is None:
            failed = next((f"not run: {s.reason}" for s in steps if s.verdict == NOT_RUN), None)
        return cls(root, steps, failed, sum(s.seconds for s in steps))


def find_sessions(paths: list[Path]) -> list[Path]:
    """Session folders: those named, and those inside a cycle folder named (its
    sub-folders with a session.yaml), once each, in name order within a cycle."""
    found: list[Path] = []
    for path in paths:
        path = path.resolve()
        if not path.exists():
            raise CaptureError(f"{path} does not exist")
        if (path / "session.yaml").is_file():
            candidates = [path]
        elif path.is_dir():
            inside = [p for p in path.iterdir() if not p.name.startswith(".")]  # no .backup
            candidates = sorted(p.resolve() for p in inside if (p / "session.yaml").is_file())
        else:
            raise CaptureError(f"{path} is neither a session folder nor a cycle folder")
        if not candidates:
            raise CaptureError(f"{path} holds no session folder (no */session.yaml)")
        found += [c for c in candidates if c not in found]
    return found


def plan_batch(
    roots: list[Path], *, publishing: bool
) -> tuple[list[LoadedSession], list[LoadedSession], list[tuple[str, str]], list[SessionOutcome]]:
    """The ordinary sessions, the syntheses, those with nothing to run, and those whose
    session.yaml does not load (reported, the others still run). When ``publishing``, two
    sessions with one slug (one folder of the site) or two syntheses are refused."""
    ordinary, syntheses, skipped, broken = [], [], [], []
    for root in roots:
        try:
            loaded = load_session(root)
        except CaptureError as error:
            broken.append(SessionOutcome(str(root), failed=str(error)))
            continue
        session = loaded.session
        if is_cycle_film_folder(loaded):
            syntheses.append(loaded)
        elif not session.cameras and not session.sources:
            skipped.append((str(root), "no cameras or sources in session.yaml (not filmed yet)"))
        else:
            ordinary.append(loaded)
    if not publishing:
        return ordinary, syntheses, skipped, broken
    slugs: dict[str, Path] = {}
    for loaded in [*ordinary, *syntheses]:
        other = slugs.setdefault(loaded.session.slug, loaded.root)
        if other != loaded.root:
            slug = loaded.session.slug
            raise CaptureError(f"{other} and {loaded.root} have the same slug {slug!r}: "
                               "they would publish into one folder")  # fmt: skip
    if len(syntheses) > 1:
        raise CaptureError(f"two syntheses of one cycle: {syntheses[0].root} and "
                           f"{syntheses[1].root}")  # fmt: skip
    return ordinary, syntheses, skipped, broken
