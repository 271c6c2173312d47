import random

import chess
import numpy as np
import pytest

from puzzles.chess_encoding import (
    NUM_ACTIONS,
    board_planes,
    decode_move,
    encode_move,
    legal_action_mask,
    move_target,
)
from puzzles.chess_game import board_from_planes, game_planes

SPECIAL_FENS = [
    "r3k2r/pppppppp/8/8/8/8/PPPPPPPP/R3K2R w KQkq - 0 1",  # castling both ways, White
    "r3k2r/pppppppp/8/8/8/8/PPPPPPPP/R3K2R b KQkq - 0 1",  # castling both ways, Black
    "1n2k3/P1P5/8/8/8/8/5p1p/3K2N1 w - - 0 1",  # White promotions with and without capture
    "1n2k3/P1P5/8/8/8/8/5p1p/3K2N1 b - - 0 1",  # Black promotions with and without capture
    "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2",  # White en passant
    "4k3/8/8/8/3Pp3/8/8/4K3 b - d3 0 2",  # Black en passant
]


def random_positions(count, seed):
    rng = random.Random(seed)
    boards = [chess.Board(fen) for fen in SPECIAL_FENS]
    while len(boards) < count:
        board = chess.Board()
        for _ in range(rng.randrange(0, 120)):
            moves = list(board.legal_moves)
            if not moves:
                break
            board.push(rng.choice(moves))
        boards.append(board)
    return boards


def test_every_legal_move_round_trips_and_indices_are_distinct():
    kinds = set()
    for board in random_positions(300, 0):
        actions = []
        for move in board.legal_moves:
            action = encode_move(board, move)
            assert 0 <= action < NUM_ACTIONS
            assert decode_move(board, action) == move
            actions.append(action)
            if move.promotion:
                kinds.add(("promotion", move.promotion, board.turn))
            if board.is_castling(move):
                kinds.add(("castling", board.turn))
            if board.is_en_passant(move):
                kinds.add(("en passant", board.turn))
        assert len(set(actions)) == len(actions)
        assert legal_action_mask(board).sum() == board.legal_moves.count()
    for colour in (chess.WHITE, chess.BLACK):
        assert ("castling", colour) in kinds and ("en passant", colour) in kinds
        for piece in (chess.QUEEN, chess.ROOK, chess.BISHOP, chess.KNIGHT):
            assert ("promotion", piece, colour) in kinds


def test_start_position_mask_and_mirror_symmetry():
    board = chess.Board()
    assert legal_action_mask(board).sum() == 20
    white_e4 = encode_move(board, chess.Move.from_uci("e2e4"))
    board.push_uci("e2e4")
    black_e5 = encode_move(board, chess.Move.from_uci("e7e5"))
    assert white_e4 == black_e5  # the same move from the mover's view


def test_board_planes_from_the_side_to_move():
    board = chess.Board()
    planes = board_planes(board)
    assert planes.shape == (12, 8, 8) and planes.sum() == 32
    assert planes[0, 0, 4] == 1 and planes[6, 7, 4] == 1  # own king e1, opponent king e8
    assert planes[5, 1].sum() == 8 and planes[11, 6].sum() == 8  # pawns
    board.push_uci("e2e4")
    black_view = board_planes(board)
    assert black_view[0, 0, 4] == 1  # Black's own king, mirrored to the first rank
    assert black_view[11, 4, 4] == 1  # White's e4 pawn (rank index 3) mirrored to row 4
    assert np.array_equal(board_planes(board.mirror()), black_view)


def test_move_target_marks_origin_and_destination():
    board = chess.Board()
    target = move_target(board, chess.Move.from_uci("g1f3"))
    assert target.sum() == 2 and target[0, 6] == 1 and target[2, 5] == 1
    board.push_uci("e2e4")
    target = move_target(board, chess.Move.from_uci("g8f6"))
    assert target[0, 6] == 1 and target[2, 5] == 1  # the mirrored view


def test_bad_actions_and_moves_are_rejected():
    board = chess.Board()
    with pytest.raises(ValueError, match="0..4671"):
        decode_move(board, NUM_ACTIONS)
    with pytest.raises(ValueError, match="off the board"):
        decode_move(board, 0 * 64 + 63)  # north from h8
    with pytest.raises(ValueError, match="queen-like or knight"):
        encode_move(board, chess.Move.from_uci("a1c4"))


def check_board_from_planes(board: chess.Board) -> None:
    """The rebuilt board, as the mover's colour and as White (the mover's view), matches what the planes keep."""
    planes = game_planes(board)
    view = board if board.turn == chess.WHITE else board.mirror()
    for turn, expected in ((board.turn, board), (chess.WHITE, view)):
        rebuilt = board_from_planes(planes, turn)
        assert rebuilt.board_fen() == expected.board_fen() and rebuilt.turn == expected.turn
        assert rebuilt.castling_rights == expected.clean_castling_rights()
        assert rebuilt.ep_square == (expected.ep_square if expected.has_legal_en_passant() else None)
        assert rebuilt.halfmove_clock == min(board.halfmove_clock, 100) and rebuilt.is_valid()
        again = game_planes(rebuilt)
        assert np.array_equal(again[:17], planes[:17]) and np.array_equal(again[18], planes[18])  # 17: history


def test_board_from_planes_rebuilds_what_game_planes_keep():
    rng, kinds = random.Random(7), set()
    for fen in SPECIAL_FENS:
        check_board_from_planes(chess.Board(fen))
    for _ in range(20):
        board = chess.Board()
        for _ in range(rng.randrange(20, 100)):
            moves = list(board.legal_moves)
            if not moves:
                break
            board.push(rng.choice(moves))
            check_board_from_planes(board)
            rights = bin(board.clean_castling_rights() & (chess.BB_RANK_1 if board.turn else chess.BB_RANK_8))
            kinds.add(("own castling rights", board.turn, rights.count("1")))
            if board.has_legal_en_passant():
                kinds.add(("en passant", board.turn))
    for colour in (chess.WHITE, chess.BLACK):
        assert ("en passant", colour) in kinds
        assert {("own castling rights", colour, n) for n in (0, 1, 2)} <= kinds


def test_board_from_planes_rejects_bad_planes():
    with pytest.raises(ValueError, match=r"\(19, 8, 8\)"):
        board_from_planes(np.zeros((12, 8, 8)))
    planes = game_planes(chess.Board())
    planes[6, 0, 0] = 1  # an opponent's king on a1, where a rook stands
    with pytest.raises(ValueError, match="two pieces"):
        board_from_planes(planes)
