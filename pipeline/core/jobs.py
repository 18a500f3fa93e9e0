"""Independent pieces of one step's work (a film's thumbnail sheets, the restitution's
stills): ``capture run`` does them one after the other; ``capture batch`` hands each to
the cluster as a task of its own (``orchestrate/batch_tasks.py``).

A job is a module-level function and its arguments, so that it can be sent to another
process; it writes its own output (under a temporary name, renamed) and returns what its
step needs to know of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    label: str
    """What it makes, for the progress view and the logs ("sheet 2/6 of full")."""
    call: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def run(self) -> Any:  # noqa: ANN401 (whatever the job's function returns)
        return self.call(*self.args)


Spread = Callable[[Sequence[Job]], list[Any]]
"""Does every job, each once, and gives their results in the jobs' order."""


def one_after_another(jobs: Sequence[Job]) -> list[Any]:
    return [job.run() for job in jobs]
