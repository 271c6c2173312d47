"""Puzzle generators, exact solvers and file formats (numpy only, no torch)."""
