"""The shipped checkpoints load, solve, and carry the model card the README promises."""

import json

import numpy as np

from agents import load_solver
from agents.checkpoint import SHIPPED_DIR
from puzzles import mazes, prefix_sums


def test_shipped_prefix_sums_model_solves_64_bit_strings():
    solver = load_solver("prefix_sums")
    bits = prefix_sums.generate(20, 64, np.random.default_rng(99))
    answers = solver.solve(bits, think=solver.default_think)
    assert np.array_equal(answers, prefix_sums.solve(bits))


def test_shipped_prefix_sums_model_with_auto_halting_stays_right_within_its_cap():
    solver = load_solver("prefix_sums")
    bits = prefix_sums.generate(20, 48, np.random.default_rng(7))
    answers, iterations = solver.solve_auto(bits)
    assert np.array_equal(answers, prefix_sums.solve(bits))
    assert iterations.max() <= 4 * solver.default_think


def test_shipped_prefix_sums_card_records_training_and_evaluation():
    card = json.loads((SHIPPED_DIR / "prefix_sums.json").read_text())
    assert card["problem"] == "prefix_sums" and card["recipe"]["train_difficulty"] == 32
    assert card["training"]["train_seconds"] > 0
    results = card["evaluation"]["results"]
    assert {"48", "512"} <= set(results)
    assert card["evaluation"]["command"].startswith("python scripts/evaluate.py")
    assert card["readout"] == "max_conf" and card["recommended_think"] == 200


def test_shipped_maze_model_solves_fresh_13x13_mazes():
    solver = load_solver("mazes")
    inputs, paths = mazes.generate(5, 13, np.random.default_rng(5))
    answers = solver.solve(inputs, think=solver.default_think)
    assert answers.shape == paths.shape and np.array_equal(answers, paths)


def test_shipped_maze_card_records_training_on_9x9_only():
    card = json.loads((SHIPPED_DIR / "mazes.json").read_text())
    assert card["problem"] == "mazes" and card["recipe"]["train_difficulty"] == 9
    assert card["training"]["train_seconds"] > 0 and card["training"]["best_val_exact_match"] >= 0.99
