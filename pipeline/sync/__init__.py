"""Every recording on the session clock: the alignment of two sounds (``align``) and the
session's sync (``run``)."""
