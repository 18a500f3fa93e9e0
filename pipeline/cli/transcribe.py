"""``capture transcribe``: parsing and reporting only."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.common import OPTIONS, SessionArg, command, open_for_writing, recorded_step
from pipeline.cli.console import make_progress, stdout
from pipeline.core.errors import ConfigError


@command("transcribe")
def transcribe_command(
    session: SessionArg,
    engine: Annotated[
        str, typer.Option(help="faster-whisper (default) or openai-whisper (optional extra).")
    ] = "faster-whisper",
    model: Annotated[
        str,
        typer.Option(help="base (installed offline), small, medium, large-v3, or a path."),
    ] = "base",
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
    chunk_minutes: Annotated[
        float, typer.Option(help="Checkpoint every this many minutes of sound.", min=0.1)
    ] = 10.0,
) -> None:
    """French transcript with word times, on the session clock (resumes a killed run)."""
    from pipeline.transcription.engines import ENGINE_NAMES
    from pipeline.transcription.run import run_transcribe

    if engine not in ENGINE_NAMES:
        raise ConfigError(f"--engine {engine!r}: use {' or '.join(ENGINE_NAMES)}")
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"--device {device!r}: use cpu or cuda")
    loaded = open_for_writing(session, "transcribe")
    with recorded_step(loaded, "transcribe", "capture transcribe", engine=engine, model=model,
                       chunk_seconds=chunk_minutes * 60):  # fmt: skip
        transcript = run_transcribe(
            loaded,
            engine_name=engine,
            model=model,
            device=device,
            chunk_seconds=chunk_minutes * 60,
            progress=make_progress(OPTIONS.quiet),
        )
    stdout.print(
        f"{len(transcript.segments)} segment(s), {len(transcript.words)} word(s) from "
        f"{transcript.source.recording} ({transcript.engine}, model {transcript.model})"
    )
    stdout.print(f"Transcript: {loaded.folder.transcript_json} (.txt, .md)")
