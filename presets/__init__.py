"""Render and publish presets, shipped inside the package as ``pipeline.presets``."""
