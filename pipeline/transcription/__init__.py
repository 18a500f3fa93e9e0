"""Transcription: Whisper models found offline, engines, transcripts."""
