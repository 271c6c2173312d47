"""Slow checks (``python -m pytest -m slow``): each shipped solver, on fresh held-out instances drawn with a seed
no card used, at its card's recommended budget, solves at least what its card reports, up to sampling noise.

A draw of ``n`` instances passes when its accuracy is within a 99% binomial margin below the card's figure
(normal approximation, at least one instance of slack), so a correct model fails one check in a hundred at most.
"""

import math

import numpy as np
import pytest

from agents import load_solver
from agents.problems import get_problem

SEED = 20261207  # a draw no card was measured on

# (shipped name, difficulty, instances, the card's readout of the recommended budget's accuracy at that difficulty)
CASES = [
    ("prefix_sums", 48, 200, ("48", "max_conf", "200")),
    ("prefix_sums", 512, 100, ("512", "max_conf", "200")),
    ("mazes", 13, 60, ("13", "max_conf", "500")),
    ("sudoku_easy", 30, 100, ("30", "max_conf", "250")),
    ("chess_puzzles", 1, 400, ("1", "max_conf", "40")),
]


def reported(card: dict, key: tuple[str, str, str]) -> float:
    size, readout, mark = key
    return card["evaluation"]["results"][size][readout][mark]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "size", "count", "key"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_shipped_solver_reaches_its_cards_accuracy_on_fresh_instances(name, size, count, key):
    solver = load_solver(name)
    inputs, targets = get_problem(solver.card["problem"]).generate(count, size, np.random.default_rng(SEED))
    answers = solver.solve(inputs, think=solver.default_think)
    if answers.dtype.kind in "USO":  # chess moves as text
        right = np.array([str(a) == str(t) for a, t in zip(answers, targets, strict=True)])
    else:
        right = np.array([np.array_equal(a, t) for a, t in zip(answers, targets, strict=True)])
    card = reported(solver.card, key)
    margin = 2.576 * math.sqrt(max(card * (1 - card), 1e-9) / count) + 1 / count
    assert right.mean() >= card - margin, f"{name} at {size}: {right.mean():.3f} against the card's {card:.3f}"
