"""Shared fixtures: small networks and one-thread torch so the suite is quick and repeatable."""

import chess
import numpy as np
import pytest
import torch

from puzzles.storage import save_arrays


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
