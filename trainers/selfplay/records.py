"""What a self-play run leaves in its folder besides the training state: games as PGN, generation snapshots,
and the bookkeeping that keeps them consistent with the last checkpoint after a kill.

Layout of a run folder (config.json, state.pt and metrics.jsonl as in every run, :mod:`trainers.run`)::

    config.json                    the recipe (a resumed run must bring the same one)
    state.pt                       learner (weights, optimiser, generator), progress, Elo table (weights_only)
    buffer_<generation>.npz        the replay buffer of the last checkpoint (state.pt names it)
    generations/gen_<n>.*          published weights as checkpoints (generation 0, evaluated ones, the newest)
    games.pgn                      every self-play game
    metrics.jsonl                  one line per generation
    elo.json                       the evaluator's table: every match and the fitted ratings
"""

from __future__ import annotations

import os
from pathlib import Path

import chess
import chess.pgn

from trainers.selfplay.actors import GameSummary

#: What a self-play state.pt must hold (checked on load, before anything is used).
STATE_KEYS = ("progress", "learner", "elo")
PGN_FILE = "games.pgn"
ELO_FILE = "elo.json"
GENERATIONS_DIR = "generations"


def snapshot_stem(run_dir: Path, generation: int) -> Path:
    """``generations/gen_000012`` (a checkpoint stem)."""
    return run_dir / GENERATIONS_DIR / f"gen_{generation:06d}"


def buffer_file(generation: int, steps: int) -> str:
    """The buffer file of a checkpoint (a new name each time, so the one state.pt names is never overwritten)."""
    return f"buffer_{generation:06d}_{steps:09d}.npz"


def game_pgn(game: GameSummary, number: int) -> str:
    """One self-play game as PGN text."""
    start = chess.Board(game.start_fen)
    pgn = chess.pgn.Game()
    if game.start_fen != chess.STARTING_FEN:
        pgn.setup(start)
    name = f"gen {game.generation}"
    pgn.headers.update(
        {
            "Event": "deep-thinking self-play",
            "Site": "?",
            "Round": str(number),
            "White": name,
            "Black": name,
            "Result": game.result,
            "Termination": "adjudication" if game.termination == "ply_cap" else "normal",
            "PlyCount": str(game.plies),
            "Generation": str(game.generation),
            "Actor": str(game.actor),
        }
    )
    node: chess.pgn.GameNode = pgn
    for uci in game.moves:
        node = node.add_variation(chess.Move.from_uci(uci))
    node.comment = game.termination.replace("_", " ")
    return str(pgn) + "\n\n"


def append_pgn(run_dir: Path, games: list[GameSummary], first_number: int) -> int:
    """Appends games to ``games.pgn`` (numbered from ``first_number``); returns the file's size after."""
    path = run_dir / PGN_FILE
    with open(path, "a") as handle:
        handle.write("".join(game_pgn(game, first_number + i) for i, game in enumerate(games)))
        handle.flush()
        os.fsync(handle.fileno())
    return path.stat().st_size


def truncate_pgn(run_dir: Path, size: int) -> None:
    """Cuts ``games.pgn`` back to ``size`` bytes (games written after the last checkpoint are played again)."""
    path = run_dir / PGN_FILE
    if path.is_file() and path.stat().st_size > size:
        with open(path, "r+b") as handle:
            handle.truncate(size)
