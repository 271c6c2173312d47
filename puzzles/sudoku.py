"""Sudoku: an exact solver that counts solutions, a generator of unique-solution puzzles, a difficulty grade.

Native format (the design's): int8 grids ``(B, 9, 9)`` (or one ``(9, 9)``), 0 = blank, 1..9 = digit; an
answer is the completed grid, every given kept.

The solver is constraint propagation (naked and hidden singles) with depth-first search on the cell of
fewest candidates, on 9-bit candidate masks. Its count stops at a limit (2 decides uniqueness), and the
number of guesses it makes is the difficulty grade: 0 means singles alone solve the puzzle (what a person
does first); every guess is a branch the singles could not avoid.

The generator fills a random grid (the same search with shuffled candidates), then blanks cells in random
order, keeping a blank only while the solution stays unique, until the requested number of givens is left.
Random removal usually gets stuck at a minimal puzzle of 22 to 26 givens; below that the generator climbs
down (one digit back, then blanking again in a new order) and starts over with a new grid when that fails.
``scripts/bench.py`` measures the speed per level; 17-given puzzles stay practically out of reach.
"""

from __future__ import annotations

import multiprocessing

import numpy as np

from puzzles.chunked import quiet_worker

ALL = 0x1FF  # candidates 1..9 as bits 0..8
#: The 27 units (rows, columns, boxes) as tuples of cell indices 0..80.
UNITS: tuple[tuple[int, ...], ...] = (
    tuple(tuple(9 * r + c for c in range(9)) for r in range(9))
    + tuple(tuple(9 * r + c for r in range(9)) for c in range(9))
    + tuple(
        tuple(9 * (3 * br + r) + 3 * bc + c for r in range(3) for c in range(3)) for br in range(3) for bc in range(3)
    )
)
_UNIT_NAMES = (
    [f"row {i + 1}" for i in range(9)] + [f"column {i + 1}" for i in range(9)] + [f"box {i + 1}" for i in range(9)]
)
#: The 20 peers of each cell (same row, column or box).
PEERS: tuple[tuple[int, ...], ...] = tuple(
    tuple(sorted({p for unit in UNITS if cell in unit for p in unit} - {cell})) for cell in range(81)
)
_POPCOUNT = tuple(bin(m).count("1") for m in range(512))
#: Guesses the check of a user's puzzle (:func:`validate`) may make. Unique puzzles take a few hundred (324 for
#: Inkala's "hardest", 372 for the worst of a dozen 17-given puzzles, 677 for "Easter Monster"), while an unsolvable
#: grid can keep the search busy for minutes; this many take about a quarter of a second.
MAX_GUESSES = 5_000
_BITS = tuple(tuple(1 << d for d in range(9) if m >> d & 1) for m in range(512))


class Contradiction(Exception):
    """Raised inside the search when a branch has no solution."""


class SearchLimit(Exception):
    """Raised inside the search when it has made its allowed number of guesses."""


def _assign(cands: list[int], cell: int, bit: int) -> None:
    """Places ``bit`` in ``cell`` and propagates naked singles; raises :class:`Contradiction`."""
    stack = [(cell, bit)]
    while stack:
        cell, bit = stack.pop()
        if not cands[cell] & bit:
            raise Contradiction
        cands[cell] = bit
        for peer in PEERS[cell]:
            mask = cands[peer]
            if mask & bit:
                mask &= ~bit
                if not mask:
                    raise Contradiction
                cands[peer] = mask
                if _POPCOUNT[mask] == 1:
                    stack.append((peer, mask))


def _propagate(cands: list[int]) -> None:
    """Naked singles (in :func:`_assign`) and hidden singles until nothing changes.

    Per unit, ``once``/``twice`` collect the digits seen in at least one/two cells: a digit missing from
    ``once`` is a contradiction, one in ``once`` but not ``twice`` has a single place (a hidden single).
    """
    changed = True
    while changed:
        changed = False
        for unit in UNITS:
            once = twice = 0
            for cell in unit:
                mask = cands[cell]
                twice |= once & mask
                once |= mask
            if once != ALL:
                raise Contradiction
            single = once & ~twice
            if not single:
                continue
            for cell in unit:
                bit = cands[cell] & single
                if bit and cands[cell] != bit:
                    if _POPCOUNT[bit] > 1:  # two digits that each fit only here
                        raise Contradiction
                    _assign(cands, cell, bit)
                    changed = True


def _initial(grid: np.ndarray) -> list[int]:
    cands = [ALL] * 81
    for cell, digit in enumerate(np.asarray(grid).reshape(81).tolist()):
        if digit:
            _assign(cands, cell, 1 << (digit - 1))
    _propagate(cands)
    return cands


class _Search:
    """Depth-first search over propagated candidate masks, counting solutions up to ``limit``; raises
    :class:`SearchLimit` after ``max_guesses`` guesses (None: no bound)."""

    def __init__(self, limit: int, rng: np.random.Generator | None = None, max_guesses: int | None = None) -> None:
        self.limit, self.rng, self.max_guesses = limit, rng, max_guesses
        self.solutions: list[list[int]] = []
        self.guesses = 0

    def run(self, cands: list[int]) -> None:
        best, fewest = -1, 10
        for cell, mask in enumerate(cands):
            count = _POPCOUNT[mask]
            if 1 < count < fewest:
                best, fewest = cell, count
                if count == 2:
                    break
        if best < 0:
            self.solutions.append(cands)
            return
        options = list(_BITS[cands[best]])
        if self.rng is not None:
            self.rng.shuffle(options)
        for bit in options:
            if len(self.solutions) >= self.limit:
                return
            if self.max_guesses is not None and self.guesses >= self.max_guesses:
                raise SearchLimit
            self.guesses += 1
            branch = cands.copy()
            try:
                _assign(branch, best, bit)
                _propagate(branch)
            except Contradiction:
                continue
            self.run(branch)


def _to_grid(cands: list[int]) -> np.ndarray:
    return np.array([m.bit_length() for m in cands], dtype=np.int8).reshape(9, 9)


def _search(
    grid: np.ndarray, limit: int, rng: np.random.Generator | None = None, max_guesses: int | None = None
) -> _Search:
    search = _Search(limit, rng, max_guesses)
    try:
        cands = _initial(grid)
    except Contradiction:
        return search
    search.run(cands)
    return search


def count_solutions(grid: np.ndarray, limit: int = 2, max_guesses: int | None = None) -> int:
    """Number of solutions of one ``(9, 9)`` grid, counted up to ``limit`` (2 decides uniqueness).

    Args:
        grid: the puzzle, 0 for a blank.
        limit: stop counting at this many solutions.
        max_guesses: give up after this many guesses of the search (None: search to the end).

    Raises:
        ValueError: a malformed or contradictory grid, or no answer within ``max_guesses`` guesses.
    """
    try:
        return len(_search(check_grid(grid), limit, max_guesses=max_guesses).solutions)
    except SearchLimit:
        raise ValueError(
            f"the exact search gave up after {max_guesses} guesses without deciding how many solutions the puzzle "
            "has (it most likely has none: a puzzle with one solution takes a few hundred guesses at most)"
        ) from None


def grade(grid: np.ndarray) -> int:
    """Guesses the solver makes on one puzzle: 0 when naked and hidden singles alone solve it."""
    return _search(check_grid(grid), 1).guesses


def check_grid(grid: np.ndarray) -> np.ndarray:
    """One grid ``(9, 9)`` of integers 0..9 with no digit twice in a unit, as int8; else one clear ValueError."""
    grid = np.asarray(grid)
    if grid.shape != (9, 9):
        raise ValueError(f"a Sudoku grid is 9x9, got shape {grid.shape}")
    if not np.issubdtype(grid.dtype, np.integer) or grid.min() < 0 or grid.max() > 9:
        raise ValueError("Sudoku cells must be integers 0 (blank) to 9")
    flat = grid.reshape(81)
    for name, unit in zip(_UNIT_NAMES, UNITS, strict=True):
        digits = flat[list(unit)]
        digits = digits[digits > 0]
        if len(np.unique(digits)) != len(digits):
            twice = np.bincount(digits, minlength=10).argmax()
            raise ValueError(f"contradiction: digit {twice} appears twice in {name}")
    return grid.astype(np.int8)


def check_batch(grids: np.ndarray) -> np.ndarray:
    """A batch ``(B, 9, 9)`` (or one grid) of integers 0..9, as int8 ``(B, 9, 9)``; contradictions not checked."""
    grids = np.asarray(grids)
    if grids.shape[-2:] != (9, 9) or grids.ndim not in (2, 3):
        raise ValueError(f"Sudoku grids are (B, 9, 9) or (9, 9), got shape {grids.shape}")
    if grids.ndim == 2:
        grids = grids[None]
    if not np.issubdtype(grids.dtype, np.integer) or (grids.size and (grids.min() < 0 or grids.max() > 9)):
        raise ValueError("Sudoku cells must be integers 0 (blank) to 9")
    return grids.astype(np.int8)


def validate(grids: np.ndarray) -> np.ndarray:
    """Checks puzzles a user hands in: format, contradictions, and exactly one solution each.

    The uniqueness check is bounded (:data:`MAX_GUESSES`), so a grid that keeps the exact search busy is refused
    in under a second rather than searched for minutes.

    Returns the batch as int8 ``(B, 9, 9)``; raises ValueError naming the puzzle and the problem.
    """
    grids = check_batch(grids)
    for index, grid in enumerate(grids):
        where = f"puzzle {index}: " if len(grids) > 1 else ""
        try:
            count = count_solutions(grid, max_guesses=MAX_GUESSES)
        except ValueError as error:
            raise ValueError(where + str(error)) from None
        if count != 1:
            problem = "has no solution" if count == 0 else "has several solutions"
            raise ValueError(f"{where}the puzzle {problem}")
    return grids


def solve(grids: np.ndarray) -> np.ndarray:
    """The unique solutions of a batch of valid puzzles (see :func:`validate`), int8 ``(B, 9, 9)``."""
    return np.stack([_to_grid(_search(grid, 1).solutions[0]) for grid in validate(grids)])


def random_grid(rng: np.random.Generator) -> np.ndarray:
    """A uniformly shuffled search's completed grid ``(9, 9)``."""
    return _to_grid(_search(np.zeros((9, 9), dtype=np.int8), 1, rng).solutions[0])


def _remove_while_unique(puzzle: np.ndarray, givens: int, rng: np.random.Generator) -> int:
    """Blanks the givens of a flat ``puzzle`` in random order, each only if the solution stays unique, until
    ``givens`` are left or none can go; returns how many are left."""
    left = int((puzzle > 0).sum())
    for cell in rng.permutation(np.flatnonzero(puzzle)):
        if left == givens:
            break
        digit = puzzle[cell]
        puzzle[cell] = 0
        if len(_search(puzzle, 2).solutions) == 1:
            left -= 1
        else:
            puzzle[cell] = digit
    return left


def _check_givens(givens: int) -> None:
    if isinstance(givens, bool) or not isinstance(givens, (int, np.integer)) or not 17 <= givens <= 81:
        raise ValueError(f"givens must be an integer from 17 to 81, got {givens!r}")


def make_puzzle(
    givens: int, rng: np.random.Generator, max_grids: int = 1000, climbs: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """One ``(puzzle, solution)`` with exactly ``givens`` givens and a unique solution.

    Blanks cells of a random grid while the solution stays unique. When the puzzle becomes minimal above
    ``givens``, it climbs down: put one blanked digit back and blank again in a new random order (a net
    loss when two can go), up to ``climbs`` times per grid, before starting over with a new grid.

    Raises ValueError for ``givens`` outside 17..81 and RuntimeError if ``max_grids`` grids all stayed
    above ``givens``.
    """
    _check_givens(givens)
    for _ in range(max_grids):
        solution = random_grid(rng).reshape(81)
        puzzle = solution.copy()
        left = _remove_while_unique(puzzle, givens, rng)
        for _ in range(climbs if left > givens else 0):
            cell = rng.choice(np.flatnonzero(puzzle == 0))
            puzzle[cell] = solution[cell]
            left = _remove_while_unique(puzzle, givens, rng)
            if left == givens:
                break
        if left == givens:
            return puzzle.reshape(9, 9), solution.reshape(9, 9)
    raise RuntimeError(f"no {givens}-given puzzle in {max_grids} grids")


def _seeded_puzzle(job: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    givens, seed = job
    return make_puzzle(givens, np.random.default_rng(seed))


def generate(
    count: int, givens: int, rng: np.random.Generator | int | None = None, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` fresh ``(puzzles, solutions)``, each int8 ``(count, 9, 9)``, unique solutions, ``givens`` givens.

    ``rng`` is a numpy Generator or a seed, as for the other families. Every puzzle has its own seed drawn from
    it, so ``workers`` (spawned processes) changes the speed, never the puzzles.
    """
    _check_givens(givens)
    rng = np.random.default_rng(rng)
    jobs = [(givens, int(seed)) for seed in rng.integers(0, 2**63, size=count)]
    if workers > 1 and count > 1:
        context = multiprocessing.get_context("spawn")
        with context.Pool(min(workers, count), initializer=quiet_worker, initargs=(None, ())) as pool:
            pairs = pool.map(_seeded_puzzle, jobs, chunksize=max(1, count // (8 * workers)))
    else:
        pairs = [_seeded_puzzle(job) for job in jobs]
    if not pairs:
        return np.zeros((0, 9, 9), np.int8), np.zeros((0, 9, 9), np.int8)
    puzzles, solutions = zip(*pairs, strict=True)
    return np.stack(puzzles), np.stack(solutions)


def shuffle_equivalent(
    puzzles: np.ndarray, solutions: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each pair under its own random symmetry: digits relabelled, bands and stacks permuted, rows and columns
    permuted within them, and a transpose half the time. Givens count, uniqueness and difficulty are kept, so
    a few generated puzzles become many distinct training puzzles at the cost of an index."""
    count = len(puzzles)
    digits = 1 + rng.permuted(np.tile(np.arange(9), (count, 1)), axis=1)
    relabel = np.concatenate([np.zeros((count, 1), np.int64), digits], axis=1)  # blank stays blank

    def lines() -> np.ndarray:
        bands = rng.permuted(np.tile(np.arange(3), (count, 1)), axis=1)
        within = rng.permuted(np.tile(np.arange(3), (count, 3, 1)), axis=2)
        return (3 * bands[:, :, None] + within).reshape(count, 9)

    rows, cols = lines(), lines()
    transpose = rng.random(count) < 0.5
    batch = np.arange(count)[:, None, None]

    def apply(grids: np.ndarray) -> np.ndarray:
        out = np.take_along_axis(relabel, grids.reshape(count, 81).astype(np.int64), 1).reshape(count, 9, 9)
        out = out[batch, rows[:, :, None], cols[:, None, :]]
        out[transpose] = out[transpose].transpose(0, 2, 1)
        return out.astype(np.int8)

    return apply(np.asarray(puzzles)), apply(np.asarray(solutions))
