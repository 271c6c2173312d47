"""Sudoku puzzles by grade: minimal puzzles, a minimality check, and generation until a puzzle grades as asked.

A puzzle is *minimal* when it has one solution and no given can be blanked without losing that: every given is
needed. :func:`minimal_puzzle` fills a random grid and visits its cells once in random order, blanking each
while the solution stays unique; one pass is enough, since a given that was needed stays needed as others go.
Such puzzles usually have 22 to 26 givens.

:func:`make_graded` draws puzzles (minimal ones, or ones with a number of givens through
:func:`puzzles.sudoku.make_puzzle`) until one grades as asked by :func:`puzzles.sudoku_techniques.rate`;
:func:`generate_graded` does that ``count`` times, every puzzle from its own seed drawn from ``rng``, so the
number of worker processes changes the speed, never the puzzles.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

import numpy as np

from puzzles.sudoku import check_grid, count_solutions, make_puzzle, random_grid
from puzzles.sudoku_techniques import Grade, Rating, Technique, rate


def as_rng(rng: int | np.random.Generator) -> np.random.Generator:
    """A numpy Generator from a seed (an int) or the Generator itself; TypeError for anything else."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"a seed is a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be an int seed or a numpy Generator, got {type(rng).__name__}")


def as_grade(grade: Grade | int | str) -> Grade:
    """A :class:`Grade` from itself, its rank (1..9) or its name in any case (``"fish"``, ``"beyond chains"``)."""
    if isinstance(grade, Grade):
        return grade
    if isinstance(grade, (int, np.integer)) and not isinstance(grade, bool):
        if int(grade) not in Grade._value2member_map_:
            raise ValueError(f"a grade's rank is 1 to {len(Grade)}, got {grade}")
        return Grade(int(grade))
    if isinstance(grade, str):
        name = grade.strip().upper().replace(" ", "_").replace("-", "_")
        if name.isdigit():
            return as_grade(int(name))
        if name not in Grade.__members__:
            raise ValueError(f"unknown grade {grade!r}; grades are {', '.join(g.name.lower() for g in Grade)}")
        return Grade[name]
    raise TypeError(f"a grade is a Grade, its rank or its name, got {type(grade).__name__}")


def _check_givens(givens: int | None) -> None:
    if givens is None:
        return
    if isinstance(givens, bool) or not isinstance(givens, (int, np.integer)) or not 17 <= givens <= 81:
        raise ValueError(f"givens must be None (minimal puzzles) or an integer from 17 to 81, got {givens!r}")


def minimal_puzzle(rng: int | np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random minimal puzzle and its solution, each int8 ``(9, 9)``: a random grid whose cells are visited once
    in random order, each blanked if the solution stays unique."""
    rng = as_rng(rng)
    solution = random_grid(rng)
    puzzle = solution.copy()
    flat = puzzle.reshape(81)
    for cell in rng.permutation(81):
        digit = flat[cell]
        flat[cell] = 0
        if count_solutions(puzzle) != 1:
            flat[cell] = digit
    return puzzle, solution


def redundant_givens(puzzle: np.ndarray) -> list[int]:
    """The givens (cells 0..80) that can each be blanked alone with the solution staying unique.

    Raises:
        ValueError: for a bad grid, or a puzzle without exactly one solution.
    """
    grid = check_grid(puzzle)
    count = count_solutions(grid)
    if count != 1:
        raise ValueError("the puzzle has " + ("no solution" if count == 0 else "several solutions"))
    redundant = []
    flat = grid.reshape(81)
    for cell in np.flatnonzero(flat).tolist():
        digit = flat[cell]
        flat[cell] = 0
        if count_solutions(grid) == 1:
            redundant.append(cell)
        flat[cell] = digit
    return redundant


def is_minimal(puzzle: np.ndarray) -> bool:
    """Whether a puzzle has exactly one solution and loses it when any single given is blanked.

    Raises:
        ValueError: for a bad grid (shape, digits, a digit twice in a unit).
    """
    try:
        return not redundant_givens(puzzle)
    except ValueError:
        check_grid(puzzle)  # a bad grid raises; a puzzle that is merely not unique is not minimal
        return False


@dataclass(frozen=True)
class GradedPuzzle:
    """A puzzle that graded as asked, its solution, its rating and how many puzzles were drawn to find it."""

    puzzle: np.ndarray
    solution: np.ndarray
    rating: Rating
    tries: int


def _draw(givens: int | None, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return minimal_puzzle(rng) if givens is None else make_puzzle(givens, rng)


def _accepts(grade: Grade | None, at_least: bool, found: Grade) -> bool:
    return grade is None or found == grade or (at_least and found > grade)


def make_graded(
    grade: Grade | int | str | None,
    rng: int | np.random.Generator,
    givens: int | None = None,
    at_least: bool = False,
    max_tries: int = 100_000,
) -> GradedPuzzle:
    """Draws puzzles until one grades as asked.

    Args:
        grade: the grade wanted (a :class:`Grade`, its rank or its name); None accepts the first puzzle.
        rng: a seed or a numpy Generator; the same seed gives the same puzzle.
        givens: None for minimal puzzles, else the number of givens (17..81; see :func:`puzzles.sudoku.make_puzzle`).
        at_least: accept any grade from ``grade`` up.
        max_tries: puzzles drawn before giving up.

    Raises:
        ValueError: for a bad grade, givens or max_tries.
        RuntimeError: when ``max_tries`` puzzles all graded otherwise.
    """
    wanted = None if grade is None else as_grade(grade)
    _check_givens(givens)
    if isinstance(max_tries, bool) or not isinstance(max_tries, (int, np.integer)) or max_tries < 1:
        raise ValueError(f"max_tries must be a positive integer, got {max_tries!r}")
    rng = as_rng(rng)
    for tries in range(1, max_tries + 1):
        puzzle, solution = _draw(givens, rng)
        rating = rate(puzzle, check_unique=False)
        if _accepts(wanted, at_least, rating.grade):
            return GradedPuzzle(puzzle, solution, rating, tries)
    asked = "any grade" if wanted is None else f"grade {wanted.label}" + (" or harder" if at_least else "")
    raise RuntimeError(f"no puzzle of {asked} in {max_tries} tries")


@dataclass(frozen=True)
class GradedSet:
    """Puzzles with their grades, in arrays: ``puzzles`` and ``solutions`` int8 ``(N, 9, 9)``, ``grades`` int8
    ``(N,)`` (ranks of :class:`Grade`), ``counts`` int32 ``(N, len(Technique))`` (steps of each technique, columns
    in :class:`Technique` order), ``tries`` int32 ``(N,)`` (puzzles drawn for each), and ``seconds`` and
    ``cpu_seconds`` float64 ``(N,)``: the wall-clock and processor time spent drawing and grading them (on a busy
    machine the processor time is the fairer measure; these two are the only fields a seed does not fix)."""

    puzzles: np.ndarray
    solutions: np.ndarray
    grades: np.ndarray
    counts: np.ndarray
    tries: np.ndarray
    seconds: np.ndarray
    cpu_seconds: np.ndarray

    def arrays(self) -> dict[str, np.ndarray]:
        """The fields by name, ready for :func:`puzzles.storage.save_arrays`."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def summary(self, wall: float, sample: bool) -> dict:
        """The share of each grade, draws and seconds per kept puzzle, and for a sample (every puzzle drawn kept)
        each grade's expected cost: wall-clock and processor seconds per draw over the grade's share.

        Args:
            wall: the wall-clock seconds the whole set took.
            sample: the set kept every puzzle drawn (``--grade any``), so its shares estimate the grades' odds.
        """
        count = len(self.grades)
        draws = int(self.tries.sum())
        per_draw = float(self.seconds.sum()) / max(draws, 1)
        cpu_per_draw = float(self.cpu_seconds.sum()) / max(draws, 1)
        grades = {}
        for grade in Grade:
            kept = int((self.grades == grade).sum())
            entry = {"rank": int(grade), "puzzles": kept, "share": kept / count if count else 0.0}
            if sample and count:
                entry["expected_seconds_per_puzzle"] = per_draw / entry["share"] if kept else None
                entry["expected_cpu_seconds_per_puzzle"] = cpu_per_draw / entry["share"] if kept else None
            grades[grade.name.lower()] = entry
        return {
            "puzzles": count,
            "draws": draws,
            "wall_seconds": wall,
            "seconds_per_draw": per_draw,
            "cpu_seconds_per_draw": cpu_per_draw,
            "seconds_per_puzzle": float(self.seconds.sum()) / max(count, 1),
            "cpu_seconds_per_puzzle": float(self.cpu_seconds.sum()) / max(count, 1),
            "mean_givens": float((self.puzzles > 0).sum((1, 2)).mean()) if count else 0.0,
            "grades": grades,
            "technique_uses": {t.name.lower(): int(self.counts[:, i].sum()) for i, t in enumerate(Technique)},
            "puzzles_using": {t.name.lower(): int((self.counts[:, i] > 0).sum()) for i, t in enumerate(Technique)},
        }


def _seeded_graded(job: tuple[Grade | None, int | None, bool, int, int]) -> tuple[GradedPuzzle, float, float]:
    grade, givens, at_least, max_tries, seed = job
    started, cpu_started = time.perf_counter(), time.process_time()
    found = make_graded(grade, np.random.default_rng(seed), givens, at_least, max_tries)
    return found, time.perf_counter() - started, time.process_time() - cpu_started


def generate_graded(
    count: int,
    grade: Grade | int | str | None,
    rng: int | np.random.Generator,
    givens: int | None = None,
    at_least: bool = False,
    workers: int = 1,
    max_tries: int = 100_000,
) -> GradedSet:
    """``count`` puzzles from :func:`make_graded`, each from its own seed drawn from ``rng`` (so ``workers``,
    spawned processes, changes the speed, never the puzzles). ``grade=None`` keeps every puzzle drawn: a sample
    of the grades. Raises as :func:`make_graded` does, and ValueError for a negative count."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    wanted = None if grade is None else as_grade(grade)
    _check_givens(givens)
    seeds = as_rng(rng).integers(0, 2**63, size=count)
    jobs = [(wanted, givens, at_least, max_tries, int(seed)) for seed in seeds]
    if workers > 1 and count > 1:
        with multiprocessing.get_context("spawn").Pool(min(workers, count)) as pool:
            results = pool.map(_seeded_graded, jobs, chunksize=1)
    else:
        results = [_seeded_graded(job) for job in jobs]
    found = [result[0] for result in results]
    return GradedSet(
        puzzles=np.array([f.puzzle for f in found], dtype=np.int8).reshape(count, 9, 9),
        solutions=np.array([f.solution for f in found], dtype=np.int8).reshape(count, 9, 9),
        grades=np.array([f.rating.grade for f in found], dtype=np.int8),
        counts=np.array([list(f.rating.counts.values()) for f in found], dtype=np.int32).reshape(count, len(Technique)),
        tries=np.array([f.tries for f in found], dtype=np.int32),
        seconds=np.array([result[1] for result in results], dtype=np.float64),
        cpu_seconds=np.array([result[2] for result in results], dtype=np.float64),
    )
