"""The grader's pattern techniques: singles, locked candidates (pointing, claiming), naked and hidden subsets,
and fish (X-wing, swordfish). Each finder returns the first :class:`~puzzles.sudoku_marks.Step` it sees, or None.
"""

from __future__ import annotations

from itertools import combinations

from puzzles.sudoku import UNITS
from puzzles.sudoku_marks import (
    BOXES,
    CELL_UNITS,
    COLUMNS,
    DIGITS,
    POPCOUNT,
    ROWS,
    UNIT_BITS,
    Position,
    Step,
    Technique,
    cells_of,
)


# --------------------------------------------------------------------------------------------------- singles
def naked_single(position: Position) -> Step | None:
    """An open cell with one candidate left."""
    for cell, mask in enumerate(position.cands):
        if not position.digits[cell] and POPCOUNT[mask] == 1:
            return Step(Technique.NAKED_SINGLE, placements=((cell, mask.bit_length()),))
    return None


def hidden_single(position: Position) -> Step | None:
    """A digit with one place left in a unit."""
    for digit in range(1, 10):
        places = position.positions(digit)
        for unit in UNIT_BITS:
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
            cells = places & UNIT_BITS[unit]
            if cells & (cells - 1) == 0:  # none or a single
                continue
            first = cells.bit_length() - 1
            for kind in lines:
                line = next(u for u in CELL_UNITS[first] if u in kind)
                if cells & ~UNIT_BITS[line]:
                    continue
                removed = places & UNIT_BITS[line] & ~UNIT_BITS[unit]
                if removed:
                    return Step(technique, eliminations=tuple((cell, digit) for cell in cells_of(removed)))
    return None


def pointing(position: Position) -> Step | None:
    return _locked(position, Technique.POINTING, BOXES, (ROWS, COLUMNS))


def claiming(position: Position) -> Step | None:
    return _locked(position, Technique.CLAIMING, range(18), (BOXES,))


# ------------------------------------------------------------------------------------------------- subsets
def naked_subset(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` open cells of a unit whose candidates together are ``size`` digits: those digits leave the unit's
    other cells."""
    cands, digits = position.cands, position.digits
    for unit in UNITS:
        open_cells = [cell for cell in unit if not digits[cell]]
        small = [cell for cell in open_cells if POPCOUNT[cands[cell]] <= size]
        for group in combinations(small, size):
            union = 0
            for cell in group:
                union |= cands[cell]
            if POPCOUNT[union] != size:
                continue
            removed = tuple((cell, d) for cell in open_cells if cell not in group for d in DIGITS[cands[cell] & union])
            if removed:
                return Step(technique, eliminations=removed)
    return None


def hidden_subset(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` digits whose places in a unit are together ``size`` cells: those cells lose their other
    candidates."""
    for unit in UNIT_BITS:
        places = {d: position.positions(d) & unit for d in range(1, 10)}
        few = [d for d, cells in places.items() if cells and cells.bit_count() <= size]
        for group in combinations(few, size):
            union = 0
            for d in group:
                union |= places[d]
            if union.bit_count() != size:
                continue
            keep = sum(1 << (d - 1) for d in group)
            removed = tuple((cell, d) for cell in cells_of(union) for d in DIGITS[position.cands[cell] & ~keep])
            if removed:
                return Step(technique, eliminations=removed)
    return None


# ---------------------------------------------------------------------------------------------------- fish
def _line_indices(cells: int, rows: bool) -> int:
    """The 9-bit set of columns (``rows=True``) or rows an 81-bit set of cells occupies."""
    indices = 0
    for cell in cells_of(cells):
        indices |= 1 << (cell % 9 if rows else cell // 9)
    return indices


def fish(position: Position, size: int, technique: Technique) -> Step | None:
    """``size`` rows in which a digit's places lie in ``size`` columns together (or the same with rows and
    columns swapped): the digit leaves those columns outside these rows."""
    for digit in range(1, 10):
        places = position.positions(digit)
        for base_units, cover_units in ((ROWS, COLUMNS), (COLUMNS, ROWS)):
            spans = {}
            for unit in base_units:
                cells = places & UNIT_BITS[unit]
                if 2 <= cells.bit_count() <= size:
                    spans[unit] = _line_indices(cells, base_units is ROWS)
            for group in combinations(spans, size):
                cover = 0
                for unit in group:
                    cover |= spans[unit]
                if POPCOUNT[cover] != size:
                    continue
                base = sum(UNIT_BITS[unit] for unit in group)
                covered = sum(UNIT_BITS[cover_units[i]] for i in range(9) if cover >> i & 1)
                removed = places & covered & ~base
                if removed:
                    return Step(technique, eliminations=tuple((cell, digit) for cell in cells_of(removed)))
    return None
