"""``capture run``: every step in order, each skipped when its inputs are unchanged."""
