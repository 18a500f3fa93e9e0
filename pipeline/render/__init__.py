"""Rendering a Timeline with ffmpeg: one filtergraph per output, two-pass loudness."""
