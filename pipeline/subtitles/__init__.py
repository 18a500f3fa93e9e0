"""Subtitles: rules-driven French cues from word times, SRT/WebVTT, checker, review round trip."""
