"""The chess board in the terminal: a rich renderable, unicode pieces on coloured squares or plain letters.

:func:`render_board` gives a :class:`BoardView`; ``render_board(...).text()`` is its text, with or without colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import chess
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

LIGHT, DARK = "#d6b487", "#a47a4f"
LIGHT_MOVED, DARK_MOVED = "#d4d46a", "#aaa23a"  # the last move's squares
CHECKED = "#e0584f"  # the king in check
WHITE_PIECE, BLACK_PIECE = "bold #ffffff", "bold #000000"
# U+FE0E asks for the text glyph: some terminals draw U+265F (the filled pawn) as a coloured emoji.
FILLED = {piece_type: chess.Piece(piece_type, chess.BLACK).unicode_symbol() for piece_type in chess.PIECE_TYPES}
FILLED[chess.PAWN] += "\ufe0e"


@dataclass
class BoardView:
    """A rich renderable of a position with rank and file labels, ``orientation``'s side at the bottom.

    On a colour terminal both sides are filled glyphs, white and black, on light and dark squares (filled
    shapes stand out best on coloured squares), with the last move's squares and a king in check coloured.
    Without colour (or in :meth:`text` with ``colour=False``) White's pieces are the outlined glyphs, so the
    sides still differ. ASCII mode uses ``KQRBNP``/``kqrbnp`` and ``.`` with no styles at all: the last
    move's squares are bracketed (``[P]``) and a king in check is marked ``!K!``.
    """

    board: chess.Board
    orientation: chess.Color = chess.WHITE
    last_move: chess.Move | None = None
    ascii: bool = False

    def text(self, colour: bool = True) -> Text:
        """The board as one :class:`~rich.text.Text`, styled when ``colour`` (and not ``ascii``)."""
        board = self.board
        marked = {self.last_move.from_square, self.last_move.to_square} if self.last_move else set()
        checked = board.king(board.turn) if board.is_check() else None
        ranks = range(7, -1, -1) if self.orientation == chess.WHITE else range(8)
        files = list(range(8)) if self.orientation == chess.WHITE else list(range(7, -1, -1))
        text = Text(no_wrap=True, overflow="crop")
        for rank in ranks:
            text.append(f"{rank + 1} ")
            for file in files:
                square = chess.square(file, rank)
                piece = board.piece_at(square)
                if self.ascii or not colour:
                    symbol = (piece.symbol() if self.ascii else piece.unicode_symbol()) if piece else "."
                    left, right = ("!", "!") if square == checked else ("[", "]") if square in marked else (" ", " ")
                    text.append(f"{left}{symbol}{right}")
                    continue
                light = (rank + file) % 2 == 1
                background = LIGHT if light else DARK
                if square in marked:
                    background = LIGHT_MOVED if light else DARK_MOVED
                if square == checked:
                    background = CHECKED
                if piece is None:
                    text.append("   ", style=f"on {background}")
                else:
                    ink = WHITE_PIECE if piece.color == chess.WHITE else BLACK_PIECE
                    text.append(f" {FILLED[piece.piece_type]} ", style=f"{ink} on {background}")
            text.append("\n")
        text.append("  " + "".join(f" {chess.FILE_NAMES[file]} " for file in files))
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(colour=console.color_system is not None and not console.no_color)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(26, 26)  # the rank label and eight squares of three cells


def render_board(
    board: chess.Board,
    orientation: chess.Color = chess.WHITE,
    last_move: chess.Move | None = None,
    ascii: bool = False,
) -> BoardView:
    """The position as a rich renderable: see :class:`BoardView` (``render_board(...).text()`` for the text)."""
    return BoardView(board.copy(stack=False), orientation, last_move, ascii)
