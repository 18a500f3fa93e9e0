"""A synthetic Rencontre with ground truth, for the demo and the tests (``capture samples``)."""
