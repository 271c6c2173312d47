"""A human-style Sudoku grader: the hardest technique a person needs, with a count of every technique used.

The grader keeps pencil marks (a :class:`Position`: the placed digits and the candidates of every open cell) and
applies the techniques of :class:`Technique` in order of difficulty, starting again from the easiest after every
successful step, the way a person would:

1. naked single, hidden single;
2. locked candidates (pointing, claiming);
3. naked pair and triple, hidden pair and triple;
4. fish (X-wing, swordfish);
5. chains: XY-wing, X-chain (one digit, alternating strong and weak links: skyscrapers, kites, simple coloring's
   traps), XY-chain (bivalue cells);
6. a bounded forcing chain: both alternatives of a bivalue cell or of a digit with two places in a unit are
   propagated by singles alone (no nested assumption); a branch that breaks a rule proves the other, and what
   both branches agree on is proved.

The grade (:class:`Grade`) is the tier of the hardest technique used, or :attr:`Grade.BEYOND_CHAINS` when these
techniques get stuck before the grid is full: such a puzzle needs guessing (or techniques beyond this list).
Every deduction is sound: a technique removes a candidate only when no solution has it, and places a digit only
when every solution has it. Pencil marks use 9-bit masks (bit ``d - 1`` for digit ``d``) and sets of cells use
81-bit integers (bit ``9 * row + column``); cells are numbered 0..80 in reading order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from puzzles.sudoku import check_grid, count_solutions
from puzzles.sudoku_chains import forcing_chain, x_chain, xy_chain, xy_wing
from puzzles.sudoku_marks import Contradiction, Grade, Position, Step, Technique, cell_name
from puzzles.sudoku_patterns import (
    claiming,
    fish,
    hidden_single,
    hidden_subset,
    naked_single,
    naked_subset,
    pointing,
)

__all__ = ["Grade", "Position", "Rating", "Step", "Technique", "cell_name", "find", "next_step", "rate", "rate_batch"]

_FINDERS: dict[Technique, Callable[[Position], Step | None]] = {
    Technique.NAKED_SINGLE: naked_single,
    Technique.HIDDEN_SINGLE: hidden_single,
    Technique.POINTING: pointing,
    Technique.CLAIMING: claiming,
    Technique.NAKED_PAIR: lambda p: naked_subset(p, 2, Technique.NAKED_PAIR),
    Technique.NAKED_TRIPLE: lambda p: naked_subset(p, 3, Technique.NAKED_TRIPLE),
    Technique.HIDDEN_PAIR: lambda p: hidden_subset(p, 2, Technique.HIDDEN_PAIR),
    Technique.HIDDEN_TRIPLE: lambda p: hidden_subset(p, 3, Technique.HIDDEN_TRIPLE),
    Technique.X_WING: lambda p: fish(p, 2, Technique.X_WING),
    Technique.SWORDFISH: lambda p: fish(p, 3, Technique.SWORDFISH),
    Technique.XY_WING: xy_wing,
    Technique.X_CHAIN: x_chain,
    Technique.XY_CHAIN: xy_chain,
    Technique.FORCING_CHAIN: forcing_chain,
}


def find(position: Position, technique: Technique) -> Step | None:
    """The first step ``technique`` finds in ``position`` (one that places a digit or removes a candidate), or None."""
    return _FINDERS[technique](position)


def next_step(position: Position) -> Step | None:
    """The step of the easiest technique that makes progress, or None when all of them are stuck."""
    for technique in Technique:
        step = find(position, technique)
        if step is not None:
            return step
    return None


# ------------------------------------------------------------------------------------------------ grading
@dataclass(frozen=True)
class Rating:
    """What the grader found: the grade, how often each technique was used, the steps and the grid reached."""

    grade: Grade
    counts: dict[Technique, int]
    steps: tuple[Step, ...]
    grid: np.ndarray

    @property
    def solved(self) -> bool:
        """Whether the techniques filled the grid (false exactly when the grade is ``BEYOND_CHAINS``)."""
        return bool((self.grid > 0).all())


def rate(puzzle: np.ndarray, check_unique: bool = True) -> Rating:
    """Grades one ``(9, 9)`` puzzle by the hardest technique a person needs (see the module's docstring).

    Args:
        puzzle: integers 0 (blank) to 9.
        check_unique: first check that the puzzle has exactly one solution (one exact search); pass False only
            for puzzles known to be unique, such as freshly generated ones.

    Returns:
        The :class:`Rating`; a full grid rates ``NAKED_SINGLES`` with no steps.

    Raises:
        ValueError: for a bad grid (shape, digits, a digit twice in a unit) or, with ``check_unique``, a puzzle
            without exactly one solution; without it, a contradiction the techniques run into.
    """
    grid = check_grid(puzzle)
    if check_unique:
        count = count_solutions(grid)
        if count != 1:
            raise ValueError("the puzzle has " + ("no solution" if count == 0 else "several solutions"))
    position = Position.from_puzzle(grid)
    steps = []
    try:
        while not position.solved:
            step = next_step(position)
            if step is None:
                break
            position.apply(step)
            steps.append(step)
    except Contradiction:
        raise ValueError("the puzzle has no solution: the techniques reached a contradiction") from None
    counts = dict.fromkeys(Technique, 0)
    for step in steps:
        counts[step.technique] += 1
    if not position.solved:
        grade = Grade.BEYOND_CHAINS
    else:
        grade = max((step.technique.grade for step in steps), default=Grade.NAKED_SINGLES)
    return Rating(grade, counts, tuple(steps), position.grid())


def rate_batch(puzzles: np.ndarray, check_unique: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Grades a batch ``(B, 9, 9)`` (or one grid): int8 grades ``(B,)`` and int32 technique counts
    ``(B, len(Technique))``, columns in :class:`Technique` order. Raises as :func:`rate` does, naming the puzzle."""
    grids = np.asarray(puzzles)
    if grids.ndim == 2:
        grids = grids[None]
    if grids.ndim != 3:
        raise ValueError(f"Sudoku grids are (B, 9, 9) or (9, 9), got shape {np.shape(puzzles)}")
    grades = np.zeros(len(grids), dtype=np.int8)
    counts = np.zeros((len(grids), len(Technique)), dtype=np.int32)
    for index, grid in enumerate(grids):
        try:
            rating = rate(grid, check_unique)
        except ValueError as error:
            raise ValueError(f"puzzle {index}: {error}") from None
        grades[index] = rating.grade
        counts[index] = list(rating.counts.values())
    return grades, counts
