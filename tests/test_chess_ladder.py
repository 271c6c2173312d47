"""Ladder-labelled chess positions: every rung's move is legal, scores and results are consistent, chunks
resume and repeat exactly."""

import chess
import numpy as np

from puzzles.chess_ladder import LadderConfig, LadderLabeller, generate_ladder, load_ladder, score_to_value
from puzzles.engine import MATE_SCORE

SMALL = LadderConfig(budgets=(8, 64), opening_plies=(2, 4), opening_nodes=32, max_ply=40)


def test_a_game_is_labelled_at_every_rung_with_legal_moves():
    with LadderLabeller(SMALL) as labeller:
        game = labeller.play_game(np.random.default_rng(3))
    assert len(game["fens"]) == len(game["moves"]) == len(game["scores"]) == len(game["results"]) > 0
    for fen, moves, scores in zip(game["fens"], game["moves"], game["scores"], strict=True):
        board = chess.Board(fen)
        assert len(moves) == len(scores) == 2
        assert all(chess.Move.from_uci(m) in board.legal_moves for m in moves)
    # Results alternate with the side to move: one result for the game, seen from each side.
    turns = [chess.Board(f).turn for f in game["fens"]]
    white = {r if t == chess.WHITE else 1 - r for r, t in zip(game["results"], turns, strict=True)}
    assert len(white) == 1 and white <= {0.0, 0.5, 1.0}


def test_chunks_resume_and_repeat_exactly(tmp_path):
    generate_ladder(tmp_path / "a", 2, 1, seed=5, config=SMALL)
    first = load_ladder(tmp_path / "a")
    (tmp_path / "a" / "ladder_00001.npz").unlink()  # a killed run lost its last chunk
    generate_ladder(tmp_path / "a", 2, 1, seed=5, config=SMALL)
    again = load_ladder(tmp_path / "a")
    for name in ("fens", "moves", "scores", "results", "chunk"):
        assert np.array_equal(first[name], again[name]), name
    assert first["moves"].shape == (len(first["fens"]), 2) and set(first["chunk"]) == {0, 1}
    assert np.array_equal(load_ladder(tmp_path / "a", chunks=[1])["fens"], first["fens"][first["chunk"] == 1])


def test_scores_become_values_for_the_side_to_move():
    assert score_to_value(0) == 0 and score_to_value(MATE_SCORE - 3) == 1 and score_to_value(-MATE_SCORE + 1) == -1
    assert 0 < score_to_value(100) < score_to_value(400) < 1
