"""Balanced opening positions for paired matches, made with Stockfish (no book is downloaded).

Each candidate opening is a seeded walk of ``plies`` moves, each drawn among Stockfish's best few moves (so the
openings are plausible and varied); it is kept when a deeper search scores it within ``max_cp`` of equality and
it is new. Both colours play every opening in a paired match, which cancels what imbalance remains.
"""

from __future__ import annotations

from pathlib import Path

import chess
import chess.engine
import numpy as np

from puzzles.engine import find_stockfish
from puzzles.storage import atomic_write


def make_openings(
    count: int,
    seed: int = 0,
    plies: tuple[int, int] = (6, 10),
    candidates_per_move: int = 4,
    walk_nodes: int = 2_000,
    check_nodes: int = 50_000,
    max_cp: int = 60,
    engine_path: str | None = None,
) -> list[str]:
    """``count`` distinct balanced openings as EPD strings (deterministic for a seed and a Stockfish build)."""
    rng = np.random.default_rng(seed)
    found: dict[str, None] = {}
    with chess.engine.SimpleEngine.popen_uci(engine_path or find_stockfish()) as engine:
        engine.configure({"Threads": 1, "Hash": 16})
        attempts = 0
        while len(found) < count:
            attempts += 1
            if attempts > 50 * count:
                raise ValueError(f"found only {len(found)} balanced openings in {attempts} attempts")
            board = chess.Board()
            for _ in range(int(rng.integers(plies[0], plies[1] + 1))):
                engine.configure({"Clear Hash": None})
                lines = engine.analyse(board, chess.engine.Limit(nodes=walk_nodes), multipv=candidates_per_move)
                moves = [line["pv"][0] for line in lines if "pv" in line]
                board.push(moves[rng.integers(len(moves))])
            if board.is_game_over():
                continue
            engine.configure({"Clear Hash": None})
            score = engine.analyse(board, chess.engine.Limit(nodes=check_nodes))["score"].white()
            if not score.is_mate() and abs(score.score()) <= max_cp:  # type: ignore[arg-type]
                found.setdefault(board.epd(), None)
    return list(found)


def write_openings(path: str | Path, openings: list[str], header: str) -> None:
    """Writes an EPD opening file atomically, with ``header`` as ``#`` comment lines."""
    text = "".join(f"# {line}\n" for line in header.splitlines()) + "".join(f"{epd}\n" for epd in openings)
    atomic_write(path, lambda tmp: tmp.write_text(text))
