"""What the person types in the terminal game: moves in SAN or UCI, the start position and their colour.

:func:`parse_move` reads a move the way people write it (``Nf3``, ``exd5``, ``e8=Q``, ``O-O``, ``e2e4``, in any
case where the move stays clear) and, when the move is not legal, says why in words (no piece there, not
yours, the king would be in check, which promotion piece). :func:`board_from_fen` and :func:`choose_colour`
read the ``--fen`` and ``--color`` flags.
"""

from __future__ import annotations

import random
import re

import chess

PIECE_NAMES = {chess.PAWN: "pawn", chess.KNIGHT: "knight", chess.BISHOP: "bishop", chess.ROOK: "rook"}
PIECE_NAMES |= {chess.QUEEN: "queen", chess.KING: "king"}
LETTER_PIECES = {"n": chess.KNIGHT, "b": chess.BISHOP, "r": chess.ROOK, "q": chess.QUEEN, "k": chess.KING}

# Case-insensitive shapes; the letter case is looked at afterwards (a lower-case "b" may be a pawn's file).
_UCI = re.compile(r"^([a-h][1-8])[-x:]?([a-h][1-8])=?([nbrq])?$", re.IGNORECASE)
_SAN = re.compile(r"^([nbrqk])?([a-h])?([1-8])?[x:-]?([a-h][1-8])(?:=?([nbrq]))?$", re.IGNORECASE)
_CASTLES = {"o-o": "king", "oo": "king", "o-o-o": "queen", "ooo": "queen"}


class MoveError(ValueError):
    """A line that is not a legal move in the position; the message says why."""


def choose_colour(name: str, rng: random.Random | None = None) -> chess.Color:
    """The person's colour from ``white``, ``black`` or ``random`` (any case).

    Raises:
        ValueError: any other name.
    """
    name = name.strip().lower()
    if name == "random":
        return (rng or random.Random()).random() < 0.5
    if name not in ("white", "black"):
        raise ValueError(f"--color is white, black or random, got {name!r}")
    return chess.WHITE if name == "white" else chess.BLACK


def board_from_fen(fen: str | None) -> chess.Board:
    """The start position: the initial one for an empty ``fen``, else the FEN's.

    Raises:
        ValueError: a FEN that does not parse, or describes an impossible position (naming what is wrong).
    """
    if not fen or not fen.strip():
        return chess.Board()
    try:
        board = chess.Board(fen.strip())
    except ValueError as error:
        raise ValueError(f"not a FEN: {fen!r} ({error})") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        problems = ", ".join(flag.name.lower().replace("_", " ") for flag in chess.Status if flag in status)
        raise ValueError(f"not a legal chess position: {fen!r} ({problems})")
    return board


def parse_move(board: chess.Board, text: str) -> chess.Move:
    """The legal move that ``text`` names, in SAN (``Nf3``, ``exd5``, ``e8=Q``, ``O-O``) or UCI (``e2e4``).

    Case does not matter where the move is still clear: ``nf3``, ``E2E4`` and ``0-0`` work; ``bxc3`` is
    refused as ambiguous only when both a bishop and the b-pawn could take on c3.

    Raises:
        MoveError: the text is not a move, not legal here, or ambiguous; the message says which and why.
    """
    move_text = text.strip().rstrip("+#!?")
    lowered = move_text.lower().replace("0", "o")
    if lowered in _CASTLES:
        return _parse_castling(board, text, _CASTLES[lowered])
    uci = _UCI.match(move_text)
    if uci:
        return _parse_uci(board, text, uci)
    san = _SAN.match(move_text)
    if san:
        return _parse_san(board, text, san)
    raise MoveError(
        f"Not a move or a command: {_shown(text)!r}. Moves look like e4, Nf3, exd5, e8=Q, O-O or e2e4; "
        "type help for the commands."
    )


def _shown(text: str, limit: int = 40) -> str:
    """What the person typed, stripped and cut to ``limit`` characters, for an error message."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


def _illegal(board: chess.Board, text: str, reason: str) -> MoveError:
    legal = " ".join(sorted(board.san(move) for move in board.legal_moves))
    return MoveError(f"Illegal move: {_shown(text)} - {reason}. Legal moves: {legal or 'none'}")


def _parse_castling(board: chess.Board, text: str, side: str) -> chess.Move:
    for move in board.legal_moves:
        if board.is_castling(move) and board.is_kingside_castling(move) == (side == "king"):
            return move
    has_right = board.has_kingside_castling_rights if side == "king" else board.has_queenside_castling_rights
    if board.is_check():
        reason = "you are in check"
    elif not has_right(board.turn):
        reason = "your king or that rook has moved"
    else:
        reason = "the squares between are occupied or attacked"
    raise _illegal(board, text, f"you cannot castle {side} side now ({reason})")


def _parse_uci(board: chess.Board, text: str, match: re.Match[str]) -> chess.Move:
    start, target = chess.parse_square(match[1].lower()), chess.parse_square(match[2].lower())
    promotion = LETTER_PIECES[match[3].lower()] if match[3] else None
    move = chess.Move(start, target, promotion)
    if board.is_legal(move):
        return move
    piece = board.piece_at(start)
    if piece is None:
        raise _illegal(board, text, f"there is no piece on {match[1].lower()}")
    name = PIECE_NAMES[piece.piece_type]
    if piece.color != board.turn:
        raise _illegal(board, text, f"the {name} on {match[1].lower()} is not yours")
    if promotion is None and board.is_legal(chess.Move(start, target, chess.QUEEN)):
        raise _illegal(board, text, f"name the promotion piece, e.g. {move.uci()}q")
    raise _illegal(board, text, _why_not(board, [move], f"your {name} on {match[1].lower()} cannot move there"))


def _parse_san(board: chess.Board, text: str, match: re.Match[str]) -> chess.Move:
    letter, from_file, from_rank, target_name, promotion_letter = match.groups()
    target = chess.parse_square(target_name.lower())
    promotion = LETTER_PIECES[promotion_letter.lower()] if promotion_letter else None
    # A lower-case "b" is either the bishop or the b-file of a pawn; only the moves decide.
    readings: list[tuple[chess.PieceType, str | None]] = []
    if letter is None:
        readings.append((chess.PAWN, from_file))
    elif letter == "b":
        readings += [(chess.BISHOP, from_file)] + ([(chess.PAWN, "b")] if from_file is None else [])
    else:
        readings.append((LETTER_PIECES[letter.lower()], from_file))

    def origin_fits(square: chess.Square, piece_type: chess.PieceType, file_name: str | None) -> bool:
        if board.piece_type_at(square) != piece_type or board.color_at(square) != board.turn:
            return False
        # A pawn move without a file is a push along the target's file.
        file_name = file_name or (target_name[0] if piece_type == chess.PAWN else None)
        if file_name and chess.square_file(square) != chess.FILE_NAMES.index(file_name.lower()):
            return False
        return not from_rank or chess.square_rank(square) == int(from_rank) - 1

    def fits(move: chess.Move, with_promotion: bool) -> bool:
        if move.to_square != target or (with_promotion and move.promotion != promotion):
            return False
        return any(origin_fits(move.from_square, piece_type, file_name) for piece_type, file_name in readings)

    candidates = [move for move in board.legal_moves if fits(move, with_promotion=True)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        options = " or ".join(sorted(board.san(move) for move in candidates))
        raise MoveError(f"Ambiguous move: {_shown(text)} could be {options}; write the one you mean")
    if promotion is None and any(fits(move, with_promotion=False) for move in board.legal_moves):
        raise _illegal(board, text, f"name the promotion piece, e.g. {target_name.lower()}=Q")
    pseudo = [move for move in board.generate_pseudo_legal_moves() if fits(move, with_promotion=False)]
    own = [
        square
        for piece_type, file_name in readings
        for square in board.pieces(piece_type, board.turn)
        if origin_fits(square, piece_type, file_name)
    ]
    names = " or ".join(PIECE_NAMES[piece_type] for piece_type, _ in readings)
    if len(own) == 1:
        name = PIECE_NAMES[board.piece_type_at(own[0]) or chess.PAWN]
        fallback = f"your {name} on {chess.square_name(own[0])} cannot move to {target_name.lower()}"
    elif not any(board.pieces(piece_type, board.turn) for piece_type, _ in readings):
        fallback = f"you have no {names}"
    else:
        fallback = f"no {names} of yours can move to {target_name.lower()}"
    raise _illegal(board, text, _why_not(board, pseudo, fallback))


def _why_not(board: chess.Board, tried: list[chess.Move], fallback: str) -> str:
    """Why moves that the pieces could make are still illegal: the king."""
    if any(board.is_pseudo_legal(move) for move in tried):
        return (
            "you are in check and it does not stop the check"
            if board.is_check()
            else "it would leave your king in check"
        )
    return fallback
