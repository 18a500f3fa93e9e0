"""What one ``capture run`` (or one task of ``capture batch``) is given: the session, the
site, the transcription's settings and how to report progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.jobs import Spread, one_after_another
from pipeline.core.progress import ProgressReporter
from pipeline.session import LoadedSession
from pipeline.transcription import CHUNK_SECONDS

if TYPE_CHECKING:
    from pipeline.transcription.run import ChunkPlan


@dataclass(frozen=True)
class RunContext:
    loaded: LoadedSession
    site: Path | None = None
    progress: ProgressReporter | None = None
    engine: str = "faster-whisper"
    model: str = "base"
    """The transcription engine and model (``capture run --engine/--model``)."""
    site_index: bool = True
    """Publish rebuilds the cycle's pages (``capture batch`` rebuilds them once, at the end)."""
    chunk_seconds: float = CHUNK_SECONDS
    """Transcription chunks' length (``--chunk-minutes``): checkpoints, and the batch's tasks."""
    share_engine: bool = False
    """Keep the Whisper model loaded for the next session (a Dask worker: once per worker)."""
    transcribe_elsewhere: Callable[[ChunkPlan], float | None] | None = None
    """Given the chunks still to transcribe, has them done in parallel (``capture batch``),
    and says the CPU time they took (None: they were not sent)."""
    spread: Spread = one_after_another
    """How publish's independent jobs (thumbnail sheets, stills) are done: here, one after
    the other, or as the cluster's tasks (``capture batch``)."""
