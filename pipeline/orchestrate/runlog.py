"""A log file per run in ``SESSION/work/logs/``: every step's decision (ran, skipped and
why), every external command with its exit code and time, and failures, so a run can be
diagnosed the next morning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

LOGGER = "capture"
_OPEN_LOCK = threading.Lock()
_open: list[int] = []
"""The logs open in this process (a Dask worker runs a task while another waits): the
loggers' settings are changed by the first and put back by the last."""


@contextmanager
def run_log(folder: Path, step: str | None = None) -> Iterator[tuple[Path, logging.Logger]]:
    """The run's log (``step``: the one step a ``capture batch`` task runs). Only what this
    thread logs goes in: a Dask worker may run another session's task beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / (f"run-{stamp}-{step}.log" if step else f"run-{stamp}.log")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    thread = threading.get_ident()
    handler.addFilter(lambda record: record.thread == thread)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER)
    run_logger = logging.getLogger(f"{LOGGER}.run")
    with _OPEN_LOCK:
        if not _open:  # the first log open in this process
            _open.append(logger.level)
        else:
            _open.append(_open[0])
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        # the run's own decisions go to the file only: the CLI prints its table and errors
        run_logger.addHandler(handler)
        run_logger.propagate = False
    try:
        yield path, run_logger
    finally:
        with _OPEN_LOCK:
            run_logger.removeHandler(handler)
            logger.removeHandler(handler)
            previous = _open.pop()
            if not _open:  # the last one: as before the first
                run_logger.propagate = True
                logger.setLevel(previous)
        handler.close()
