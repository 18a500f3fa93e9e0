"""Ingest: verified offload of camera cards, chapter grouping, probing (and then sync)."""
