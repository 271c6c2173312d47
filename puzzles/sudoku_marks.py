"""Sudoku pencil marks for the human-style grader: a :class:`Position`, the techniques and grades by name, a
:class:`Step`, and the bit tables the techniques share.

Pencil marks use 9-bit masks (bit ``d - 1`` for digit ``d``) and sets of cells use 81-bit integers (bit
``9 * row + column``); cells are numbered 0..80 in reading order. The techniques themselves are in
:mod:`puzzles.sudoku_patterns` and :mod:`puzzles.sudoku_chains`; :mod:`puzzles.sudoku_techniques` grades with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from puzzles.sudoku import PEERS, UNITS, check_grid

ALL = 0x1FF
POPCOUNT = tuple(bin(mask).count("1") for mask in range(512))
DIGITS = tuple(tuple(d + 1 for d in range(9) if mask >> d & 1) for mask in range(512))
UNIT_BITS = tuple(sum(1 << cell for cell in unit) for unit in UNITS)
PEER_BITS = tuple(sum(1 << peer for peer in peers) for peers in PEERS)
ROWS, COLUMNS, BOXES = range(0, 9), range(9, 18), range(18, 27)
#: The row, column and box (unit indices into ``UNITS``) of each cell.
CELL_UNITS = tuple((cell // 9, 9 + cell % 9, 18 + 3 * (cell // 27) + cell % 9 // 3) for cell in range(81))


class Grade(IntEnum):
    """Difficulty tiers, ranked 1 (easiest) to 9: the tier of the hardest technique a puzzle needs."""

    NAKED_SINGLES = 1
    HIDDEN_SINGLES = 2
    LOCKED_CANDIDATES = 3
    NAKED_SUBSETS = 4
    HIDDEN_SUBSETS = 5
    FISH = 6
    CHAINS = 7
    FORCING_CHAINS = 8
    BEYOND_CHAINS = 9

    @property
    def label(self) -> str:
        """The tier's name in words, e.g. ``"locked candidates"``."""
        return self.name.lower().replace("_", " ")


class Technique(IntEnum):
    """The techniques in the order the grader tries them (easiest first)."""

    NAKED_SINGLE = 1
    HIDDEN_SINGLE = 2
    POINTING = 3
    CLAIMING = 4
    NAKED_PAIR = 5
    NAKED_TRIPLE = 6
    HIDDEN_PAIR = 7
    HIDDEN_TRIPLE = 8
    X_WING = 9
    SWORDFISH = 10
    XY_WING = 11
    X_CHAIN = 12
    XY_CHAIN = 13
    FORCING_CHAIN = 14

    @property
    def grade(self) -> Grade:
        """The tier this technique belongs to."""
        return _TECHNIQUE_GRADES[self]

    @property
    def label(self) -> str:
        """The technique's name in words, e.g. ``"x wing"``."""
        return self.name.lower().replace("_", " ")


_TECHNIQUE_GRADES = {
    Technique.NAKED_SINGLE: Grade.NAKED_SINGLES,
    Technique.HIDDEN_SINGLE: Grade.HIDDEN_SINGLES,
    Technique.POINTING: Grade.LOCKED_CANDIDATES,
    Technique.CLAIMING: Grade.LOCKED_CANDIDATES,
    Technique.NAKED_PAIR: Grade.NAKED_SUBSETS,
    Technique.NAKED_TRIPLE: Grade.NAKED_SUBSETS,
    Technique.HIDDEN_PAIR: Grade.HIDDEN_SUBSETS,
    Technique.HIDDEN_TRIPLE: Grade.HIDDEN_SUBSETS,
    Technique.X_WING: Grade.FISH,
    Technique.SWORDFISH: Grade.FISH,
    Technique.XY_WING: Grade.CHAINS,
    Technique.X_CHAIN: Grade.CHAINS,
    Technique.XY_CHAIN: Grade.CHAINS,
    Technique.FORCING_CHAIN: Grade.FORCING_CHAINS,
}


def cell_name(cell: int) -> str:
    """A cell's name in the usual notation, ``r1c1`` .. ``r9c9``."""
    return f"r{cell // 9 + 1}c{cell % 9 + 1}"


@dataclass(frozen=True)
class Step:
    """One deduction: the technique, the digits it places and the candidates it removes, as ``(cell, digit)``."""

    technique: Technique
    placements: tuple[tuple[int, int], ...] = ()
    eliminations: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        placed = [f"{cell_name(cell)}={digit}" for cell, digit in self.placements]
        removed = [f"{cell_name(cell)}<>{digit}" for cell, digit in self.eliminations]
        return f"{self.technique.label}: " + ", ".join(placed + removed)


class Contradiction(Exception):
    """A position breaks the rules: an open cell without candidates, or a digit with no place in a unit."""


def cells_of(bits: int) -> Iterator[int]:
    """The cells of an 81-bit set, in increasing order."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


class Position:
    """Pencil marks: the placed digits and the candidates of every open cell.

    Invariant: no open cell lists a digit placed among its peers, and every open cell has a candidate. Build one
    with :meth:`from_puzzle` or :meth:`from_candidates`; :meth:`apply` plays a :class:`Step`.
    """

    __slots__ = ("cands", "digits", "_positions")

    def __init__(self, cands: list[int], digits: list[int]) -> None:
        """Wraps 81 candidate masks and 81 digits (0 = open) as they are, unchecked: the low-level constructor."""
        self.cands, self.digits = cands, digits
        self._positions: list[int] | None = None

    @classmethod
    def from_puzzle(cls, puzzle: np.ndarray) -> Position:
        """The position of a puzzle's givens: each given placed, every other cell open with the digits its peers
        allow. Raises ValueError for a bad grid (see :func:`puzzles.sudoku.check_grid`) or an open cell that no
        digit fits."""
        position = cls([ALL] * 81, [0] * 81)
        try:
            for cell, digit in enumerate(check_grid(puzzle).reshape(81).tolist()):
                if digit:
                    position.place(cell, digit)
        except Contradiction:
            raise ValueError("the puzzle has no solution: a blank cell fits no digit") from None
        return position

    @classmethod
    def from_candidates(cls, text: str) -> Position:
        """A position written as 81 whitespace-separated tokens in reading order, each the candidate digits of a
        cell (``"1289"``). A token of one digit is a placed digit; a leading dot marks an open cell, as in
        ``".5"`` (an open cell with one candidate left, a naked single). Raises ValueError for a malformed text, a
        digit placed twice in a unit, or a candidate that a placed peer rules out."""
        if not isinstance(text, str):
            raise TypeError(f"a position is a text, got {type(text).__name__}")
        tokens = text.split()
        if len(tokens) != 81:
            raise ValueError(f"a position has 81 cells, got {len(tokens)} tokens")
        cands, digits = [], []
        for cell, token in enumerate(tokens):
            marks = token.removeprefix(".")
            if not marks or not set(marks) <= set("123456789") or len(set(marks)) != len(marks):
                raise ValueError(f"{cell_name(cell)}: {token!r} is not a set of distinct digits 1 to 9")
            cands.append(sum(1 << (int(d) - 1) for d in marks))
            digits.append(int(token) if len(token) == 1 else 0)
        position = cls(cands, digits)
        position._check()
        return position

    def _check(self) -> None:
        for cell, digit in enumerate(self.digits):
            if not digit:
                continue
            for peer in PEERS[cell]:
                if self.digits[peer] == digit:
                    raise ValueError(f"digit {digit} is placed at both {cell_name(cell)} and {cell_name(peer)}")
                if self.cands[peer] >> (digit - 1) & 1:
                    raise ValueError(f"{cell_name(peer)} lists {digit}, placed at its peer {cell_name(cell)}")

    def copy(self) -> Position:
        """An independent copy."""
        return Position(self.cands.copy(), self.digits.copy())

    @property
    def solved(self) -> bool:
        """Whether every cell holds a digit."""
        return all(self.digits)

    def grid(self) -> np.ndarray:
        """The placed digits as an int8 ``(9, 9)`` grid, 0 for an open cell."""
        return np.array(self.digits, dtype=np.int8).reshape(9, 9)

    def candidates(self) -> np.ndarray:
        """The pencil marks as a bool ``(9, 9, 9)`` array: ``[row, column, digit - 1]`` (a placed cell: its digit)."""
        bits = np.array(self.cands, dtype=np.int64)[:, None] >> np.arange(9) & 1
        return bits.astype(bool).reshape(9, 9, 9)

    def to_text(self) -> str:
        """The position in the format :meth:`from_candidates` reads, one row per line."""
        tokens = [
            ("." if not digit and POPCOUNT[mask] == 1 else "") + "".join(map(str, DIGITS[mask]))
            for mask, digit in zip(self.cands, self.digits, strict=True)
        ]
        return "\n".join(" ".join(f"{token:<9}" for token in tokens[9 * r : 9 * r + 9]).rstrip() for r in range(9))

    def positions(self, digit: int) -> int:
        """The open cells that list ``digit``, as an 81-bit set."""
        if self._positions is None:
            positions = [0] * 10
            for cell, mask in enumerate(self.cands):
                if not self.digits[cell]:
                    for d in DIGITS[mask]:
                        positions[d] |= 1 << cell
            self._positions = positions
        return self._positions[digit]

    def place(self, cell: int, digit: int) -> None:
        """Writes ``digit`` in ``cell`` and removes it from the peers' candidates; raises :class:`Contradiction`
        when the cell does not list it or a peer is left without candidates."""
        bit = 1 << (digit - 1)
        if not self.cands[cell] & bit or (self.digits[cell] and self.digits[cell] != digit):
            raise Contradiction
        self._positions = None
        self.digits[cell], self.cands[cell] = digit, bit
        for peer in PEERS[cell]:
            mask = self.cands[peer]
            if mask & bit and not self.digits[peer]:
                if mask == bit:
                    raise Contradiction
                self.cands[peer] = mask & ~bit

    def eliminate(self, cell: int, digit: int) -> None:
        """Removes ``digit`` from an open cell's candidates; raises :class:`Contradiction` if none are left."""
        mask = self.cands[cell] & ~(1 << (digit - 1))
        if not mask:
            raise Contradiction
        self._positions = None
        self.cands[cell] = mask

    def apply(self, step: Step) -> None:
        """Plays a step: its eliminations (those still listed), then its placements."""
        for cell, digit in step.eliminations:
            if not self.digits[cell] and self.cands[cell] >> (digit - 1) & 1:
                self.eliminate(cell, digit)
        for cell, digit in step.placements:
            if not self.digits[cell]:
                self.place(cell, digit)
