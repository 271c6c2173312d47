"""The grader's chain techniques: XY-wing, X-chain, XY-chain, and the bounded forcing chain (both alternatives
propagated by singles alone). Each finder returns the first :class:`~puzzles.sudoku_marks.Step` it sees, or None.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from itertools import combinations

from puzzles.sudoku import UNITS
from puzzles.sudoku_marks import (
    ALL,
    CELL_UNITS,
    DIGITS,
    PEER_BITS,
    POPCOUNT,
    UNIT_BITS,
    Contradiction,
    Position,
    Step,
    Technique,
    cells_of,
)


# -------------------------------------------------------------------------------------------------- chains
def _conflicts(position: Position, cell: int, digit: int) -> dict[int, int]:
    """The candidates that cannot hold if ``digit`` is in ``cell``, as digit -> 81-bit set of cells."""
    conflicts = {digit: position.positions(digit) & PEER_BITS[cell]}
    for other in DIGITS[position.cands[cell]]:
        if other != digit:
            conflicts[other] = 1 << cell
    return conflicts


def _either(position: Position, first: tuple[int, int], second: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """The candidates to remove when at least one of two candidates ``(cell, digit)`` is true: those that
    conflict with both."""
    one, two = _conflicts(position, *first), _conflicts(position, *second)
    return tuple(
        (cell, digit) for digit in sorted(one.keys() & two.keys()) for cell in cells_of(one[digit] & two[digit])
    )


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


def x_chain(position: Position) -> Step | None:
    """One digit: strong links join its only two places in a unit, weak links any two places that see each
    other; the two ends of a chain that starts and ends with a strong link hold the digit between them."""
    for digit in range(1, 10):
        places = position.positions(digit)

        def strong(node: Node, places: int = places) -> list[Node]:
            partners = []
            for unit in CELL_UNITS[node[0]]:
                cells = places & UNIT_BITS[unit]
                if cells.bit_count() == 2:
                    partners.append(((cells & ~(1 << node[0])).bit_length() - 1, node[1]))
            return partners

        def weak(node: Node, places: int = places) -> list[Node]:
            return [(cell, node[1]) for cell in cells_of(places & PEER_BITS[node[0]])]

        step = _chain_step(position, Technique.X_CHAIN, [(cell, digit) for cell in cells_of(places)], strong, weak)
        if step is not None:
            return step
    return None


def _bivalue_cells(position: Position) -> list[int]:
    return [cell for cell, mask in enumerate(position.cands) if not position.digits[cell] and POPCOUNT[mask] == 2]


def xy_chain(position: Position) -> Step | None:
    """Bivalue cells: a strong link from one candidate of a cell to its other, a weak link to the same digit in
    a bivalue peer; the ends of a chain hold at least one of their two candidates."""
    bivalue = _bivalue_cells(position)
    bivalue_bits = sum(1 << cell for cell in bivalue)

    def strong(node: Node) -> list[Node]:
        cell, digit = node
        return [(cell, (position.cands[cell] & ~(1 << (digit - 1))).bit_length())]

    def weak(node: Node) -> list[Node]:
        cell, digit = node
        peers = bivalue_bits & position.positions(digit) & PEER_BITS[cell]
        return [(peer, digit) for peer in cells_of(peers)]

    starts = [(cell, digit) for cell in bivalue for digit in DIGITS[position.cands[cell]]]
    return _chain_step(position, Technique.XY_CHAIN, starts, strong, weak)


def xy_wing(position: Position) -> Step | None:
    """A bivalue pivot {x, y} seeing bivalue pincers {x, z} and {y, z}: z leaves every cell seeing both pincers."""
    cands = position.cands
    bivalue = _bivalue_cells(position)
    for pivot in bivalue:
        pincers = [cell for cell in bivalue if PEER_BITS[pivot] >> cell & 1]
        for first, second in combinations(pincers, 2):
            z = cands[first] & cands[second]
            if POPCOUNT[z] != 1 or z & cands[pivot] or (cands[first] | cands[second]) & ~z != cands[pivot]:
                continue
            digit = z.bit_length()
            removed = position.positions(digit) & PEER_BITS[first] & PEER_BITS[second]
            if removed:
                return Step(Technique.XY_WING, eliminations=tuple((cell, digit) for cell in cells_of(removed)))
    return None


# ------------------------------------------------------------------------------------------ forcing chains
def _close_singles(position: Position) -> None:
    """Naked and hidden singles until none is left; raises :class:`Contradiction` when a rule breaks."""
    cands, digits = position.cands, position.digits
    progress = True
    while progress:
        progress = False
        for cell in range(81):
            if not digits[cell] and POPCOUNT[cands[cell]] == 1:
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
                    if POPCOUNT[bit] > 1:
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
        first, second = DIGITS[position.cands[cell]]
        yield (cell, first), (cell, second)
    seen = set()
    for digit in range(1, 10):
        places = position.positions(digit)
        for unit in UNIT_BITS:
            cells = places & unit
            if cells.bit_count() == 2 and cells not in seen:
                seen.add(cells)
                first, second = cells_of(cells)
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
            eliminations.extend((cell, d) for d in DIGITS[gone])
    if placements or eliminations:
        return Step(Technique.FORCING_CHAIN, tuple(placements), tuple(eliminations))
    return None


def forcing_chain(position: Position) -> Step | None:
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
