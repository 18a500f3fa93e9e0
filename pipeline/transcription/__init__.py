"""Transcription: Whisper models found offline, engines, transcripts."""

CHUNK_SECONDS = 600.0
"""Chunks of 10 minutes, each ending in a pause: a checkpoint each, and the unit of work
``capture batch`` spreads over its workers."""
