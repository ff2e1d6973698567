"""The grader, as a pure library: standard library, numpy and model packages only."""
