"""The material lookahead that grades mined puzzles."""

import chess
import pytest

from puzzles.lookahead import lookahead_plies, material


def test_material_counts_for_the_side_to_move():
    board = chess.Board("4k3/8/8/8/8/8/8/R3K2q w - - 0 1")  # white rook against black queen
    assert material(board) == 5 - 9
    board.turn = chess.BLACK
    assert material(board) == 9 - 5


def test_taking_a_free_queen_needs_one_ply():
    board = chess.Board("4k3/8/8/3q4/8/8/8/3RK3 w - - 0 1")
    assert lookahead_plies(board, chess.Move.from_uci("d1d5")) == 1


def test_a_defended_piece_is_not_free_at_one_ply():
    # Rxd5 wins a knight for nothing; Rxe5 takes a knight the d6 pawn defends: only two plies tell them apart
    board = chess.Board("4k3/8/3p4/3nn3/8/8/8/3RRK2 w - - 0 1")
    assert lookahead_plies(board, chess.Move.from_uci("d1d5")) == 2
    assert lookahead_plies(board, chess.Move.from_uci("e1e5"), max_plies=3) == 4  # never better than the free one


def test_a_back_rank_mate_in_two_needs_three_plies():
    board = chess.Board("2r3k1/5ppp/8/8/8/8/4RPPP/4R1K1 w - - 0 1")  # Re8+ Rxe8 Rxe8#
    assert lookahead_plies(board, chess.Move.from_uci("e2e8")) == 3


def test_an_illegal_move_is_a_clear_error():
    with pytest.raises(ValueError, match="not legal"):
        lookahead_plies(chess.Board(), chess.Move.from_uci("e2e5"))
