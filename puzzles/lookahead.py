"""How far ahead a plain material search must look to find a move: the miner's difficulty measure.

Stockfish cannot grade mined puzzles: its evaluation and quiescence search see captures and threats at once,
so it settles on nearly every mined move at its first depth (measured: 30 of 31 puzzles) and finds every one
with a budget of 4 nodes. A search that counts material only and stops dead at its horizon has to look as far
as the tactic reaches: one ply to take a free piece, two to see that a defended piece is not free, three for
a fork or a mate in two, and so on. The fewest plies at which such a search finds the solution, and no other
move as good, is a puzzle's difficulty, like the depth a human must calculate.
"""

from __future__ import annotations

import chess

PIECE_VALUES = {chess.PAWN: 1, chess.KNIGHT: 3, chess.BISHOP: 3, chess.ROOK: 5, chess.QUEEN: 9, chess.KING: 0}
MATE = 1_000


def material(board: chess.Board) -> int:
    """Material balance for the side to move (pawn 1, knight and bishop 3, rook 5, queen 9)."""
    balance = 0
    for piece_type, value in PIECE_VALUES.items():
        balance += value * (len(board.pieces(piece_type, board.turn)) - len(board.pieces(piece_type, not board.turn)))
    return balance


def _ordered(board: chess.Board, moves: list[chess.Move]) -> list[chess.Move]:
    """Captures of the most valuable pieces first: alpha-beta cuts sooner."""

    def victim(move: chess.Move) -> int:
        if board.is_en_passant(move):
            return 1
        piece = board.piece_at(move.to_square)
        return PIECE_VALUES[piece.piece_type] if piece else 0

    return sorted(moves, key=victim, reverse=True)


def _negamax(board: chess.Board, depth: int, alpha: int, beta: int) -> int:
    """Fail-hard alpha-beta over material; a mate scores more the sooner it comes."""
    moves = list(board.legal_moves)
    if not moves:
        return -(MATE + depth) if board.is_check() else 0
    if depth == 0:
        return material(board)
    for move in _ordered(board, moves):
        board.push(move)
        score = -_negamax(board, depth - 1, -beta, -alpha)
        board.pop()
        if score >= beta:
            return beta
        alpha = max(alpha, score)
    return alpha


def lookahead_plies(board: chess.Board, move: chess.Move, max_plies: int = 4) -> int:
    """The fewest plies at which a material search scores ``move`` strictly above every other legal move,
    or ``max_plies + 1`` when it needs more than ``max_plies``.

    Raises:
        ValueError: ``move`` is not legal on ``board``.
    """
    if not board.is_legal(move):
        raise ValueError(f"{move.uci()} is not legal in {board.fen()}")
    board = board.copy(stack=False)
    others = [m for m in board.legal_moves if m != move]
    for plies in range(1, max_plies + 1):
        board.push(move)
        score = -_negamax(board, plies - 1, -MATE - max_plies - 1, MATE + max_plies + 1)
        board.pop()
        for other in _ordered(board, others):
            board.push(other)
            # A null window around the move's score: does ``other`` reach it?
            matched = -_negamax(board, plies - 1, -score, -score + 1) >= score
            board.pop()
            if matched:
                break
        else:
            return plies
    return max_plies + 1
