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


def is_held_out(puzzle_id: str) -> bool:
    """Whether a puzzle belongs to the held-out share: a fixed hash (CRC-32) of its id, so every run, file order
    and tool agrees without storing the split."""
    return zlib.crc32(puzzle_id.encode()) % HELD_OUT_EVERY == 0


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
    puzzle_id = row.get("PuzzleId", "?")
    try:
        board = chess.Board(row["FEN"])
    except (KeyError, ValueError) as error:
        raise ValueError(f"puzzle {puzzle_id}: bad FEN {row.get('FEN')!r} ({error})") from error
    moves = row.get("Moves", "").split()
    if len(moves) < 2:
        raise ValueError(f"puzzle {puzzle_id}: needs the opponent's move and a solution, got {moves}")
    probe = board.copy()
    for uci in moves:
        try:
            move = chess.Move.from_uci(uci)
        except ValueError as error:
            raise ValueError(f"puzzle {puzzle_id}: malformed move {uci!r}") from error
        if not probe.is_legal(move):
            raise ValueError(f"puzzle {puzzle_id}: illegal move {uci} in {probe.fen()}")
        probe.push(move)
    board.push_uci(moves[0])
    try:
        rating = float(row.get("Rating") or 0)
    except ValueError as error:
        raise ValueError(f"puzzle {puzzle_id}: bad rating {row.get('Rating')!r}") from error
    return Puzzle(puzzle_id, board.fen(), tuple(moves[1:]), rating, tuple(row.get("Themes", "").split()))


def read_lichess_csv(path: str | Path, limit: int | None = None) -> list[Puzzle]:
    """Reads puzzles from a Lichess puzzle CSV, plain or gzipped (with or without its header row).

    A file is parsed and checked once per version (its modification time): every environment of a vectorised
    rollout reads the same set.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a malformed row, named by its line number and puzzle id.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such puzzle file: {path}")
    return list(_read_lichess_csv(str(path.resolve()), path.stat().st_mtime_ns, limit))


@functools.lru_cache(maxsize=4)
def _read_lichess_csv(path: str, version: int, limit: int | None) -> tuple[Puzzle, ...]:
    puzzles: list[Puzzle] = []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as handle:
        first = handle.readline()
        has_header = first.startswith("PuzzleId")
        handle.seek(0)
        reader = csv.DictReader(handle, fieldnames=None if has_header else LICHESS_COLUMNS)
        for number, row in enumerate(reader, start=2 if has_header else 1):
            if limit is not None and len(puzzles) >= limit:
                break
            try:
                puzzles.append(puzzle_from_lichess_row(row))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from error
    return tuple(puzzles)
