"""Analyses on top of the engine: solve, sensitivity, compare, calibrate."""
