"""Chess puzzles as a problem's data: FEN batches checked, answers that carry their position, and a puzzle set
split into held-out and training shares sorted by difficulty. numpy and python-chess only.

``agents.problems.ChessPuzzles`` turns these into network tensors; everything here is the data side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import chess
import numpy as np

from puzzles.chess_game import parse_position
from puzzles.chess_puzzles import HELD_OUT_SPLITS, PuzzleRow, held_out_split, mirror_files, read_lichess_rows


class PuzzleMove(str):
    """A UCI move string that carries the FEN it is played in.

    It compares, hashes and prints as the plain UCI string (the native answer), but the target map is drawn
    from the side to move's view, which a UCI string alone does not tell. Carrying the position inside the
    answer lets ``encode_target(targets[index])`` work as the trainer and evaluation call it, with the
    ``Problem`` API unchanged for every family.
    """

    fen: str

    def __new__(cls, uci: str, fen: str) -> PuzzleMove:
        move = super().__new__(cls, uci)
        move.fen = fen
        return move

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickling and copies keep the FEN
        return str(self), self.fen


def puzzle_answers(fens: np.ndarray | list[str], moves: np.ndarray | list[str]) -> np.ndarray:
    """UCI ``moves`` paired with their positions, as an object array of :class:`PuzzleMove`."""
    answers = np.empty(len(moves), dtype=object)
    answers[:] = [PuzzleMove(str(move), str(fen)) for fen, move in zip(fens, moves, strict=True)]
    return answers


def fen_batch(inputs: np.ndarray) -> tuple[np.ndarray, list[chess.Board]]:
    """A batch as a 1-D object array of FENs and their boards, each checked to be a playable position.

    Raises:
        TypeError: one string instead of a batch, or a board instead of a FEN.
        ValueError: a batch that is not 1-D, or a FEN that is malformed, impossible or over (named by index).
    """
    if isinstance(inputs, str):
        raise TypeError("chess puzzles come as a batch of FEN strings (a list or 1-D array), not one string")
    array = np.asarray(inputs, dtype=object)
    if array.ndim != 1:
        raise ValueError(f"chess puzzles are a 1-D batch of FEN strings, got shape {array.shape}")
    fens, boards = np.empty(len(array), dtype=object), []
    for index, fen in enumerate(array):
        if isinstance(fen, chess.Board):
            raise TypeError(f"the position at index {index} is a board; chess puzzles come as FEN strings")
        boards.append(parse_position(fen, f"the position at index {index}"))
        fens[index] = str(fen)
    return fens, boards


@dataclass(frozen=True)
class PuzzleShare:
    """One share (held out or training) of a puzzle set, sorted by difficulty so a level is a slice."""

    name: str  # for messages: "held-out puzzles of FILE"
    levels: np.ndarray  # int64, sorted
    rows: tuple[PuzzleRow, ...]  # replayed when drawn

    def counts(self) -> str:
        values, counts = np.unique(self.levels, return_counts=True)
        return ", ".join(f"{v} ({c})" for v, c in zip(values, counts, strict=True)) or "none"

    def draw(self, count: int, low: int | None, high: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``count`` puzzles with ``low <= difficulty <= high`` (no lower bound for None) as ``(FENs, answers)``;
        without replacement when there are enough."""
        start = 0 if low is None else int(np.searchsorted(self.levels, low, side="left"))
        stop = int(np.searchsorted(self.levels, high, side="right"))
        available = stop - start
        if available == 0:
            wanted = f"difficulty {high}" if low is not None else f"difficulty at most {high}"
            raise ValueError(f"none of the {self.name} has {wanted}; difficulties (puzzles): {self.counts()}")
        chosen = [self.rows[i].puzzle for i in start + rng.choice(available, size=count, replace=count > available)]
        fens = np.empty(count, dtype=object)
        fens[:] = [p.fen for p in chosen]
        return fens, puzzle_answers(fens, [p.best_move for p in chosen])


@dataclass(frozen=True)
class PuzzleShares:
    """A puzzle set's three disjoint shares (:func:`puzzles.chess_puzzles.held_out_split`)."""

    validation: PuzzleShare
    test: PuzzleShare
    training: PuzzleShare

    def split(self, name: str) -> PuzzleShare:
        """The held-out share called ``name`` (``"validation"`` or ``"test"``)."""
        if name not in HELD_OUT_SPLITS:
            raise ValueError(f"a held-out split is one of {HELD_OUT_SPLITS}, got {name!r}")
        return getattr(self, name)


def mate_depth(row: PuzzleRow) -> int | None:
    """N of the row's ``mateInN`` theme, or None for a puzzle that is no forced mate."""
    for theme in row.themes:
        if theme.startswith("mateIn") and theme[6:].isdigit():
            return int(theme[6:])
    return None


#: What a puzzle's level (the problem's ``size``) is read from: the rating column, or the mate depth (puzzles that
#: are no forced mate have none and are left out).
LEVELS = {"difficulty": lambda row: round(row.difficulty), "mate": mate_depth}

#: Loaded sets, keyed by file, modification time and level.
_SETS: dict[tuple[str, int, str], PuzzleShares] = {}


def puzzle_shares(path: Path, level: str = "difficulty") -> PuzzleShares:
    """The validation, test and training shares of a Lichess-format puzzle file
    (:func:`puzzles.chess_puzzles.held_out_split` splits them), each sorted by ``level`` (a key of
    :data:`LEVELS`), read once per file, modification time and level.

    Raises:
        FileNotFoundError: no file at ``path`` (the message says how to mine one).
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"no chess puzzle set at {path}: mine one with `python scripts/mine_chess_puzzles.py --output "
            "puzzles/data/chess_puzzles.csv.gz`, or point $DEEPTHINK_CHESS_PUZZLES at a Lichess-format CSV"
        )
    level_of = LEVELS[level]
    key = (str(path.resolve()), path.stat().st_mtime_ns, level)
    if key not in _SETS:
        leveled = [(n, r) for r in read_lichess_rows(path) if (n := level_of(r)) is not None]
        leveled.sort(key=lambda pair: pair[0])
        shares = {}
        for split in (*HELD_OUT_SPLITS, None):
            chosen = [(n, r) for n, r in leveled if held_out_split(r.puzzle_id) == split]
            levels = np.array([n for n, _ in chosen], dtype=np.int64)
            name = f"{split or 'training'} puzzles of {path}"
            shares[split or "training"] = PuzzleShare(name, levels, tuple(r for _, r in chosen))
        _SETS[key] = PuzzleShares(**shares)
    return _SETS[key]


def clear_puzzle_shares() -> None:
    """Forgets loaded puzzle sets (for tests, or after rewriting a file in place)."""
    _SETS.clear()


def mirror_some(fens: np.ndarray, answers: np.ndarray, share: float, rng: np.random.Generator) -> None:
    """Mirrors each puzzle left to right in place with probability ``share``
    (:func:`puzzles.chess_puzzles.mirror_files`; a puzzle that cannot be mirrored stays as it is)."""
    for index in np.flatnonzero(rng.random(len(fens)) < share):
        mirrored = mirror_files(fens[index], str(answers[index]))
        if mirrored is not None:
            fens[index] = mirrored[0]
            answers[index] = PuzzleMove(mirrored[1], mirrored[0])
