"""Puzzles by grade: minimal puzzles, the minimality check, seeded generation until a puzzle grades as asked."""

import numpy as np
import pytest

from puzzles import sudoku
from puzzles.sudoku_generate import (
    GradedSet,
    as_grade,
    as_rng,
    generate_graded,
    is_minimal,
    make_graded,
    minimal_puzzle,
    redundant_givens,
)
from puzzles.sudoku_techniques import Grade, Technique, rate


def is_complete(solution: np.ndarray) -> bool:
    flat = solution.reshape(81)
    return all(sorted(flat[list(unit)]) == list(range(1, 10)) for unit in sudoku.UNITS)


def test_minimal_puzzles_are_unique_and_minimal():
    for seed in range(3):
        puzzle, solution = minimal_puzzle(seed)
        assert puzzle.shape == solution.shape == (9, 9) and puzzle.dtype == solution.dtype == np.int8
        assert 17 <= (puzzle > 0).sum() <= 30
        assert is_complete(solution) and np.array_equal(solution[puzzle > 0], puzzle[puzzle > 0])
        assert sudoku.count_solutions(puzzle) == 1 and is_minimal(puzzle)


def test_a_seed_and_its_generator_give_the_same_puzzle():
    first, second = minimal_puzzle(7), minimal_puzzle(np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[0], minimal_puzzle(8)[0])


def test_redundant_givens_are_found_and_make_a_puzzle_non_minimal():
    puzzle, solution = minimal_puzzle(3)
    assert redundant_givens(puzzle) == []
    blank = int(np.flatnonzero(puzzle.reshape(81) == 0)[0])
    fuller = puzzle.copy()
    fuller.reshape(81)[blank] = solution.reshape(81)[blank]
    assert blank in redundant_givens(fuller) and not is_minimal(fuller)
    given = int(np.flatnonzero(puzzle.reshape(81))[0])
    ambiguous = puzzle.copy()
    ambiguous.reshape(81)[given] = 0
    assert not is_minimal(ambiguous)  # several solutions: not a minimal puzzle
    with pytest.raises(ValueError, match="several solutions"):
        redundant_givens(ambiguous)
    with pytest.raises(ValueError, match="got shape"):
        is_minimal(puzzle[:8])
    with pytest.raises(ValueError, match="appears twice"):
        is_minimal(np.where(np.arange(81).reshape(9, 9) < 2, 5, puzzle))


def test_a_puzzle_of_the_asked_grade_is_minimal_and_seeded():
    found = make_graded("hidden singles", 11)
    assert found.rating.grade == Grade.HIDDEN_SINGLES and found.tries >= 1
    assert is_minimal(found.puzzle) and np.array_equal(sudoku.solve(found.puzzle)[0], found.solution)
    assert rate(found.puzzle).grade == Grade.HIDDEN_SINGLES
    again = make_graded(Grade.HIDDEN_SINGLES, np.random.default_rng(11))
    assert np.array_equal(again.puzzle, found.puzzle) and again.tries == found.tries


def test_at_least_accepts_harder_grades():
    found = make_graded(Grade.LOCKED_CANDIDATES, 5, at_least=True)
    assert found.rating.grade >= Grade.LOCKED_CANDIDATES


def test_a_number_of_givens_can_be_asked_instead_of_minimal_puzzles():
    found = make_graded(2, 4, givens=32)
    assert (found.puzzle > 0).sum() == 32 and found.rating.grade == Grade.HIDDEN_SINGLES
    assert sudoku.count_solutions(found.puzzle) == 1


def test_generation_gives_up_after_max_tries():
    with pytest.raises(RuntimeError, match="no puzzle of grade beyond chains in 2 tries"):
        make_graded(Grade.BEYOND_CHAINS, 0, max_tries=2)


def test_a_set_holds_grades_and_technique_counts_in_arrays():
    graded = generate_graded(3, None, 21)
    assert isinstance(graded, GradedSet)
    assert graded.puzzles.shape == graded.solutions.shape == (3, 9, 9) and graded.puzzles.dtype == np.int8
    assert graded.grades.dtype == np.int8 and graded.counts.shape == (3, len(Technique))
    assert graded.tries.tolist() == [1, 1, 1] and (graded.seconds > 0).all() and (graded.cpu_seconds > 0).all()
    for puzzle, grade, counts in zip(graded.puzzles, graded.grades, graded.counts, strict=True):
        rating = rate(puzzle)
        assert rating.grade == grade and list(rating.counts.values()) == counts.tolist()
    assert set(graded.arrays()) == {"puzzles", "solutions", "grades", "counts", "tries", "seconds", "cpu_seconds"}
    again = generate_graded(3, None, np.random.default_rng(21))
    assert np.array_equal(again.puzzles, graded.puzzles)


def test_worker_processes_change_the_speed_not_the_puzzles():
    one = generate_graded(2, "locked candidates", 8, at_least=True)
    two = generate_graded(2, "locked candidates", 8, at_least=True, workers=2)
    assert np.array_equal(one.puzzles, two.puzzles) and np.array_equal(one.tries, two.tries)
    assert (one.grades >= Grade.LOCKED_CANDIDATES).all()


def test_an_empty_set_has_the_right_shapes():
    empty = generate_graded(0, Grade.FISH, 0)
    assert empty.puzzles.shape == (0, 9, 9) and empty.counts.shape == (0, len(Technique))


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (Grade.FISH, Grade.FISH),
        (6, Grade.FISH),
        ("fish", Grade.FISH),
        ("Beyond chains", Grade.BEYOND_CHAINS),
        ("forcing-chains", Grade.FORCING_CHAINS),
        ("3", Grade.LOCKED_CANDIDATES),
        (np.int8(9), Grade.BEYOND_CHAINS),
    ],
)
def test_grades_are_read_from_names_and_ranks(value, grade):
    assert as_grade(value) is grade


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: as_grade("hard"), ValueError, "unknown grade 'hard'"),
        (lambda: as_grade(0), ValueError, "rank is 1 to 9"),
        (lambda: as_grade(1.5), TypeError, "a grade is"),
        (lambda: as_grade(True), TypeError, "a grade is"),
        (lambda: as_rng("seed"), TypeError, "int seed or a numpy Generator"),
        (lambda: as_rng(-1), ValueError, "non-negative"),
        (lambda: make_graded(Grade.FISH, 0, givens=16), ValueError, "givens must be"),
        (lambda: make_graded(Grade.FISH, 0, max_tries=0), ValueError, "max_tries"),
        (lambda: generate_graded(-1, Grade.FISH, 0), ValueError, "count"),
        (lambda: generate_graded(1, "easy", 0), ValueError, "unknown grade"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.slow
def test_every_deduction_on_many_minimal_puzzles_agrees_with_the_solution():
    rng = np.random.default_rng(2025)
    for _ in range(300):
        puzzle, solution = minimal_puzzle(rng)
        rating = rate(puzzle, check_unique=False)
        position_grid = rating.grid
        assert np.array_equal(position_grid[position_grid > 0], solution[position_grid > 0])
        flat = solution.reshape(81)
        for step in rating.steps:
            assert all(flat[cell] == digit for cell, digit in step.placements), step
            assert all(flat[cell] != digit for cell, digit in step.eliminations), step
