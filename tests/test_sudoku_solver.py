"""The product Sudoku solver (thinking wider): givens kept, bounds honoured, clear errors, card dispatch, and a hard
puzzle that branching solves where the network alone does not."""

import json
import shutil

import numpy as np
import pytest

from agents.checkpoint import SHIPPED_DIR
from agents.networks import NetworkConfig, build_network
from agents.problems import get_problem
from agents.solver import Solver, load_solver
from agents.sudoku_solver import WideSettings, WideSudokuSolver, allowed_digits, is_solution
from envs.sudoku import legal_mask
from puzzles import sudoku


def grid(text: str) -> np.ndarray:
    return np.array([int(c) for c in text], dtype=np.int8).reshape(9, 9)


EASY = grid("003020600900305001001806400008102900700000008006708200002609500800203009005010300")
# A minimal puzzle graded "chains" (validation set of seed 7002, never a test set): the shipped network alone gets it
# wrong at its budget, and six extra network runs find the solution.
CHAINS = grid("000000080076004003100200006000700100000043060034000000090030000080000090002806500")


def untrained(settings: WideSettings) -> WideSudokuSolver:
    """A width-8 network that never solves anything, searched wider with ``settings``."""
    config = NetworkConfig(
        kind="dt", dims=2, in_channels=10, out_channels=9, width=8, blocks=1, geometry="sudoku", head=(8,)
    )
    return WideSudokuSolver(build_network(config), get_problem("sudoku"), settings=settings)


def test_the_rule_checks():
    solution = sudoku.solve(EASY)[0]
    assert is_solution(np.stack([solution]), np.stack([EASY])).tolist() == [True]
    changed = solution.copy()
    changed[0, 0], changed[0, 1] = changed[0, 1], changed[0, 0]  # a row still complete, a given moved
    assert is_solution(changed[None], EASY[None]).tolist() == [False]
    assert is_solution(changed[None], np.zeros((1, 9, 9), np.int8)).tolist() == [False]  # columns break
    assert np.array_equal(allowed_digits(EASY[None])[0].T.reshape(729), legal_mask(EASY))


def test_the_network_alone_when_its_answer_is_right():
    solver = load_solver("sudoku")
    result = solver.solve_wide(EASY, think=40)
    assert result.solved.tolist() == [True] and result.branches.tolist() == [0]
    assert result.iterations.tolist() == [40] and result.how(0) == "network alone (40 iterations)"
    assert np.array_equal(result.answers[0], sudoku.solve(EASY)[0])


def test_branching_solves_a_hard_puzzle_the_network_alone_misses():
    solver = load_solver("sudoku")
    alone = WideSudokuSolver(solver.net, solver.problem, solver.card, settings=WideSettings(max_calls=0))
    assert alone.solve_wide(CHAINS).solved.tolist() == [False]
    result = solver.solve_wide(CHAINS)
    assert result.solved.tolist() == [True] and 0 < result.branches[0] <= solver.settings.max_calls
    assert np.array_equal(result.answers[0], sudoku.solve(CHAINS)[0])
    expected = solver.default_think + result.branches[0] * solver.settings.branch_think
    assert result.iterations[0] == expected and result.how(0).startswith(f"after {result.branches[0]} extra")


@pytest.mark.parametrize("max_calls", [0, 1, 7])
def test_the_search_stops_at_its_bound_and_keeps_the_givens(max_calls):
    solver = untrained(WideSettings(max_calls=max_calls, branch_think=3, per_round=3))
    puzzles = np.stack([EASY, CHAINS])
    result = solver.solve_wide(puzzles, think=4)
    assert not result.solved.any() and result.branches.tolist() == [max_calls, max_calls]
    assert result.iterations.tolist() == [4 + 3 * max_calls] * 2
    for puzzle, answer in zip(puzzles, result.answers, strict=True):
        assert np.array_equal(answer[puzzle > 0], puzzle[puzzle > 0])
    assert np.array_equal(solver.solve(puzzles, think=4), result.answers)


def test_perturbed_restarts_count_as_calls_and_repeat_exactly():
    solver = untrained(WideSettings(max_calls=3, restarts=2, branch_think=2))
    first, second = solver.solve_wide(CHAINS, think=5), solver.solve_wide(CHAINS, think=5)
    assert first.branches.tolist() == [3] and first.iterations.tolist() == [5 + 5 + 5 + 2]  # two restarts, a branch
    assert np.array_equal(first.answers, second.answers)


def test_auto_halting_then_wider():
    result = untrained(WideSettings(max_calls=2, branch_think=2)).solve_wide(EASY, think="auto", cap=6)
    assert result.branches.tolist() == [2] and not result.solved[0]


@pytest.mark.parametrize(
    "puzzle, message",
    [
        (np.zeros((9, 8), np.int8), "got shape"),
        (np.full((9, 9), 10), "0 \\(blank\\) to 9"),
        (np.where(np.eye(9, dtype=bool), 5, 0), "appears twice"),
        (np.zeros((9, 9), np.int8), "several solutions"),
    ],
)
def test_bad_grids_get_one_clear_error(puzzle, message):
    with pytest.raises(ValueError, match=message):
        untrained(WideSettings()).solve_wide(puzzle)


def test_a_puzzle_without_a_solution_is_refused():
    broken = EASY.copy()
    broken[0, 0] = 5  # no conflict with a given, but the puzzle has no solution
    with pytest.raises(ValueError, match="no solution"):
        untrained(WideSettings()).solve(broken)


@pytest.mark.parametrize(
    "values, message",
    [
        ([], "an object"),
        ({"depth": 3}, "unknown wider settings"),
        ({"max_calls": -1}, "max_calls"),
        ({"top": 10}, "at most 9"),
        ({"restarts": 5, "max_calls": 4}, "cannot exceed"),
        ({"branch_think": 0}, "branch_think"),
        ({"noise": "loud"}, "noise"),
    ],
)
def test_bad_settings_get_one_clear_error(values, message):
    with pytest.raises(ValueError, match=message):
        WideSettings.from_card(values)


def test_load_solver_dispatches_by_card(tmp_path):
    assert type(load_solver("sudoku_easy")) is Solver
    assert isinstance(load_solver("sudoku"), WideSudokuSolver)
    for suffix in (".safetensors", ".json"):
        shutil.copy(SHIPPED_DIR / f"sudoku_easy{suffix}", tmp_path / f"easy{suffix}")
    card = json.loads((tmp_path / "easy.json").read_text())
    (tmp_path / "easy.json").write_text(json.dumps({**card, "wider": {"max_calls": 5}}))
    loaded = load_solver(tmp_path / "easy")
    assert isinstance(loaded, WideSudokuSolver) and loaded.settings == WideSettings(max_calls=5)
    (tmp_path / "easy.json").write_text(json.dumps({**card, "wider": {"max_calls": "many"}}))
    with pytest.raises(ValueError, match="max_calls"):
        load_solver(tmp_path / "easy")


def test_thinking_wider_is_for_sudoku_only():
    config = NetworkConfig(kind="dt", dims=1, in_channels=1, out_channels=2, width=8, blocks=1)
    with pytest.raises(ValueError, match="for Sudoku"):
        WideSudokuSolver(build_network(config), get_problem("prefix_sums"), settings=WideSettings())
