"""What a full chess game needs beyond the puzzle encodings (numpy and python-chess only).

- **Game planes** ``(19, 8, 8)`` float32, from the side to move's view (see :mod:`puzzles.chess_encoding`):
  the 12 piece planes, then castling rights (own king side, own queen side, opponent's king side, opponent's
  queen side; whole planes), the en-passant target square when an en-passant capture is legal, a plane of
  ones when the position has occurred before (a repetition is one step from a draw), and the fifty-move
  counter as ``halfmove_clock / 100`` on a whole plane. :func:`board_from_planes` rebuilds a position from them.
- **Game end** with the cheap checks only: checkmate, stalemate, insufficient material, the third
  repetition and the fifty-move rule, without python-chess's slow ``can_claim_draw`` (about 470 us a call).
- **Openings**: a small EPD file of balanced positions for paired matches.
"""

from __future__ import annotations

from pathlib import Path

import chess
import numpy as np

from puzzles.chess_encoding import PIECE_ORDER, board_planes

GAME_PLANES = 19

#: The shipped opening file: balanced positions a few moves in, one EPD per line (``scripts/make_openings.py``).
OPENINGS_FILE = Path(__file__).resolve().parent / "data" / "openings.epd"


def game_planes(board: chess.Board) -> np.ndarray:
    """The ``(19, 8, 8)`` float32 network input of a game position, from the side to move's view."""
    planes = np.zeros((GAME_PLANES, 8, 8), dtype=np.float32)
    planes[:12] = board_planes(board)
    us, them = board.turn, not board.turn
    rights = (
        board.has_kingside_castling_rights(us),
        board.has_queenside_castling_rights(us),
        board.has_kingside_castling_rights(them),
        board.has_queenside_castling_rights(them),
    )
    for offset, right in enumerate(rights):
        if right:
            planes[12 + offset] = 1.0
    if board.ep_square is not None and board.has_legal_en_passant():
        square = board.ep_square if us == chess.WHITE else board.ep_square ^ 56
        planes[16, square // 8, square % 8] = 1.0
    if board.is_repetition(2):
        planes[17] = 1.0
    planes[18] = min(board.halfmove_clock, 100) / 100.0
    return planes


def board_from_planes(planes: np.ndarray, turn: chess.Color = chess.WHITE) -> chess.Board:
    """The position that :func:`game_planes` saw, so a policy can act on an observation alone.

    The planes are drawn from the side to move's view and do not record its colour (the view looks the same
    for either), so ``turn`` says who moves. The default, White, gives the mover's view itself
    (``board.mirror()`` when Black moves): same network input, same move indices in
    :func:`puzzles.chess_encoding.encode_move`, so a policy can answer it without knowing the colour. Pieces,
    castling rights, the en-passant square (the planes keep it only when an en-passant capture is legal) and
    the fifty-move counter (up to 100 plies) come back; the move history behind the repetition plane and the
    full-move number do not.

    Raises:
        ValueError: for planes of the wrong shape or two pieces on one square.
    """
    planes = np.asarray(planes)
    if planes.shape != (GAME_PLANES, 8, 8):
        raise ValueError(f"game planes have shape ({GAME_PLANES}, 8, 8), got {planes.shape}")
    occupied = planes[:12] > 0.5
    if (occupied.sum(axis=0) > 1).any():
        raise ValueError("the piece planes put two pieces on one square")
    flip = 0 if turn == chess.WHITE else 56  # view square -> board square
    board = chess.Board(None)
    board.turn = turn
    for offset, colour in ((0, turn), (6, not turn)):
        for index, piece in enumerate(PIECE_ORDER):
            for square in np.flatnonzero(occupied[offset + index].reshape(64)):
                board.set_piece_at(int(square) ^ flip, chess.Piece(piece, colour))
    rooks = ((turn, chess.H1), (turn, chess.A1), (not turn, chess.H1), (not turn, chess.A1))
    for offset, (colour, rook) in enumerate(rooks):
        if planes[12 + offset].max() > 0.5:
            board.castling_rights |= chess.BB_SQUARES[rook if colour == chess.WHITE else rook ^ 56]
    board.castling_rights = board.clean_castling_rights()
    en_passant = np.flatnonzero(planes[16].reshape(64) > 0.5)
    board.ep_square = int(en_passant[0]) ^ flip if len(en_passant) else None
    board.halfmove_clock = int(round(float(planes[18].max()) * 100))
    return board


def game_result(board: chess.Board) -> str | None:
    """``"1-0"``, ``"0-1"`` or ``"1/2-1/2"`` when the game is over by the rules, else ``None``.

    Draws by threefold repetition and the fifty-move rule are taken as soon as they can be claimed.
    """
    outcome = board.outcome(claim_draw=False)
    if outcome is not None:
        return outcome.result()
    if board.halfmove_clock >= 100 or board.is_repetition(3):
        return "1/2-1/2"
    return None


def result_for(result: str, colour: chess.Color) -> float:
    """A game result as a score for ``colour``: 1 win, 0.5 draw, 0 loss."""
    scores = {"1-0": 1.0, "0-1": 0.0, "1/2-1/2": 0.5}
    if result not in scores:
        raise ValueError(f"a finished game's result is '1-0', '0-1' or '1/2-1/2', got {result!r}")
    return scores[result] if colour == chess.WHITE else 1.0 - scores[result]


def read_openings(path: str | Path = OPENINGS_FILE) -> list[chess.Board]:
    """Reads an EPD/FEN opening file (one position a line; blank lines and ``#`` comments skipped).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: naming the line that is not a legal position.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"no opening file at {path}")
    boards = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            fields = line.split()
            board = chess.Board(" ".join(fields[:6])) if len(fields) >= 6 and fields[4].isdigit() else None
            if board is None:
                board = chess.Board()
                board.set_epd(line)
        except ValueError as error:
            raise ValueError(f"{path}:{number}: not a chess position: {line!r} ({error})") from None
        if not board.is_valid():
            raise ValueError(f"{path}:{number}: an impossible position: {line!r}")
        boards.append(board)
    if not boards:
        raise ValueError(f"{path}: no positions")
    return boards


def parse_position(fen: str | chess.Board, what: str) -> chess.Board:
    """A fresh board (no move history) from a FEN/EPD string or a board, checked to be a playable start.

    Raises:
        TypeError: naming ``what`` when it is neither a string nor a board.
        ValueError: naming ``what`` when the text is not a FEN, the position is impossible or already over.
    """
    if isinstance(fen, chess.Board):
        fen = fen.fen()
    if not isinstance(fen, str):
        raise TypeError(f"{what} must be a FEN string, got {type(fen).__name__}")
    try:
        board = chess.Board(fen)
    except ValueError as error:
        raise ValueError(f"{what} is not a FEN: {fen!r} ({error})") from None
    if not board.is_valid():
        raise ValueError(f"{what} is not a legal chess position: {fen!r} ({board.status()!r})")
    if game_result(board) is not None:
        raise ValueError(f"{what} is a finished game ({game_result(board)}): {fen!r}")
    return board


def starting_boards(starting_fens: list[str] | None) -> list[chess.Board]:
    """The boards of an environment's ``starting_fens`` (``[]`` for None: the standard start), each checked.

    Raises:
        ValueError: a FEN that is not a legal position, or an empty list.
    """
    boards = [parse_position(fen, f"starting_fens[{index}]") for index, fen in enumerate(starting_fens or ())]
    if starting_fens is not None and not boards:
        raise ValueError("starting_fens is an empty list (leave it None for the standard start)")
    return boards


def episode_board(fen: str | None, boards: list[chess.Board], rng: np.random.Generator) -> chess.Board:
    """An environment episode's start: ``fen`` when given (checked), else one of ``boards`` (from
    :func:`starting_boards`) drawn with ``rng``, else the standard start.

    Raises:
        ValueError: a ``fen`` that is malformed, impossible or already over.
    """
    if fen is not None:
        return parse_position(fen, "options['fen']")
    if boards:
        return boards[int(rng.integers(len(boards)))].copy()
    return chess.Board()
