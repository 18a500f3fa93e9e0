"""capture: the Rencontres video pipeline."""

__version__ = "0.1.0"
