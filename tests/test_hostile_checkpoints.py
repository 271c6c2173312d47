"""Hostile checkpoints and working directories: a name resolves only to the package's own checkpoints."""

import shutil

import numpy as np
import pytest

from agents import load_solver
from agents.checkpoint import SHIPPED_DIR, is_shipped_name, resolve_checkpoint
from puzzles import prefix_sums


def test_a_stray_checkpoint_in_the_working_directory_does_not_replace_a_shipped_one(tmp_path, monkeypatch):
    # A different model under the shipped name, in the working directory.
    shutil.copy(SHIPPED_DIR / "mazes.safetensors", tmp_path / "prefix_sums.safetensors")
    shutil.copy(SHIPPED_DIR / "mazes.json", tmp_path / "prefix_sums.json")
    monkeypatch.chdir(tmp_path)
    assert resolve_checkpoint("prefix_sums") == SHIPPED_DIR / "prefix_sums"
    bits = prefix_sums.generate(2, 16, rng=0)
    assert np.array_equal(load_solver("prefix_sums").solve(bits, think=40), np.cumsum(bits, axis=1) % 2)
    # The stray file is reachable only as a path.
    assert resolve_checkpoint("./prefix_sums").resolve() == tmp_path / "prefix_sums"
    assert load_solver("./prefix_sums").card["problem"] == "mazes"


def test_names_and_paths_are_told_apart():
    assert is_shipped_name("chess") and is_shipped_name("prefix_sums")
    for path in ("./chess", "runs/x/best", "chess.safetensors", "chess.json", "..", "a\\b"):
        assert not is_shipped_name(path), path
    with pytest.raises(FileNotFoundError, match=r"no shipped checkpoint 'nonesuch'.*\./nonesuch"):
        resolve_checkpoint("nonesuch")
