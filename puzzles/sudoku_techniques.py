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

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from itertools import combinations

import numpy as np

from puzzles.sudoku import PEERS, UNITS, check_grid, count_solutions

ALL = 0x1FF
_POPCOUNT = tuple(bin(mask).count("1") for mask in range(512))
_DIGITS = tuple(tuple(d + 1 for d in range(9) if mask >> d & 1) for mask in range(512))
_UNIT_BITS = tuple(sum(1 << cell for cell in unit) for unit in UNITS)
_PEER_BITS = tuple(sum(1 << peer for peer in peers) for peers in PEERS)
_ROWS, _COLUMNS, _BOXES = range(0, 9), range(9, 18), range(18, 27)
#: The row, column and box (unit indices into ``UNITS``) of each cell.
_CELL_UNITS = tuple((cell // 9, 9 + cell % 9, 18 + 3 * (cell // 27) + cell % 9 // 3) for cell in range(81))


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


def _cells(bits: int) -> Iterator[int]:
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
            ("." if not digit and _POPCOUNT[mask] == 1 else "") + "".join(map(str, _DIGITS[mask]))
            for mask, digit in zip(self.cands, self.digits, strict=True)
        ]
        return "\n".join(" ".join(f"{token:<9}" for token in tokens[9 * r : 9 * r + 9]).rstrip() for r in range(9))

    def positions(self, digit: int) -> int:
        """The open cells that list ``digit``, as an 81-bit set."""
        if self._positions is None:
            positions = [0] * 10
            for cell, mask in enumerate(self.cands):
                if not self.digits[cell]:
                    for d in _DIGITS[mask]:
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

    def find(self, technique: Technique) -> Step | None:
        """The first step ``technique`` finds here (one that places a digit or removes a candidate), or None."""
        return _FINDERS[technique](self)

    def next_step(self) -> Step | None:
        """The step of the easiest technique that makes progress, or None when all of them are stuck."""
        for technique in Technique:
            step = self.find(technique)
            if step is not None:
                return step
        return None


# --------------------------------------------------------------------------------------------------- singles
def _naked_single(position: Position) -> Step | None:
    """An open cell with one candidate left."""
    for cell, mask in enumerate(position.cands):
        if not position.digits[cell] and _POPCOUNT[mask] == 1:
            return Step(Technique.NAKED_SINGLE, placements=((cell, mask.bit_length()),))
    return None


def _hidden_single(position: Position) -> Step | None:
    """A digit with one place left in a unit."""
    for digit in range(1, 10):
        places = position.positions(digit)
        for unit in _UNIT_BITS:
            cells = places & unit
            if cells and not cells & (cells - 1):
                return Step(Technique.HIDDEN_SINGLE, placements=((cells.bit_length() - 1, digit),))
    return None


# ---------------------------------------------------------------------------------------- locked candidates
def _locked(position: Position, technique: Technique, units: range, lines: tuple[range, ...]) -> Step | None:
    """A digit whose places in a unit of ``units`` all lie in one unit of ``lines``: it leaves the rest of that
    line (pointing: box to row or column; claiming: row or column to box)."""
    for digit in range(1, 10):
        places = position.positions(digit)
        for unit in units:
            cells = places & _UNIT_BITS[unit]
            if cells & (cells - 1) == 0:  # none or a single
                continue
            first = cells.bit_length() - 1
            for kind in lines:
                line = next(u for u in _CELL_UNITS[first] if u in kind)
                if cells & ~_UNIT_BITS[line]:
                    continue
                removed = places & _UNIT_BITS[line] & ~_UNIT_BITS[unit]
                if removed:
                    return Step(technique, eliminations=tuple((cell, digit) for cell in _cells(removed)))
    return None


def _pointing(position: Position) -> Step | None:
    return _locked(position, Technique.POINTING, _BOXES, (_ROWS, _COLUMNS))


def _claiming(position: Position) -> Step | None:
    return _locked(position, Technique.CLAIMING, range(18), (_BOXES,))


# ------------------------------------------------------------------------------------------------- subsets
def _naked_subset(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` open cells of a unit whose candidates together are ``size`` digits: those digits leave the unit's
    other cells."""
    cands, digits = position.cands, position.digits
    for unit in UNITS:
        open_cells = [cell for cell in unit if not digits[cell]]
        small = [cell for cell in open_cells if _POPCOUNT[cands[cell]] <= size]
        for group in combinations(small, size):
            union = 0
            for cell in group:
                union |= cands[cell]
            if _POPCOUNT[union] != size:
                continue
            removed = tuple((cell, d) for cell in open_cells if cell not in group for d in _DIGITS[cands[cell] & union])
            if removed:
                return Step(technique, eliminations=removed)
    return None


def _hidden_subset(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` digits whose places in a unit are together ``size`` cells: those cells lose their other
    candidates."""
    for unit in _UNIT_BITS:
        places = {d: position.positions(d) & unit for d in range(1, 10)}
        few = [d for d, cells in places.items() if cells and cells.bit_count() <= size]
        for group in combinations(few, size):
            union = 0
            for d in group:
                union |= places[d]
            if union.bit_count() != size:
                continue
            keep = sum(1 << (d - 1) for d in group)
            removed = tuple((cell, d) for cell in _cells(union) for d in _DIGITS[position.cands[cell] & ~keep])
            if removed:
                return Step(technique, eliminations=removed)
    return None


# ---------------------------------------------------------------------------------------------------- fish
def _line_indices(cells: int, rows: bool) -> int:
    """The 9-bit set of columns (``rows=True``) or rows an 81-bit set of cells occupies."""
    indices = 0
    for cell in _cells(cells):
        indices |= 1 << (cell % 9 if rows else cell // 9)
    return indices


def _fish(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` rows in which a digit's places lie in ``size`` columns together (or the same with rows and
    columns swapped): the digit leaves those columns outside these rows."""
    for digit in range(1, 10):
        places = position.positions(digit)
        for base_units, cover_units in ((_ROWS, _COLUMNS), (_COLUMNS, _ROWS)):
            spans = {}
            for unit in base_units:
                cells = places & _UNIT_BITS[unit]
                if 2 <= cells.bit_count() <= size:
                    spans[unit] = _line_indices(cells, base_units is _ROWS)
            for group in combinations(spans, size):
                cover = 0
                for unit in group:
                    cover |= spans[unit]
                if _POPCOUNT[cover] != size:
                    continue
                base = sum(_UNIT_BITS[unit] for unit in group)
                covered = sum(_UNIT_BITS[cover_units[i]] for i in range(9) if cover >> i & 1)
                removed = places & covered & ~base
                if removed:
                    return Step(technique, eliminations=tuple((cell, digit) for cell in _cells(removed)))
    return None


# -------------------------------------------------------------------------------------------------- chains
def _conflicts(position: Position, cell: int, digit: int) -> dict[int, int]:
    """The candidates that cannot hold if ``digit`` is in ``cell``, as digit -> 81-bit set of cells."""
    conflicts = {digit: position.positions(digit) & _PEER_BITS[cell]}
    for other in _DIGITS[position.cands[cell]]:
        if other != digit:
            conflicts[other] = 1 << cell
    return conflicts


def _either(position: Position, first: tuple[int, int], second: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """The candidates to remove when at least one of two candidates ``(cell, digit)`` is true: those that
    conflict with both."""
    one, two = _conflicts(position, *first), _conflicts(position, *second)
    return tuple((cell, digit) for digit in sorted(one.keys() & two.keys()) for cell in _cells(one[digit] & two[digit]))


Node = tuple[int, int]  # a candidate (cell, digit)


def _alternating(
    start: Node, strong: Callable[[Node], list[Node]], weak: Callable[[Node], list[Node]]
) -> Iterator[Node]:
    """Breadth-first along alternating links from ``start`` assumed false: a strong link from a false candidate
    makes its partner true, a weak link from a true candidate makes its partner false. Yields each candidate
    proved true this way, nearest first; with ``start`` false it is true, so at least one of the two holds."""
    seen = {(start, False)}
    queue = deque(seen)
    while queue:
        node, true = queue.popleft()
        for partner in weak(node) if true else strong(node):
            state = (partner, not true)
            if state not in seen:
                seen.add(state)
                queue.append(state)
                if not true:
                    yield partner


def _chain_step(
    position: Position,
    technique: Technique,
    starts: list[Node],
    strong: Callable[[Node], list[Node]],
    weak: Callable[[Node], list[Node]],
) -> Step | None:
    """The first alternating chain, from the first start that has one, whose two ends rule a candidate out."""
    for start in starts:
        for end in _alternating(start, strong, weak):
            removed = _either(position, start, end)
            if removed:
                return Step(technique, eliminations=removed)
    return None


def _x_chain(position: Position) -> Step | None:
    """One digit: strong links join its only two places in a unit, weak links any two places that see each
    other; the two ends of a chain that starts and ends with a strong link hold the digit between them."""
    for digit in range(1, 10):
        places = position.positions(digit)

        def strong(node: Node, places: int = places) -> list[Node]:
            partners = []
            for unit in _CELL_UNITS[node[0]]:
                cells = places & _UNIT_BITS[unit]
                if cells.bit_count() == 2:
                    partners.append(((cells & ~(1 << node[0])).bit_length() - 1, node[1]))
            return partners

        def weak(node: Node, places: int = places) -> list[Node]:
            return [(cell, node[1]) for cell in _cells(places & _PEER_BITS[node[0]])]

        step = _chain_step(position, Technique.X_CHAIN, [(cell, digit) for cell in _cells(places)], strong, weak)
        if step is not None:
            return step
    return None


def _bivalue_cells(position: Position) -> list[int]:
    return [cell for cell, mask in enumerate(position.cands) if not position.digits[cell] and _POPCOUNT[mask] == 2]


def _xy_chain(position: Position) -> Step | None:
    """Bivalue cells: a strong link from one candidate of a cell to its other, a weak link to the same digit in
    a bivalue peer; the ends of a chain hold at least one of their two candidates."""
    bivalue = _bivalue_cells(position)
    bivalue_bits = sum(1 << cell for cell in bivalue)

    def strong(node: Node) -> list[Node]:
        cell, digit = node
        return [(cell, (position.cands[cell] & ~(1 << (digit - 1))).bit_length())]

    def weak(node: Node) -> list[Node]:
        cell, digit = node
        peers = bivalue_bits & position.positions(digit) & _PEER_BITS[cell]
        return [(peer, digit) for peer in _cells(peers)]

    starts = [(cell, digit) for cell in bivalue for digit in _DIGITS[position.cands[cell]]]
    return _chain_step(position, Technique.XY_CHAIN, starts, strong, weak)


def _xy_wing(position: Position) -> Step | None:
    """A bivalue pivot {x, y} seeing bivalue pincers {x, z} and {y, z}: z leaves every cell seeing both pincers."""
    cands = position.cands
    bivalue = _bivalue_cells(position)
    for pivot in bivalue:
        pincers = [cell for cell in bivalue if _PEER_BITS[pivot] >> cell & 1]
        for first, second in combinations(pincers, 2):
            z = cands[first] & cands[second]
            if _POPCOUNT[z] != 1 or z & cands[pivot] or (cands[first] | cands[second]) & ~z != cands[pivot]:
                continue
            digit = z.bit_length()
            removed = position.positions(digit) & _PEER_BITS[first] & _PEER_BITS[second]
            if removed:
                return Step(Technique.XY_WING, eliminations=tuple((cell, digit) for cell in _cells(removed)))
    return None


# ------------------------------------------------------------------------------------------ forcing chains
def _close_singles(position: Position) -> None:
    """Naked and hidden singles until none is left; raises :class:`Contradiction` when a rule breaks."""
    cands, digits = position.cands, position.digits
    progress = True
    while progress:
        progress = False
        for cell in range(81):
            if not digits[cell] and _POPCOUNT[cands[cell]] == 1:
                position.place(cell, cands[cell].bit_length())
                progress = True
        for unit in UNITS:
            placed = once = twice = 0
            for cell in unit:
                if digits[cell]:
                    placed |= cands[cell]
                else:
                    twice |= once & cands[cell]
                    once |= cands[cell]
            if once | placed != ALL:
                raise Contradiction
            single = once & ~twice
            for cell in unit:
                bit = cands[cell] & single
                if bit and not digits[cell]:
                    if _POPCOUNT[bit] > 1:
                        raise Contradiction
                    position.place(cell, bit.bit_length())
                    progress = True


def _branch(position: Position, cell: int, digit: int) -> Position | None:
    """The position after placing ``digit`` in ``cell`` and every single that follows, or None on a
    contradiction."""
    branch = position.copy()
    try:
        branch.place(cell, digit)
        _close_singles(branch)
    except Contradiction:
        return None
    return branch


def _alternatives(position: Position) -> Iterator[tuple[Node, Node]]:
    """Pairs of candidates of which exactly one holds: bivalue cells, then digits with two places in a unit."""
    for cell in _bivalue_cells(position):
        first, second = _DIGITS[position.cands[cell]]
        yield (cell, first), (cell, second)
    seen = set()
    for digit in range(1, 10):
        places = position.positions(digit)
        for unit in _UNIT_BITS:
            cells = places & unit
            if cells.bit_count() == 2 and cells not in seen:
                seen.add(cells)
                first, second = _cells(cells)
                yield (first, digit), (second, digit)


def _agreement(position: Position, one: Position, two: Position) -> Step | None:
    """What two branches both prove: digits both place, candidates both remove."""
    placements, eliminations = [], []
    for cell in range(81):
        if position.digits[cell]:
            continue
        if one.digits[cell] and one.digits[cell] == two.digits[cell]:
            placements.append((cell, one.digits[cell]))
        else:
            gone = position.cands[cell] & ~one.cands[cell] & ~two.cands[cell]
            eliminations.extend((cell, d) for d in _DIGITS[gone])
    if placements or eliminations:
        return Step(Technique.FORCING_CHAIN, tuple(placements), tuple(eliminations))
    return None


def _forcing_chain(position: Position) -> Step | None:
    """For two candidates of which one must hold, propagate each by singles alone: a branch that breaks a rule
    proves the other; otherwise whatever both branches place or remove is proved."""
    for first, second in _alternatives(position):
        one, two = _branch(position, *first), _branch(position, *second)
        if one is None and two is None:
            raise Contradiction
        if one is None or two is None:
            return Step(Technique.FORCING_CHAIN, placements=(second if one is None else first,))
        step = _agreement(position, one, two)
        if step is not None:
            return step
    return None


_FINDERS: dict[Technique, Callable[[Position], Step | None]] = {
    Technique.NAKED_SINGLE: _naked_single,
    Technique.HIDDEN_SINGLE: _hidden_single,
    Technique.POINTING: _pointing,
    Technique.CLAIMING: _claiming,
    Technique.NAKED_PAIR: lambda p: _naked_subset(p, 2, Technique.NAKED_PAIR),
    Technique.NAKED_TRIPLE: lambda p: _naked_subset(p, 3, Technique.NAKED_TRIPLE),
    Technique.HIDDEN_PAIR: lambda p: _hidden_subset(p, 2, Technique.HIDDEN_PAIR),
    Technique.HIDDEN_TRIPLE: lambda p: _hidden_subset(p, 3, Technique.HIDDEN_TRIPLE),
    Technique.X_WING: lambda p: _fish(p, 2, Technique.X_WING),
    Technique.SWORDFISH: lambda p: _fish(p, 3, Technique.SWORDFISH),
    Technique.XY_WING: _xy_wing,
    Technique.X_CHAIN: _x_chain,
    Technique.XY_CHAIN: _xy_chain,
    Technique.FORCING_CHAIN: _forcing_chain,
}


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
            step = position.next_step()
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
