"""Chess encodings shared by the puzzle solver and the game policy (numpy and python-chess only).

Everything is seen from the side to move: when Black moves, the board is mirrored vertically (rank r becomes
rank 7 - r; files stay) and the colours swap, so the mover always plays "up the board" (as the original
``FlippedChessPuzzleDataset`` and as lc0 and PettingZoo do). Squares are ``rank * 8 + file`` (a1 = 0).

- **Board planes** ``(12, 8, 8)`` uint8: own K, Q, B, N, R, P, then the opponent's; row = rank, column = file.
- **Origin/destination target** ``(8, 8)`` uint8: 1 on the move's from and to squares (the original's target).
- **Move index** in ``Discrete(4672)``, the AlphaZero 8x8x73 layout flattened plane-major:
  ``action = plane * 64 + from_square``, so a fully convolutional head's ``(73, 8, 8)`` logits flatten to it.
  Planes 0-55: queen-like moves, ``direction * 7 + (distance - 1)`` with directions N, NE, E, SE, S, SW, W,
  NW; planes 56-63: knight moves; planes 64-72: under-promotions, ``64 + 3 * piece + (file step + 1)`` with
  pieces knight, bishop, rook. Pawn moves to the last rank on a queen-like plane promote to a queen.
"""

from __future__ import annotations

import chess
import numpy as np

NUM_ACTIONS = 8 * 8 * 73
PIECE_ORDER = (chess.KING, chess.QUEEN, chess.BISHOP, chess.KNIGHT, chess.ROOK, chess.PAWN)
_DIRECTIONS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))  # (rank, file) steps
_KNIGHT = ((2, 1), (1, 2), (-1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2), (2, -1))
_UNDERPROMOTIONS = (chess.KNIGHT, chess.BISHOP, chess.ROOK)


def view_square(square: int, white_to_move: bool) -> int:
    """A square seen from the side to move (rank mirrored for Black)."""
    return square if white_to_move else square ^ 56


def board_planes(board: chess.Board) -> np.ndarray:
    """The 12 piece planes ``(12, 8, 8)`` uint8 from the side to move's view."""
    planes = np.zeros((12, 64), dtype=np.uint8)
    us = board.turn
    for offset, colour in ((0, us), (6, not us)):
        for index, piece in enumerate(PIECE_ORDER):
            for square in board.pieces(piece, colour):
                planes[offset + index, view_square(square, us)] = 1
    return planes.reshape(12, 8, 8)


def move_target(board: chess.Board, move: chess.Move) -> np.ndarray:
    """The original's target ``(8, 8)`` uint8: 1 on the origin and destination squares, in the mover's view."""
    target = np.zeros(64, dtype=np.uint8)
    target[view_square(move.from_square, board.turn)] = 1
    target[view_square(move.to_square, board.turn)] = 1
    return target.reshape(8, 8)


def encode_move(board: chess.Board, move: chess.Move) -> int:
    """The move's index in ``Discrete(4672)`` for the side to move of ``board``.

    Raises:
        ValueError: if the move's geometry fits no plane (not a queen, knight or pawn move).
    """
    start, end = view_square(move.from_square, board.turn), view_square(move.to_square, board.turn)
    dr, df = end // 8 - start // 8, end % 8 - start % 8
    if move.promotion in _UNDERPROMOTIONS:
        if dr != 1 or abs(df) > 1:
            raise ValueError(f"{move.uci()} is not a pawn promotion from the side to move's view")
        plane = 64 + 3 * _UNDERPROMOTIONS.index(move.promotion) + (df + 1)
    elif (dr, df) in _KNIGHT:
        plane = 56 + _KNIGHT.index((dr, df))
    else:
        distance = max(abs(dr), abs(df))
        step = (dr // distance, df // distance) if distance else (0, 0)
        if distance == 0 or step not in _DIRECTIONS or (dr, df) != (step[0] * distance, step[1] * distance):
            raise ValueError(f"{move.uci()} is not a queen-like or knight move")
        plane = 7 * _DIRECTIONS.index(step) + distance - 1
    return plane * 64 + start


def decode_move(board: chess.Board, action: int) -> chess.Move:
    """The move that ``action`` names on ``board`` (it may be illegal; check with ``board.is_legal``).

    Raises:
        ValueError: if ``action`` is outside ``0..4671`` or points off the board.
    """
    if not 0 <= int(action) < NUM_ACTIONS:
        raise ValueError(f"a chess action is an integer in 0..{NUM_ACTIONS - 1}, got {action}")
    plane, start = divmod(int(action), 64)
    promotion = None
    if plane < 56:
        (dr, df), distance = _DIRECTIONS[plane // 7], plane % 7 + 1
        dr, df = dr * distance, df * distance
    elif plane < 64:
        dr, df = _KNIGHT[plane - 56]
    else:
        piece, file_step = divmod(plane - 64, 3)
        dr, df, promotion = 1, file_step - 1, _UNDERPROMOTIONS[piece]
    rank, file = start // 8 + dr, start % 8 + df
    if not (0 <= rank < 8 and 0 <= file < 8):
        raise ValueError(f"action {action} points off the board")
    end = rank * 8 + file
    from_square, to_square = view_square(start, board.turn), view_square(end, board.turn)
    if promotion is None and rank == 7 and board.piece_type_at(from_square) == chess.PAWN:
        promotion = chess.QUEEN
    return chess.Move(from_square, to_square, promotion=promotion)


def legal_action_mask(board: chess.Board) -> np.ndarray:
    """A ``(4672,)`` int8 mask with 1 on the index of every legal move."""
    mask = np.zeros(NUM_ACTIONS, dtype=np.int8)
    for move in board.legal_moves:
        mask[encode_move(board, move)] = 1
    return mask
