"""Cue lists on the session clock and the time maps of the films made from them."""
