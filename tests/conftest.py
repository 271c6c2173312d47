"""Shared fixtures: small networks and one-thread torch so the suite is quick and repeatable."""

import chess
import numpy as np
import pytest
import torch

from puzzles.storage import save_arrays
from tests.helpers import train_tiny_chess_solver, write_chess_puzzles


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture
def labelled_positions(tmp_path):
    """Three chunks of positions labelled with a fixed rule (the first legal move in UCI order), no Stockfish."""
    folder = tmp_path / "positions"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(3):
        fens, moves, values = [], [], []
        board = chess.Board()
        while len(fens) < 16:
            legal = sorted(board.legal_moves, key=chess.Move.uci)
            if not legal or board.ply() > 30:
                board = chess.Board()
                continue
            fens.append(board.fen())
            moves.append(legal[0].uci())
            values.append(float(rng.uniform(-1, 1)))
            board.push(legal[rng.integers(len(legal))])
        save_arrays(
            folder / f"positions_{index:05d}.npz",
            fens=np.array(fens),
            moves=np.array(moves),
            values=np.array(values, dtype=np.float32),
        )
    return folder


@pytest.fixture
def chess_puzzle_csv(tmp_path, monkeypatch):
    """The hand-made puzzle set of ``tests.helpers`` as the ``chess_puzzles`` problem's data
    (``$DEEPTHINK_CHESS_PUZZLES``), its cache cleared before and after."""
    from agents.problems import ChessPuzzles

    path = write_chess_puzzles(tmp_path / "puzzles.csv")
    monkeypatch.setenv("DEEPTHINK_CHESS_PUZZLES", str(path))
    ChessPuzzles.clear_cache()
    yield path
    ChessPuzzles.clear_cache()


@pytest.fixture(scope="session")
def tiny_chess_solver(tmp_path_factory):
    """The checkpoint of a tiny ``chess_puzzles`` run on the hand-made set, trained once per session."""
    from agents.problems import ChessPuzzles

    folder = tmp_path_factory.mktemp("tiny_chess_solver")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEEPTHINK_CHESS_PUZZLES", str(write_chess_puzzles(folder / "puzzles.csv")))
        ChessPuzzles.clear_cache()
        stem, _ = train_tiny_chess_solver(folder / "run")
    ChessPuzzles.clear_cache()
    return stem
