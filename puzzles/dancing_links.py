"""A classical Sudoku solver for comparisons: Knuth's Algorithm X on dancing links (exact cover).

Sudoku as exact cover: 729 rows, one per (cell, digit), and 324 columns, the constraints each filled grid meets
exactly once: every cell holds a digit, every row, column and box holds every digit. Each row covers four
columns. The matrix lives in flat lists of links (left, right, up, down, column) built once; a solve copies
them, covers the givens' rows, then searches, always branching on the column with the fewest rows left
(Knuth's heuristic). Covering and uncovering a column relinks nodes in place, so backtracking costs no copies.

:func:`solutions` lists solutions up to a limit, :func:`count_solutions` counts them (2 decides uniqueness),
:func:`solve` returns the unique solution or says why there is none, and :func:`benchmark` times the solver on a
batch for the side-by-side comparison with the networks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from puzzles import sudoku
from puzzles.sudoku import check_batch, check_grid
from puzzles.sudoku_techniques import Grade

_COLUMNS = 324
_ROWS = 729


def _constraints(row: int) -> tuple[int, int, int, int]:
    """The four columns (1-based, after the root at 0) that matrix row ``9 * cell + digit - 1`` covers."""
    cell, digit = divmod(row, 9)
    r, c = divmod(cell, 9)
    box = 3 * (r // 3) + c // 3
    return 1 + cell, 82 + 9 * r + digit, 163 + 9 * c + digit, 244 + 9 * box + digit


def _build() -> tuple[list[int], list[int], list[int], list[int], list[int], list[int], list[int], list[int]]:
    """The full matrix: node 0 is the root, 1..324 the column headers, then four nodes per row."""
    nodes = 1 + _COLUMNS + 4 * _ROWS
    left, right = list(range(-1, nodes - 1)), list(range(1, nodes + 1))
    left[0], right[_COLUMNS] = _COLUMNS, 0
    up, down, column = list(range(nodes)), list(range(nodes)), list(range(nodes))
    size, row_of, first = [0] * (1 + _COLUMNS), [-1] * nodes, [0] * _ROWS
    for row in range(_ROWS):
        base = 1 + _COLUMNS + 4 * row
        first[row] = base
        for offset, col in enumerate(_constraints(row)):
            node = base + offset
            left[node], right[node] = base + (offset - 1) % 4, base + (offset + 1) % 4
            column[node], row_of[node] = col, row
            up[node], down[node] = up[col], col
            down[up[col]] = node
            up[col] = node
            size[col] += 1
    return left, right, up, down, column, size, row_of, first


_MATRIX = _build()


class _Matrix:
    """One solve's copy of the links, with cover, uncover and the search."""

    def __init__(self) -> None:
        left, right, up, down, column, size, row_of, first = _MATRIX
        self.left, self.right, self.up, self.down = left.copy(), right.copy(), up.copy(), down.copy()
        self.column, self.size, self.row_of, self.first = column, size.copy(), row_of, first

    def cover(self, col: int) -> None:
        left, right, up, down, column, size = self.left, self.right, self.up, self.down, self.column, self.size
        right[left[col]], left[right[col]] = right[col], left[col]
        i = down[col]
        while i != col:
            j = right[i]
            while j != i:
                down[up[j]], up[down[j]] = down[j], up[j]
                size[column[j]] -= 1
                j = right[j]
            i = down[i]

    def uncover(self, col: int) -> None:
        left, right, up, down, column, size = self.left, self.right, self.up, self.down, self.column, self.size
        i = up[col]
        while i != col:
            j = left[i]
            while j != i:
                size[column[j]] += 1
                down[up[j]] = up[down[j]] = j
                j = left[j]
            i = up[i]
        right[left[col]] = left[right[col]] = col

    def select(self, row: int) -> bool:
        """Puts a given's row in the answer: covers its four columns; False if one is already covered."""
        node = self.first[row]
        for offset in range(4):
            col = self.column[node + offset]
            if self.left[self.right[col]] != col:  # unlinked: a given already covers it
                return False
            self.cover(col)
        return True

    def search(self, chosen: list[int], found: list[list[int]], limit: int) -> None:
        """Appends each exact cover (the rows of ``chosen`` plus the rows it picks) to ``found``, up to ``limit``."""
        right, down, size = self.right, self.down, self.size
        if right[0] == 0:
            found.append(chosen.copy())
            return
        col, fewest = 0, _ROWS + 1
        j = right[0]
        while j:
            if size[j] < fewest:
                col, fewest = j, size[j]
                if fewest <= 1:
                    break
            j = right[j]
        if not fewest:
            return
        self.cover(col)
        r = down[col]
        while r != col:
            chosen.append(self.row_of[r])
            j = right[r]
            while j != r:
                self.cover(self.column[j])
                j = right[j]
            self.search(chosen, found, limit)
            if len(found) >= limit:
                return  # the copy is thrown away, so it need not be restored
            j = self.left[r]
            while j != r:
                self.uncover(self.column[j])
                j = self.left[j]
            chosen.pop()
            r = down[r]
        self.uncover(col)


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _rows_to_grid(rows: list[int]) -> np.ndarray:
    grid = np.zeros(81, dtype=np.int8)
    for row in rows:
        cell, digit = divmod(row, 9)
        grid[cell] = digit + 1
    return grid.reshape(9, 9)


def solutions(grid: np.ndarray, limit: int = 2) -> list[np.ndarray]:
    """The solutions of one ``(9, 9)`` grid (0 = blank), up to ``limit`` of them, each int8 ``(9, 9)``.

    Raises:
        ValueError: for a bad grid (shape, digits outside 0..9, a digit twice in a unit) or limit below 1.
    """
    _check_positive("limit", limit)
    flat = check_grid(grid).reshape(81)
    matrix = _Matrix()
    givens = [9 * cell + int(flat[cell]) - 1 for cell in np.flatnonzero(flat).tolist()]
    if not all(matrix.select(row) for row in givens):
        return []
    found: list[list[int]] = []
    matrix.search(givens, found, limit)
    return [_rows_to_grid(rows) for rows in found]


def count_solutions(grid: np.ndarray, limit: int = 2) -> int:
    """Number of solutions of one ``(9, 9)`` grid, counted up to ``limit`` (2 decides uniqueness)."""
    return len(solutions(grid, limit))


def solve(grid: np.ndarray) -> np.ndarray:
    """The unique solution of one ``(9, 9)`` puzzle, int8 ``(9, 9)``.

    Raises:
        ValueError: for a bad grid, or a puzzle with no solution or several (the message says which).
    """
    found = solutions(grid, 2)
    if len(found) != 1:
        raise ValueError("the puzzle has " + ("no solution" if not found else "several solutions"))
    return found[0]


def solve_batch(grids: np.ndarray) -> np.ndarray:
    """The unique solutions of a batch ``(B, 9, 9)`` (or one grid), int8 ``(B, 9, 9)``; raises as :func:`solve`
    does, naming the puzzle."""
    batch = check_batch(grids)
    answers = np.zeros_like(batch)
    for index, grid in enumerate(batch):
        try:
            answers[index] = solve(grid)
        except ValueError as error:
            raise ValueError(f"puzzle {index}: {error}") from None
    return answers


@dataclass(frozen=True)
class Timing:
    """A solver's time on a batch: ``seconds`` for all ``puzzles`` (best of the repeats) and each puzzle's own."""

    puzzles: int
    seconds: float
    per_puzzle: np.ndarray

    @property
    def seconds_per_puzzle(self) -> float:
        """Mean seconds per puzzle."""
        return self.seconds / max(self.puzzles, 1)

    @property
    def puzzles_per_second(self) -> float:
        """Puzzles solved per second."""
        return self.puzzles / self.seconds if self.seconds > 0 else float("inf")

    def by_grade(self, grades: np.ndarray) -> dict[str, dict[str, float]]:
        """Puzzles and mean milliseconds per puzzle of each grade present (``grades``: ranks of
        :class:`puzzles.sudoku_techniques.Grade`, one per puzzle)."""
        return {
            Grade(int(g)).name.lower(): {
                "puzzles": int((grades == g).sum()),
                "ms_per_puzzle": 1000 * float(self.per_puzzle[grades == g].mean()),
            }
            for g in np.unique(grades)
        }


def benchmark(
    puzzles: np.ndarray, repeats: int = 1, solver: Callable[[np.ndarray], np.ndarray] | None = None
) -> Timing:
    """Times a solver on every puzzle of a batch ``(B, 9, 9)``; the best of ``repeats`` passes counts.

    Args:
        puzzles: the batch (or one grid).
        repeats: passes over the batch; the fastest total is kept.
        solver: solves one ``(9, 9)`` puzzle; :func:`solve` by default, which also proves each solution unique
            (it looks for a second one), as an exact solver must.

    Raises:
        ValueError: for a bad batch, repeats below 1, or a puzzle the solver refuses (the message names it).
    """
    _check_positive("repeats", repeats)
    batch = check_batch(puzzles)
    solver = solve if solver is None else solver
    best: np.ndarray | None = None
    for _ in range(int(repeats)):
        times = np.zeros(len(batch))
        for index, grid in enumerate(batch):
            started = time.perf_counter()
            try:
                solver(grid)
            except ValueError as error:
                raise ValueError(f"puzzle {index}: {error}") from None
            times[index] = time.perf_counter() - started
        if best is None or times.sum() < best.sum():
            best = times
    assert best is not None
    return Timing(len(batch), float(best.sum()), best)


def compare_classical(puzzles: np.ndarray, solutions: np.ndarray, repeats: int = 1) -> dict[str, Timing]:
    """Dancing links (:func:`solve`) and the exact search (:func:`puzzles.sudoku.solve`) timed on the same batch,
    by name, after checking both answers against ``solutions``.

    Raises:
        ValueError: naming the solver that disagrees with the solutions.
    """
    solvers = {
        "dancing links (puzzles.dancing_links.solve)": solve,
        "exact search (puzzles.sudoku.solve)": lambda grid: sudoku.solve(grid)[0],
    }
    for name, solver in solvers.items():
        answers = np.stack([solver(grid) for grid in puzzles])
        if not np.array_equal(answers, solutions):
            raise ValueError(f"{name} disagrees with the set's solutions")
    return {name: benchmark(puzzles, repeats, solver) for name, solver in solvers.items()}
