"""Chess positions labelled at a ladder of Stockfish node budgets, from realistic games, generated resumably.

The targets that let a recurrent player's later iterations learn more than its earlier ones: every position
holds Stockfish's best move and score after searches of growing size (:data:`LADDER`, each 4x the last), so a
trainer can supervise iteration ``t`` with a deeper search than iteration ``t - 1``, and the game's result from
the side to move's view for value targets.

Games are realistic: each opens with a seeded walk of a few plies among Stockfish's best few moves (plausible,
varied openings, not the arena's evaluation openings), then each side plays the best move of one rung of the
ladder (drawn per game and side, so strong meets weak and the network sees blunders punished), with an
occasional uniformly random move; some games have one side play at random throughout (lopsided positions).
A game that reaches ``max_ply`` is adjudicated by the top rung's score.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import chess
import numpy as np

from puzzles.chess_game import game_result
from puzzles.chunked import run_seeded_chunks
from puzzles.engine import MATE_SCORE, UciSearch
from puzzles.storage import load_arrays, save_arrays

#: Node budgets of the ladder, shallow to deep.
LADDER = (32, 128, 512, 2048, 8192)
ARRAYS = ("fens", "moves", "scores", "results")


@dataclass(frozen=True)
class LadderConfig:
    """Settings of the labelled games (recorded in the data card).

    Attributes:
        budgets: node budgets of the ladder, shallow to deep.
        opening_plies: each game opens with U{low..high} plies, each drawn among the best ``opening_choices``
            moves of an ``opening_nodes`` search.
        random_side_rate: chance that one side plays uniformly at random throughout.
        random_move_rate: otherwise, chance that a move is uniformly random.
        max_ply: a game stops here and is adjudicated by the top rung's score (``adjudicate_cp``).
    """

    budgets: tuple[int, ...] = LADDER
    opening_plies: tuple[int, int] = (4, 10)
    opening_choices: int = 4
    opening_nodes: int = 256
    random_side_rate: float = 0.15
    random_move_rate: float = 0.03
    max_ply: int = 240
    adjudicate_cp: int = 400

    def to_dict(self) -> dict:
        return asdict(self)


def score_to_value(score: int, scale_cp: float = 400.0) -> float:
    """A ladder score (centipawns for the side to move, mates as ``+-(MATE_SCORE - n)``) as a value in -1..1."""
    if abs(score) >= MATE_SCORE - 1_000:
        return 1.0 if score > 0 else -1.0
    return math.tanh(score / scale_cp)


class LadderLabeller(UciSearch):
    """Plays and labels seeded games with one Stockfish process (one labeller per worker)."""

    def __init__(self, config: LadderConfig = LadderConfig(), engine_path: str | None = None) -> None:
        super().__init__(engine_path)
        self.config = config

    def label(self, board: chess.Board) -> tuple[list[str], list[int]]:
        """Best moves (UCI) and scores of ``board`` at every rung, shallow to deep (one search per rung, the
        hash kept between them, as iterative deepening would)."""
        moves, scores = [], []
        for nodes in self.config.budgets:
            (score, move), *_ = self.lines(board, nodes)
            moves.append(move.uci() if move is not None else "")
            scores.append(score)
        return moves, scores

    def _opening(self, rng: np.random.Generator) -> chess.Board:
        cfg = self.config
        board = chess.Board()
        for _ in range(int(rng.integers(cfg.opening_plies[0], cfg.opening_plies[1] + 1))):
            lines = self.lines(board, cfg.opening_nodes, multipv=cfg.opening_choices)
            moves = [move for _, move in lines if move is not None]
            if not moves:
                break
            board.push(moves[rng.integers(len(moves))])
        return board

    def play_game(self, rng: np.random.Generator) -> dict[str, list]:
        """One seeded game: per position its FEN, ladder moves and scores, and the result for the side to move."""
        cfg = self.config
        self.clear_hash()  # a game's searches depend on its seed only
        board = self._opening(rng)
        rung = {colour: int(rng.integers(len(cfg.budgets))) for colour in (chess.WHITE, chess.BLACK)}
        random_side = bool(rng.integers(2)) if rng.random() < cfg.random_side_rate else None
        fens, moves, scores, turns = [], [], [], []
        while game_result(board) is None and board.ply() < cfg.max_ply:
            ladder_moves, ladder_scores = self.label(board)
            fens.append(board.fen())
            moves.append(ladder_moves)
            scores.append(ladder_scores)
            turns.append(board.turn)
            legal = list(board.legal_moves)
            if board.turn == random_side or rng.random() < cfg.random_move_rate or not ladder_moves[rung[board.turn]]:
                board.push(legal[rng.integers(len(legal))])
            else:
                board.push(chess.Move.from_uci(ladder_moves[rung[board.turn]]))
        result = game_result(board)
        if result is None:  # adjudicated by the last position's deepest score, for the side to move there
            top = scores[-1][-1] if scores else 0
            white_score = top if board.turn == chess.WHITE else -top
            result = "1/2-1/2" if abs(white_score) < cfg.adjudicate_cp else ("1-0" if white_score > 0 else "0-1")
        white = {"1-0": 1.0, "0-1": 0.0, "1/2-1/2": 0.5}[result]
        results = [white if turn == chess.WHITE else 1.0 - white for turn in turns]
        return {"fens": fens, "moves": moves, "scores": scores, "results": results}


# ----------------------------------------------------------------------------------------------- chunks
_WORKER: LadderLabeller | None = None


def _start_worker(config: LadderConfig) -> None:
    global _WORKER
    _WORKER = LadderLabeller(config)


def chunk_name(index: int) -> str:
    return f"ladder_{index:05d}.npz"


def chunk_split(index: int) -> str:
    """The split a chunk's games belong to: one chunk in twenty is ``"validation"`` (budgets and checkpoints are
    chosen there), one ``"test"`` (reported only), the rest ``"training"``."""
    return {19: "validation", 18: "test"}.get(index % 20, "training")


def _label_chunk(job: tuple[int, int, int, str]) -> tuple[int, int]:
    """Plays one chunk of games (seeded by ``(seed, chunk, game)``) into its .npz; returns (chunk, positions)."""
    index, seed, games, folder = job
    assert _WORKER is not None
    rows: dict[str, list] = {name: [] for name in ARRAYS}
    for game in range(games):
        for name, values in _WORKER.play_game(np.random.default_rng([seed, index, game])).items():
            rows[name] += values
    rungs = len(_WORKER.config.budgets)
    save_arrays(
        Path(folder) / chunk_name(index),
        fens=np.array(rows["fens"], dtype="<U100"),
        moves=np.array(rows["moves"], dtype="<U5").reshape(-1, rungs),
        scores=np.array(rows["scores"], dtype=np.int32).reshape(-1, rungs),
        results=np.array(rows["results"], dtype=np.float32),
    )
    return index, len(rows["fens"])


def generate_ladder(
    folder: str | Path,
    chunks: int,
    games_per_chunk: int,
    seed: int,
    config: LadderConfig = LadderConfig(),
    workers: int = 1,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    """Labels ``chunks`` chunks of games into ``folder``, skipping chunks already written (resumable)."""
    run_seeded_chunks(
        folder, chunks, games_per_chunk, seed, chunk_name, _label_chunk, workers, _start_worker, (config,), on_chunk
    )


def load_ladder(folder: str | Path, chunks: list[int] | None = None) -> dict[str, np.ndarray]:
    """The chunks of ``folder`` (all, or the listed indices) joined in chunk order: ``fens`` (N,), ``moves``
    (N, rungs) UCI, ``scores`` (N, rungs) int32, ``results`` (N,) and ``chunk`` (each position's chunk index).

    Raises:
        FileNotFoundError: the folder holds none of the chunks.
    """
    paths = sorted(Path(folder).glob("ladder_[0-9][0-9][0-9][0-9][0-9].npz"))
    if chunks is not None:
        wanted = set(chunks)
        paths = [p for p in paths if int(p.stem.split("_")[1]) in wanted]
    if not paths:
        raise FileNotFoundError(f"no ladder-labelled positions in {folder}; make them with scripts/label_ladder.py")
    parts = [load_arrays(path, ARRAYS) for path in paths]
    joined = {name: np.concatenate([part[name] for part in parts]) for name in ARRAYS}
    index = [int(p.stem.split("_")[1]) for p in paths]
    joined["chunk"] = np.repeat(index, [len(part["results"]) for part in parts])
    return joined
