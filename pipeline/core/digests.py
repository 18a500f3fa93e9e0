"""A digest of any JSON-able value: what "did this change?" compares, wherever it is asked
(a step's inputs, a printed document's content, a social clip's making)."""

from __future__ import annotations

import json

import xxhash


def value_digest(value: object) -> str:
    """A digest of any JSON-able value (session.yaml fields, options, what a file is made
    of): keys sorted, so the same value always gives the same digest."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return xxhash.xxh128(text.encode("utf-8")).hexdigest()
