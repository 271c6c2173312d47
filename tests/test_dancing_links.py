"""Dancing links (Algorithm X): the same answers as the exact search, solution counts, clear errors, the timing."""

import numpy as np
import pytest

from puzzles import dancing_links, sudoku
from puzzles.sudoku_generate import minimal_puzzle


def grid(text: str) -> np.ndarray:
    return np.array([0 if c == "." else int(c) for c in text], dtype=np.int8).reshape(9, 9)


EASY = grid("003020600900305001001806400008102900700000008006708200002609500800203009005010300")
SEVENTEEN = grid("000000010400000000020000000000050407008000300001090000300400200050100000000806000")
EASTER_MONSTER = grid("1.......2.9.4...5...6...7...5.9.3.......7.......85..4.7.....6...3...9.8...2.....1")


def swappable_rectangle(solution: np.ndarray) -> tuple[int, int, int, int] | None:
    """Rows r1, r2 of one band and columns c1, c2 of two stacks holding a, b / b, a: blanking those four cells
    leaves exactly two solutions (the digits swapped or not)."""
    for r1 in range(9):
        for r2 in range(r1 + 1, 3 * (r1 // 3) + 3):
            for c1 in range(9):
                for c2 in range(3 * (c1 // 3) + 3, 9):
                    a, b = solution[r1, c1], solution[r1, c2]
                    if solution[r2, c1] == b and solution[r2, c2] == a:
                        return r1, r2, c1, c2
    return None


@pytest.mark.parametrize("puzzle", [EASY, SEVENTEEN, EASTER_MONSTER], ids=["easy", "seventeen", "easter_monster"])
def test_known_puzzles_get_the_exact_searchs_answer(puzzle):
    answer = dancing_links.solve(puzzle)
    assert answer.dtype == np.int8 and np.array_equal(answer, sudoku.solve(puzzle)[0])
    assert dancing_links.count_solutions(puzzle) == 1


def test_generated_puzzles_get_the_exact_searchs_answers():
    puzzles, solutions = sudoku.generate(8, 26, np.random.default_rng(5))
    minimal = [minimal_puzzle(seed) for seed in (1, 2)]
    puzzles = np.concatenate([puzzles, [p for p, _ in minimal]])
    solutions = np.concatenate([solutions, [s for _, s in minimal]])
    assert np.array_equal(dancing_links.solve_batch(puzzles), solutions)
    assert np.array_equal(dancing_links.solve_batch(puzzles), sudoku.solve(puzzles))


def sparse_grid(rng: np.random.Generator, keep: float, perturb: bool) -> np.ndarray:
    """A random grid's digits kept with probability ``keep``; with ``perturb``, one given changed to another digit
    that breaks no rule (which often leaves no solution)."""
    sparse = np.where(rng.random((9, 9)) < keep, sudoku.random_grid(rng), 0).astype(np.int8)
    if perturb:
        cell = divmod(int(rng.choice(np.flatnonzero(sparse))), 9)
        for digit in rng.permutation(9) + 1:
            trial = sparse.copy()
            trial[cell] = digit
            try:
                return sudoku.check_grid(trial)
            except ValueError:
                continue
    return sparse


def test_solution_counts_agree_with_the_exact_search_on_sparse_grids():
    rng = np.random.default_rng(0)
    seen = set()
    for index in range(20):
        sparse = sparse_grid(rng, 0.36 + 0.01 * index, perturb=index % 2 == 1)
        for limit in (1, 3):
            count = dancing_links.count_solutions(sparse, limit)
            assert count == sudoku.count_solutions(sparse, limit)
            seen.add(count)
    assert {0, 1, 3} <= seen  # no solution, one, and several (up to the limit)


def test_a_puzzle_with_exactly_two_solutions_lists_both():
    rng = np.random.default_rng(1)
    while (rectangle := swappable_rectangle(solution := sudoku.random_grid(rng))) is None:
        pass
    r1, r2, c1, c2 = rectangle
    puzzle = solution.copy()
    puzzle[[r1, r1, r2, r2], [c1, c2, c1, c2]] = 0
    swapped = solution.copy()
    swapped[[r1, r1, r2, r2], [c1, c2, c1, c2]] = solution[[r1, r1, r2, r2], [c2, c1, c2, c1]]
    found = dancing_links.solutions(puzzle, limit=5)
    assert len(found) == 2 and sudoku.count_solutions(puzzle, limit=5) == 2
    assert {a.tobytes() for a in found} == {solution.tobytes(), swapped.tobytes()}
    with pytest.raises(ValueError, match="several solutions"):
        dancing_links.solve(puzzle)


def test_counts_stop_at_the_limit_and_see_no_solution():
    empty = np.zeros((9, 9), dtype=np.int8)
    assert dancing_links.count_solutions(empty, limit=5) == 5
    unsolvable = EASY.copy()
    unsolvable[0, 0] = 5  # no digit twice in a unit, yet nothing completes the grid
    assert dancing_links.count_solutions(unsolvable) == 0 and dancing_links.solutions(unsolvable) == []
    with pytest.raises(ValueError, match="no solution"):
        dancing_links.solve(unsolvable)
    with pytest.raises(ValueError, match="puzzle 1: the puzzle has several solutions"):
        dancing_links.solve_batch(np.stack([EASY, empty]))


@pytest.mark.parametrize(
    ("puzzle", "message"),
    [
        (EASY[:8], "got shape \\(8, 9\\)"),
        (np.where(EASY == 3, 10, EASY), "0 \\(blank\\) to 9"),
        (EASY.astype(float), "integers"),
        (np.where(np.arange(81).reshape(9, 9) < 2, 5, EASY), "digit 5 appears twice in row 1"),
    ],
)
def test_bad_grids_get_clear_errors(puzzle, message):
    with pytest.raises(ValueError, match=message):
        dancing_links.solve(puzzle)


def test_limits_below_one_are_refused():
    with pytest.raises(ValueError, match="limit must be a positive integer"):
        dancing_links.count_solutions(EASY, limit=0)
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        dancing_links.benchmark(EASY[None], repeats=0)


def test_the_benchmark_times_every_puzzle_of_a_batch():
    puzzles = np.stack([EASY, SEVENTEEN, EASY])
    timing = dancing_links.benchmark(puzzles, repeats=2)
    assert timing.puzzles == 3 and timing.per_puzzle.shape == (3,) and (timing.per_puzzle > 0).all()
    assert timing.seconds == pytest.approx(timing.per_puzzle.sum())
    assert timing.seconds_per_puzzle == pytest.approx(timing.seconds / 3)
    assert timing.puzzles_per_second == pytest.approx(3 / timing.seconds)
    with pytest.raises(ValueError, match="puzzle 1: the puzzle has several solutions"):
        dancing_links.benchmark(np.stack([EASY, np.zeros((9, 9), dtype=np.int8)]))


def test_the_benchmark_times_any_solver():
    seen = []
    timing = dancing_links.benchmark(np.stack([EASY, SEVENTEEN]), solver=lambda g: seen.append(g.copy()) or g)
    assert timing.puzzles == 2 and np.array_equal(seen[1], SEVENTEEN)
    exact = dancing_links.benchmark(np.stack([EASY, SEVENTEEN]), solver=lambda g: sudoku.solve(g)[0])
    assert exact.puzzles == 2 and exact.seconds > 0
