"""Sudoku: the exact solver, the generator, the symmetries, clear errors, and the problem's encoding."""

import time

import numpy as np
import pytest
import torch

from agents.networks import NetworkConfig, build_network
from agents.problems import get_problem
from agents.solver import Solver
from puzzles import sudoku


def grid(text: str) -> np.ndarray:
    return np.array([int(c) for c in text], dtype=np.int8).reshape(9, 9)


EASY = grid("003020600900305001001806400008102900700000008006708200002609500800203009005010300")
EASY_SOLUTION = grid("483921657967345821251876493548132976729564138136798245372689514814253769695417382")
# A 17-given puzzle (the fewest givens a unique Sudoku can have).
SEVENTEEN = grid("000000010400000000020000000000050407008000300001090000300400200050100000000806000")


def is_complete(solution: np.ndarray) -> bool:
    flat = solution.reshape(81)
    return all(sorted(flat[list(unit)]) == list(range(1, 10)) for unit in sudoku.UNITS)


def test_solver_on_known_puzzles():
    assert np.array_equal(sudoku.solve(EASY)[0], EASY_SOLUTION)
    hard = sudoku.solve(SEVENTEEN)[0]
    assert is_complete(hard) and np.array_equal(hard[SEVENTEEN > 0], SEVENTEEN[SEVENTEEN > 0])
    assert sudoku.count_solutions(SEVENTEEN) == 1


def test_count_stops_at_the_limit_and_sees_several_solutions():
    empty = np.zeros((9, 9), dtype=np.int8)
    assert sudoku.count_solutions(empty, limit=2) == 2
    assert sudoku.count_solutions(empty, limit=5) == 5
    assert sudoku.count_solutions(EASY_SOLUTION) == 1
    twice = EASY.copy()
    twice[0, 0] = 5  # no digit repeats in a unit, yet nothing completes the grid
    assert sudoku.count_solutions(twice) == 0


@pytest.mark.parametrize("givens", [45, 36, 28])
def test_generated_puzzles_are_unique_with_the_requested_givens(givens):
    puzzles, solutions = sudoku.generate(4, givens, np.random.default_rng(givens))
    assert puzzles.shape == solutions.shape == (4, 9, 9) and puzzles.dtype == np.int8
    for puzzle, solution in zip(puzzles, solutions, strict=True):
        assert (puzzle > 0).sum() == givens
        assert sudoku.count_solutions(puzzle) == 1
        assert is_complete(solution)
        assert np.array_equal(solution[puzzle > 0], puzzle[puzzle > 0])


def test_generation_is_seeded():
    first = sudoku.generate(2, 36, np.random.default_rng(7))
    second = sudoku.generate(2, 36, np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_worker_processes_change_the_speed_not_the_puzzles():
    one = sudoku.generate(4, 40, np.random.default_rng(3))
    two = sudoku.generate(4, 40, np.random.default_rng(3), workers=2)
    assert all(np.array_equal(a, b) for a, b in zip(one, two, strict=True))


def test_grade_counts_guesses():
    assert sudoku.grade(EASY) == 0  # naked and hidden singles suffice
    assert sudoku.grade(np.zeros((9, 9), dtype=np.int8)) > 0


def test_symmetries_keep_givens_uniqueness_and_solutions():
    puzzles, solutions = sudoku.generate(3, 30, np.random.default_rng(1))
    shuffled, shuffled_solutions = sudoku.shuffle_equivalent(puzzles, solutions, np.random.default_rng(2))
    assert not np.array_equal(shuffled, puzzles)
    assert np.array_equal((shuffled > 0).sum((1, 2)), (puzzles > 0).sum((1, 2)))
    assert np.array_equal(sudoku.solve(shuffled), shuffled_solutions)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g[:8], "got shape \\(8, 9\\)"),
        (lambda g: np.where(g == 3, 10, g), "0 \\(blank\\) to 9"),
        (lambda g: g.astype(float), "integers"),
        (lambda g: np.where(np.arange(81).reshape(9, 9) < 2, 5, g), "digit 5 appears twice in row 1"),
    ],
)
def test_bad_grids_get_clear_errors(change, message):
    with pytest.raises(ValueError, match=message):
        sudoku.validate(change(EASY.copy()))


def test_unsolvable_and_ambiguous_puzzles_are_named():
    unsolvable = EASY.copy()
    unsolvable[0, 0] = 5  # no repeat in any unit, but the puzzle no longer has a solution
    with pytest.raises(ValueError, match="no solution"):
        sudoku.validate(unsolvable)
    with pytest.raises(ValueError, match="puzzle 1: the puzzle has several solutions"):
        sudoku.validate(np.stack([EASY, np.zeros((9, 9), dtype=np.int8)]))


def test_a_grid_that_keeps_the_exact_search_busy_is_refused_within_a_second():
    # No repeat in any unit, and no solution the search finds in 100,000 guesses (several seconds unbounded).
    busy = grid("000005080000601043000000000010500000000106000300000005530000061000000004000000000")
    started = time.perf_counter()
    with pytest.raises(ValueError, match="gave up after 5000 guesses"):
        sudoku.validate(busy)
    assert time.perf_counter() - started < 1.5
    inkala = grid("800000000003600000070090200050007000000045700000100030001000068008500010090000400")
    with pytest.raises(ValueError, match="gave up after 5 guesses"):
        sudoku.count_solutions(inkala, max_guesses=5)
    assert sudoku.count_solutions(inkala, max_guesses=sudoku.MAX_GUESSES) == 1  # 324 guesses


def test_make_puzzle_rejects_impossible_givens():
    with pytest.raises(ValueError, match="17 to 81"):
        sudoku.make_puzzle(16, np.random.default_rng(0))


def test_problem_encoding_masks_blanks_and_keeps_givens():
    problem = get_problem("sudoku")
    x = problem.encode(EASY)
    assert x.shape == (1, 10, 9, 9) and torch.equal(x.sum(1), torch.ones(1, 9, 9))
    assert torch.equal(problem.loss_mask(x)[0], torch.from_numpy(EASY == 0))
    logits = torch.randn(1, 9, 9, 9)
    answer = problem.decode(problem.predict(logits, x), EASY)
    assert np.array_equal(answer[0][EASY > 0], EASY[EASY > 0])
    target = problem.encode_target(EASY_SOLUTION[None])
    assert bool(problem.exact(target, target)[0])


def test_training_data_is_symmetric_variants_of_fresh_puzzles():
    problem = get_problem("sudoku")
    puzzles, solutions = problem.training_data(10, 40, np.random.default_rng(0))
    assert puzzles.shape == (10, 9, 9)
    assert ((puzzles > 0).sum((1, 2)) == 40).all()
    assert np.array_equal(sudoku.solve(puzzles), solutions)


def test_solver_keeps_givens_and_rejects_bad_puzzles():
    problem = get_problem("sudoku")
    config = NetworkConfig(
        kind="dt", dims=2, in_channels=10, out_channels=9, width=8, blocks=1, geometry="sudoku", head=(8,)
    )
    solver = Solver(build_network(config), problem)
    answers = solver.solve(np.stack([EASY, SEVENTEEN]), think=3)
    assert answers.shape == (2, 9, 9) and answers.dtype == np.int8
    for puzzle, answer in zip((EASY, SEVENTEEN), answers, strict=True):
        assert np.array_equal(answer[puzzle > 0], puzzle[puzzle > 0])
        assert answer.min() >= 1 and answer.max() <= 9
    with pytest.raises(ValueError, match="several solutions"):
        solver.solve(np.zeros((9, 9), dtype=np.int8), think=3)


def test_generate_takes_a_seed_as_the_other_families_do():
    by_seed = sudoku.generate(2, 40, rng=0)
    by_generator = sudoku.generate(2, 40, rng=np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip(by_seed, by_generator, strict=True))
