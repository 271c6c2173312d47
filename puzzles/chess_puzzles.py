"""Chess puzzles: the Lichess puzzle CSV format, read into positions with a unique solution line.

A Lichess row is ``PuzzleId,FEN,Moves,Rating,RatingDeviation,Popularity,NbPlays,Themes,GameUrl,OpeningTags``.
Its FEN is the position *before* the opponent's move ``Moves[0]``; the puzzle starts after that move, and the
solver's answer is ``Moves[1]``, then the line alternates the opponent's replies and the solver's moves.

The held-out split (:func:`is_held_out`) lives here, so the solver's problem and the environment agree on which
puzzles training never sees.
"""

from __future__ import annotations

import csv
import functools
import gzip
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import chess

LICHESS_COLUMNS = (
    "PuzzleId",
    "FEN",
    "Moves",
    "Rating",
    "RatingDeviation",
    "Popularity",
    "NbPlays",
    "Themes",
    "GameUrl",
    "OpeningTags",
)

#: One puzzle in this many is held out from training (validation, evaluation, held-out rollouts). A quarter,
#: not a tenth: the mined set's hardest levels hold about 1% of its puzzles each, and their test sets need
#: hundreds, while the easiest level alone has far more than training needs.
HELD_OUT_EVERY = 4


@dataclass(frozen=True)
class Puzzle:
    """One puzzle, ready to solve.

    Attributes:
        puzzle_id: the source's identifier.
        fen: the position the solver faces.
        line: the solution in UCI, the solver's move first, then reply and move alternately.
        difficulty: a rating (Lichess) or a mined difficulty score; higher is harder.
        themes: tags such as ``mateIn2`` or ``fork``.
    """

    puzzle_id: str
    fen: str
    line: tuple[str, ...]
    difficulty: float
    themes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def best_move(self) -> str:
        """The solver's first move (the original benchmark's target)."""
        return self.line[0]


#: The halves of the held-out share: budgets and checkpoints are chosen on one, results reported on the other.
HELD_OUT_SPLITS = ("validation", "test")


def is_held_out(puzzle_id: str) -> bool:
    """Whether a puzzle belongs to the held-out share: a fixed hash (CRC-32) of its id, so every run, file order
    and tool agrees without storing the split."""
    return zlib.crc32(puzzle_id.encode()) % HELD_OUT_EVERY == 0


def held_out_split(puzzle_id: str) -> str | None:
    """The held-out split of a puzzle (``"validation"`` or ``"test"``, halves of the held-out share by the same
    hash), or None for a training puzzle. A finite set needs disjoint splits: seeds alone would draw overlapping
    samples from one pool."""
    code = zlib.crc32(puzzle_id.encode())
    return HELD_OUT_SPLITS[code // HELD_OUT_EVERY % 2] if code % HELD_OUT_EVERY == 0 else None


def mirror_files(fen: str, move: str) -> tuple[str, str] | None:
    """The position and its best move reflected left to right (file a to h), or None for a castling move.

    Chess is symmetric under this reflection but for castling, so the mirror drops castling rights: a tactic's
    answer stays the answer (training data augmentation; the 12 piece planes carry no castling rights anyway).
    """
    board, best = chess.Board(fen), chess.Move.from_uci(move)
    if board.is_castling(best):
        return None
    mirrored = board.transform(chess.flip_horizontal)
    mirrored.castling_rights = chess.BB_EMPTY
    reflected = chess.Move(best.from_square ^ 7, best.to_square ^ 7, best.promotion)  # file f -> 7 - f
    return mirrored.fen(), reflected.uci()


def puzzle_from_lichess_row(row: dict[str, str]) -> Puzzle:
    """Turns one Lichess CSV row into a :class:`Puzzle`, checking every move of the line is legal.

    Raises:
        ValueError: naming the puzzle, for a bad FEN, a line shorter than two moves, or an illegal move.
    """
    return PuzzleRow.from_lichess(row).puzzle


@dataclass(frozen=True)
class PuzzleRow:
    """One row of a Lichess CSV as read, its id and difficulty ready but its moves not yet replayed.

    Replaying a line on a board costs about half a millisecond, so a set of a hundred thousand puzzles is read
    as rows (quick) and each puzzle replayed, and checked, the first time it is used (:attr:`puzzle`).

    Attributes:
        puzzle_id: the source's identifier.
        difficulty: the rating column.
        lichess_fen: the position *before* the opponent's move.
        moves: the opponent's move, then the solution line (UCI).
        themes: tags such as ``mateIn2``.
        where: ``file:line``, for error messages (empty for a row that came from elsewhere).
    """

    puzzle_id: str
    difficulty: float
    lichess_fen: str
    moves: tuple[str, ...]
    themes: tuple[str, ...] = ()
    where: str = ""

    @classmethod
    def from_lichess(cls, row: dict[str, str], where: str = "") -> PuzzleRow:
        """The row's columns; a missing or bad rating, or a line shorter than two moves, raises at once.

        Raises:
            ValueError: naming the puzzle (and ``where``).
        """
        puzzle_id = row.get("PuzzleId", "?")
        prefix = f"{where}: " if where else ""
        moves = tuple((row.get("Moves") or "").split())
        if len(moves) < 2:
            raise ValueError(f"{prefix}puzzle {puzzle_id}: needs the opponent's move and a solution, got {list(moves)}")
        try:
            rating = float(row.get("Rating") or 0)
        except ValueError as error:
            raise ValueError(f"{prefix}puzzle {puzzle_id}: bad rating {row.get('Rating')!r}") from error
        themes = tuple((row.get("Themes") or "").split())
        return cls(puzzle_id, rating, row.get("FEN") or "", moves, themes, where)

    @functools.cached_property
    def puzzle(self) -> Puzzle:
        """The puzzle after the opponent's move, replayed once and kept.

        Raises:
            ValueError: naming the puzzle (and where it was read), for a bad FEN or an illegal or malformed move.
        """
        prefix = f"{self.where}: " if self.where else ""
        try:
            board = chess.Board(self.lichess_fen)
        except ValueError as error:
            raise ValueError(f"{prefix}puzzle {self.puzzle_id}: bad FEN {self.lichess_fen!r} ({error})") from error
        start = ""
        for uci in self.moves:
            try:
                move = chess.Move.from_uci(uci)
            except ValueError as error:
                raise ValueError(f"{prefix}puzzle {self.puzzle_id}: malformed move {uci!r}") from error
            if not board.is_legal(move):
                raise ValueError(f"{prefix}puzzle {self.puzzle_id}: illegal move {uci} in {board.fen()}")
            board.push(move)
            start = start or board.fen()  # the puzzle starts after the opponent's move
        return Puzzle(self.puzzle_id, start, self.moves[1:], self.difficulty, self.themes)


class ReplayedPuzzles(Sequence[Puzzle]):
    """A sequence of puzzles over rows, each replayed on first access (:attr:`PuzzleRow.puzzle`)."""

    def __init__(self, rows: Sequence[PuzzleRow]) -> None:
        self.rows = tuple(rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int | slice) -> Puzzle | ReplayedPuzzles:  # type: ignore[override]
        if isinstance(index, slice):
            return ReplayedPuzzles(self.rows[index])
        return self.rows[index].puzzle


def read_lichess_csv(path: str | Path, limit: int | None = None) -> list[Puzzle]:
    """Reads puzzles from a Lichess puzzle CSV, plain or gzipped (with or without its header row), replaying
    and checking every line (:func:`read_lichess_rows` defers that to each puzzle's first use).

    Raises:
        FileNotFoundError: no such file.
        ValueError: a malformed row, named by its line number and puzzle id.
    """
    return [row.puzzle for row in read_lichess_rows(path, limit)]


def read_lichess_rows(path: str | Path, limit: int | None = None) -> tuple[PuzzleRow, ...]:
    """Reads a Lichess puzzle CSV as rows, quickly: each line is replayed and checked when its
    :attr:`PuzzleRow.puzzle` is first used. A file is read once per version (its modification time): every
    environment of a vectorised rollout shares the rows.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a row without a solution or with a bad rating, named by its line number and puzzle id.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such puzzle file: {path}")
    return _read_lichess_rows(str(path.resolve()), path.stat().st_mtime_ns, limit)


@functools.lru_cache(maxsize=4)
def _read_lichess_rows(path: str, version: int, limit: int | None) -> tuple[PuzzleRow, ...]:
    rows: list[PuzzleRow] = []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as handle:
        first = handle.readline()
        has_header = first.startswith("PuzzleId")
        handle.seek(0)
        reader = csv.DictReader(handle, fieldnames=None if has_header else LICHESS_COLUMNS)
        for number, row in enumerate(reader, start=2 if has_header else 1):
            if limit is not None and len(rows) >= limit:
                break
            rows.append(PuzzleRow.from_lichess(row, f"{path}:{number}"))
    return tuple(rows)
