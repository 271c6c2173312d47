"""Stockfish-labelled chess positions for the policy's supervised warm start, generated offline and resumably.

Positions come from seeded games of three kinds, so the network sees openings, middlegames, endgames and the
lopsided positions a strong side meets against a weak one: each game opens with a few uniformly random plies,
then either both sides play the engine's move (with an occasional random move), or one side plays uniformly at
random throughout. Every position of every game is labelled with Stockfish's best move and its score as a
value in -1..1 (``tanh(centipawns / 400)``, a mate = +-1) for the side to move.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import chess
import chess.engine
import numpy as np

from puzzles.chess_game import game_result
from puzzles.chunked import run_seeded_chunks
from puzzles.engine import StockfishProcess
from puzzles.storage import load_arrays, save_arrays

ARRAYS = ("fens", "moves", "values")


@dataclass(frozen=True)
class PositionConfig:
    """Settings of the labelled games (recorded in the data card).

    Attributes:
        label_nodes: Stockfish nodes per position (the label is its best move at this budget).
        max_opening_plies: each game opens with U{0..this} uniformly random plies.
        random_side_rate: chance that one side of a game (either colour) plays uniformly at random throughout.
        random_move_rate: otherwise, chance that a move is a random one instead of the engine's.
        max_ply: games stop at this ply.
        value_scale_cp: the value is ``tanh(cp / value_scale_cp)``.
    """

    label_nodes: int = 1_500
    max_opening_plies: int = 8
    random_side_rate: float = 0.35
    random_move_rate: float = 0.1
    max_ply: int = 200
    value_scale_cp: float = 400.0

    def to_dict(self) -> dict:
        return asdict(self)


def score_to_value(score: chess.engine.PovScore, turn: chess.Color, scale_cp: float) -> float:
    """An engine score as the side to move's expected outcome in -1..1."""
    relative = score.pov(turn)
    if relative.is_mate():
        return 1.0 if relative.mate() > 0 else -1.0  # type: ignore[operator]
    return math.tanh(relative.score() / scale_cp)  # type: ignore[operator]


class PositionLabeller(StockfishProcess):
    """Plays and labels seeded games with one Stockfish process (one labeller per worker)."""

    def __init__(self, config: PositionConfig = PositionConfig(), engine_path: str | None = None) -> None:
        super().__init__(engine_path)
        self.config = config

    def label(self, board: chess.Board) -> tuple[chess.Move, float]:
        """Stockfish's best move and the value of ``board`` for the side to move."""
        info = self.engine.analyse(board, chess.engine.Limit(nodes=self.config.label_nodes))
        return info["pv"][0], score_to_value(info["score"], board.turn, self.config.value_scale_cp)

    def play_game(self, rng: np.random.Generator) -> list[tuple[str, str, float]]:
        """One seeded game as ``(fen, best move in UCI, value)`` per position."""
        cfg = self.config
        self.engine.configure({"Clear Hash": None})  # a game's searches depend on its seed only
        board = chess.Board()
        for _ in range(int(rng.integers(0, cfg.max_opening_plies + 1))):
            moves = list(board.legal_moves)
            if not moves:
                break
            board.push(moves[rng.integers(len(moves))])
        random_side = rng.choice([chess.WHITE, chess.BLACK]) if rng.random() < cfg.random_side_rate else None
        rows = []
        while game_result(board) is None and board.ply() < cfg.max_ply:
            best, value = self.label(board)
            rows.append((board.fen(), best.uci(), value))
            if board.turn == random_side or rng.random() < cfg.random_move_rate:
                moves = list(board.legal_moves)
                board.push(moves[rng.integers(len(moves))])
            else:
                board.push(best)
        return rows


# ----------------------------------------------------------------------------------------------- chunks
_WORKER: PositionLabeller | None = None


def _start_worker(config: PositionConfig) -> None:
    global _WORKER
    _WORKER = PositionLabeller(config)


def chunk_name(index: int) -> str:
    return f"positions_{index:05d}.npz"


def _label_chunk(job: tuple[int, int, int, str]) -> tuple[int, int]:
    """Plays one chunk of games (seeded by ``(seed, chunk, game)``) into its .npz; returns (chunk, positions)."""
    index, seed, games, folder = job
    assert _WORKER is not None
    rows = []
    for game in range(games):
        rows += _WORKER.play_game(np.random.default_rng([seed, index, game]))
    fens, moves, values = zip(*rows, strict=True) if rows else ((), (), ())
    save_arrays(
        Path(folder) / chunk_name(index),
        fens=np.array(fens, dtype="<U100"),
        moves=np.array(moves, dtype="<U5"),
        values=np.array(values, dtype=np.float32),
    )
    return index, len(rows)


def generate_positions(
    folder: str | Path,
    chunks: int,
    games_per_chunk: int,
    seed: int,
    config: PositionConfig,
    workers: int = 2,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    """Labels ``chunks`` chunks of games into ``folder``, skipping chunks already written (resumable)."""
    run_seeded_chunks(
        folder, chunks, games_per_chunk, seed, chunk_name, _label_chunk, workers, _start_worker, (config,), on_chunk
    )


def load_positions(folder: str | Path) -> dict[str, np.ndarray]:
    """All chunks of ``folder`` joined in chunk order: ``fens``, ``moves`` (UCI), ``values`` and ``chunk`` (each
    position's chunk index).

    Raises:
        FileNotFoundError: the folder holds no chunk.
    """
    paths = sorted(Path(folder).glob("positions_*.npz"))
    if not paths:
        raise FileNotFoundError(f"no labelled positions in {folder}; generate them with scripts/label_positions.py")
    parts = [load_arrays(path, ARRAYS) for path in paths]
    joined = {name: np.concatenate([part[name] for part in parts]) for name in ARRAYS}
    joined["chunk"] = np.repeat(np.arange(len(parts)), [len(part["values"]) for part in parts])
    return joined
