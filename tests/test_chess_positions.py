"""Stockfish-labelled positions and balanced openings (skipped without Stockfish)."""

import chess
import numpy as np
import pytest

from puzzles.chess_game import read_openings
from puzzles.chess_positions import PositionConfig, PositionLabeller, generate_positions, load_positions
from puzzles.engine import find_stockfish
from puzzles.openings import make_openings, write_openings


def _have_stockfish() -> bool:
    try:
        find_stockfish()
    except FileNotFoundError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _have_stockfish(), reason="Stockfish is not installed (apt-get install stockfish)")
QUICK = PositionConfig(label_nodes=30, max_ply=16)


def test_labelled_games_hold_legal_best_moves_and_bounded_values():
    with PositionLabeller(QUICK) as labeller:
        rows = labeller.play_game(np.random.default_rng(0))
        again = labeller.play_game(np.random.default_rng(0))
    assert 0 < len(rows) <= 16
    assert [fen for fen, _, _ in rows] == [fen for fen, _, _ in again]  # seeded games
    for fen, move, value in rows:
        assert chess.Move.from_uci(move) in chess.Board(fen).legal_moves and -1 <= value <= 1


def test_chunks_are_written_once_and_load_together(tmp_path):
    reported = []
    generate_positions(tmp_path, 2, 1, 0, QUICK, workers=1, on_chunk=lambda i, n: reported.append((i, n)))
    data = load_positions(tmp_path)
    assert sorted(i for i, _ in reported) == [0, 1] and len(data["fens"]) == sum(n for _, n in reported)
    generate_positions(tmp_path, 2, 1, 0, QUICK, workers=1, on_chunk=lambda i, n: reported.append((i, n)))
    assert len(reported) == 2  # nothing left to do: resumed


def test_openings_are_distinct_balanced_positions(tmp_path):
    openings = make_openings(3, seed=0, plies=(2, 4), walk_nodes=50, check_nodes=500, max_cp=150)
    assert len(set(openings)) == 3
    write_openings(tmp_path / "o.epd", openings, "test")
    boards = read_openings(tmp_path / "o.epd")
    assert [b.epd() for b in boards] == openings and all(2 <= len(b.piece_map()) for b in boards)
