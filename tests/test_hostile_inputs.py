"""Hostile puzzles and budgets: every family refuses what has no meaning, answers an empty batch in its own shape,
and no caller can make a solver think without bound."""

import numpy as np
import pytest

from agents import load_solver
from puzzles import mazes, prefix_sums, sudoku

FAMILIES = ("prefix_sums", "mazes", "mazes_image", "sudoku", "chess_puzzles")


def empty_batch(family):
    """A batch of no puzzles of the family, in its native format."""
    return {
        "prefix_sums": np.zeros((0, 16), np.uint8),
        "mazes": np.zeros((0, 3, 24, 24), np.float32),
        "mazes_image": np.zeros((0, 3, 24, 24), np.float32),
        "sudoku": np.zeros((0, 9, 9), np.int8),
        "chess_puzzles": np.array([], dtype=object),
    }[family]


def one_puzzle(family):
    """One puzzle of the family, so an empty batch's answer can be compared with a full one's."""
    rng = np.random.default_rng(0)
    if family == "chess_puzzles":
        return np.array(["6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"], dtype=object)
    if family == "sudoku":
        return sudoku.generate(1, 40, rng)[0]
    if family.startswith("mazes"):
        return mazes.generate(1, 9, rng)[0]
    return prefix_sums.generate(1, 16, rng)


@pytest.fixture(scope="module")
def solvers():
    # mazes_image has no shipped model: the maze network reads its images as well as compact views.
    loaded = {name: load_solver(name) for name in ("prefix_sums", "mazes", "sudoku", "chess_puzzles")}
    from agents.problems import get_problem
    from agents.solver import Solver

    loaded["mazes_image"] = Solver(loaded["mazes"].net, get_problem("mazes_image"))
    return loaded


@pytest.mark.parametrize("family", FAMILIES)
def test_an_empty_batch_is_answered_in_the_family_shape(solvers, family):
    solver = solvers[family]
    full = solver.solve(one_puzzle(family), think=2)
    for answers in (solver.solve(empty_batch(family), think=2), solver.solve(empty_batch(family), think="auto")):
        assert answers.shape == (0, *full.shape[1:]) and answers.dtype == full.dtype
    answers, iterations = solver.solve_auto(empty_batch(family), cap=3)
    assert answers.shape == (0, *full.shape[1:]) and iterations.shape == (0,)
    steps = list(solver.think_trace(empty_batch(family), think=2))
    assert [step.prediction.shape for step in steps] == [(0, *full.shape[1:])] * 2


def maze_image(change):
    image = mazes.generate(2, 9, np.random.default_rng(1))[0]
    change(image[1])
    return image


def recolour(image, source, target):
    """Every pixel of colour ``source`` turned to ``target`` (RGB tuples)."""
    where = (image == np.array(source, np.float32)[:, None, None]).all(axis=0)
    image[:, where] = np.array(target, np.float32)[:, None]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda image: image.fill(0.0), r"maze 1 has 0 start\(s\) \(green\) and 0 goal\(s\)"),
        (lambda image: image.fill(1.0), "maze 1 is not a maze image"),
        (lambda image: recolour(image, (0, 1, 0), (1, 1, 1)), r"maze 1 has 0 start\(s\) \(green\) and 1 goal"),
        (lambda image: recolour(image, (1, 0, 0), (0, 1, 0)), r"maze 1 has 2 start\(s\) \(green\) and 0 goal"),
        (lambda image: image.__setitem__((slice(None), 7, 8), 0.0), "maze 1 is not a maze image: every element"),
    ],
    ids=["all black", "all white", "no start", "two starts no goal", "a torn block"],
)
@pytest.mark.parametrize("family", ["mazes", "mazes_image"])
def test_a_maze_needs_one_start_and_one_goal_drawn_as_a_maze(solvers, family, change, message):
    with pytest.raises(ValueError, match=message):
        solvers[family].solve(maze_image(change), think=2)
