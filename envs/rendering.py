"""How the environments draw themselves: text boards and ``rgb_array`` pictures, with numpy alone.

Pictures are ``(H, W, 3)`` uint8 arrays. Letters and digits come from a tiny 5x7 bitmap font (:data:`FONT`),
scaled by whole numbers; there is no drawing library.

- :func:`chess_text` and :func:`chess_picture`: a position from one side, with rank and file labels, the last
  move's squares and a king in check marked. A piece is a disc of its side's colour (light for White, dark for
  Black) with its letter (``K Q R B N P``) in the other colour.
- :func:`sudoku_picture`: a 9x9 grid with box lines; givens in black, the agent's digits in blue, wrong ones in
  red.
- :func:`bits_picture`: bit strings as rows of cells (a ``1`` dark, a ``0`` light), 32 to a line, each puzzle
  line followed by the answer's when there is one (wrong bits in red).
"""

from __future__ import annotations

import chess
import numpy as np

_GLYPHS = {
    "0": (" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "),
    "2": (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    "3": ("#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "),
    "4": ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    "5": ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    "6": ("  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    "8": (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    "9": (" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "),
    "K": ("#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"),
    "Q": (" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"),
    "B": ("#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "),
    "N": ("#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"),
    "P": ("#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "),
    "a": ("     ", "     ", " ### ", "    #", " ####", "#   #", " ####"),
    "b": ("#    ", "#    ", "# ## ", "##  #", "#   #", "#   #", "#### "),
    "c": ("     ", "     ", " ### ", "#    ", "#    ", "#   #", " ### "),
    "d": ("    #", "    #", " ## #", "#  ##", "#   #", "#   #", " ####"),
    "e": ("     ", "     ", " ### ", "#   #", "#####", "#    ", " ### "),
    "f": ("  ## ", " #  #", " #   ", "###  ", " #   ", " #   ", " #   "),
    "g": ("     ", " ####", "#   #", "#   #", " ####", "    #", " ### "),
    "h": ("#    ", "#    ", "# ## ", "##  #", "#   #", "#   #", "#   #"),
}
#: The bitmap font: character -> bool ``(7, 5)`` (True where the glyph is inked).
FONT = {char: np.array([[c == "#" for c in row] for row in rows]) for char, rows in _GLYPHS.items()}
GLYPH_HEIGHT, GLYPH_WIDTH = 7, 5

Colour = tuple[int, int, int]
LIGHT_SQUARE, DARK_SQUARE = (214, 180, 135), (164, 122, 79)  # as the terminal board of trainers.play.board_view
LIGHT_MOVED, DARK_MOVED = (212, 212, 106), (170, 162, 58)
CHECKED = (224, 88, 79)
WHITE_PIECE, BLACK_PIECE = (248, 248, 244), (28, 28, 28)
PAPER, INK, GRID_LINE = (250, 250, 246), (40, 40, 40), (170, 170, 170)
AGENT_INK, WRONG_INK = (30, 90, 200), (210, 40, 40)
SQUARE = 32  # pixels of a chess square
MARGIN = 20  # room for the rank and file labels
CELL = 30  # pixels of a Sudoku cell
BIT = 14  # pixels of a bit's cell
BITS_PER_LINE = 32


def blank(height: int, width: int, colour: Colour = PAPER) -> np.ndarray:
    """A ``(height, width, 3)`` uint8 picture of one colour."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = colour
    return image


def draw_text(image: np.ndarray, text: str, top: int, left: int, colour: Colour, scale: int = 1) -> None:
    """Draws ``text`` in :data:`FONT` with its top-left corner at ``(top, left)``, each font pixel
    ``scale`` x ``scale``, one blank column between characters; clipped at the picture's edges.

    Raises:
        ValueError: a character the font lacks.
    """
    for index, char in enumerate(text):
        if char == " ":
            continue
        if char not in FONT:
            raise ValueError(f"the picture font has no {char!r}; it has {''.join(FONT)}")
        glyph = np.kron(FONT[char], np.ones((scale, scale), dtype=bool))
        x = left + index * (GLYPH_WIDTH + 1) * scale
        rows = slice(max(top, 0), min(top + glyph.shape[0], image.shape[0]))
        cols = slice(max(x, 0), min(x + glyph.shape[1], image.shape[1]))
        if rows.stop <= rows.start or cols.stop <= cols.start:
            continue
        mask = glyph[rows.start - top : rows.stop - top, cols.start - x : cols.stop - x]
        image[rows, cols][mask] = colour


def text_size(text: str, scale: int = 1) -> tuple[int, int]:
    """``(height, width)`` in pixels that :func:`draw_text` takes for ``text``."""
    return GLYPH_HEIGHT * scale, max(len(text) * (GLYPH_WIDTH + 1) * scale - scale, 0)


def draw_centred(image: np.ndarray, text: str, centre: tuple[int, int], colour: Colour, scale: int = 1) -> None:
    """:func:`draw_text` centred on ``(row, column)``."""
    height, width = text_size(text, scale)
    draw_text(image, text, centre[0] - height // 2, centre[1] - width // 2, colour, scale)


def _disc(size: int, radius: float) -> np.ndarray:
    centre = (size - 1) / 2
    rows, cols = np.mgrid[:size, :size]
    return (rows - centre) ** 2 + (cols - centre) ** 2 <= radius**2


def _view(orientation: chess.Color) -> tuple[list[int], list[int]]:
    """Ranks top to bottom and files left to right with ``orientation``'s side at the bottom."""
    if orientation == chess.WHITE:
        return list(range(7, -1, -1)), list(range(8))
    return list(range(8)), list(range(7, -1, -1))


def chess_text(board: chess.Board, orientation: chess.Color = chess.WHITE) -> list[str]:
    """The board as text lines, ``orientation``'s side at the bottom: ``8 r n b q k b n r`` ... ``  a b ... h``
    (upper case White, lower case Black, ``.`` empty)."""
    ranks, files = _view(orientation)
    lines = []
    for rank in ranks:
        cells = [board.piece_at(chess.square(file, rank)) for file in files]
        lines.append(f"{rank + 1} " + " ".join(piece.symbol() if piece else "." for piece in cells))
    lines.append("  " + " ".join(chess.FILE_NAMES[file] for file in files))
    return lines


def chess_picture(board: chess.Board, orientation: chess.Color = chess.WHITE) -> np.ndarray:
    """The board as a ``(8 * 32 + 20, 8 * 32 + 20, 3)`` uint8 picture, ``orientation``'s side at the bottom,
    ranks labelled on the left and files below, the last move's squares and a king in check coloured."""
    ranks, files = _view(orientation)
    side = 8 * SQUARE
    image = blank(side + MARGIN, side + MARGIN)
    last = board.move_stack[-1] if board.move_stack else None
    marked = {last.from_square, last.to_square} if last else set()
    checked = board.king(board.turn) if board.is_check() else None
    disc, rim = _disc(SQUARE, SQUARE * 0.40), _disc(SQUARE, SQUARE * 0.40 + 1.5)
    for row, rank in enumerate(ranks):
        for col, file in enumerate(files):
            square = chess.square(file, rank)
            light = (rank + file) % 2 == 1
            colour = (
                (LIGHT_MOVED if light else DARK_MOVED) if square in marked else (LIGHT_SQUARE if light else DARK_SQUARE)
            )
            if square == checked:
                colour = CHECKED
            top, left = row * SQUARE, MARGIN + col * SQUARE
            cell = image[top : top + SQUARE, left : left + SQUARE]
            cell[:] = colour
            piece = board.piece_at(square)
            if piece is None:
                continue
            body, ink = (WHITE_PIECE, BLACK_PIECE) if piece.color == chess.WHITE else (BLACK_PIECE, WHITE_PIECE)
            cell[rim] = ink
            cell[disc] = body
            draw_centred(cell, piece.symbol().upper(), (SQUARE // 2, SQUARE // 2), ink, scale=2)
    for row, rank in enumerate(ranks):
        draw_centred(image, str(rank + 1), (row * SQUARE + SQUARE // 2, MARGIN // 2), INK, scale=2)
    for col, file in enumerate(files):
        draw_centred(image, chess.FILE_NAMES[file], (side + MARGIN // 2, MARGIN + col * SQUARE + SQUARE // 2), INK, 2)
    return image


def sudoku_picture(grid: np.ndarray, givens: np.ndarray | None = None, wrong: np.ndarray | None = None) -> np.ndarray:
    """A ``(9, 9)`` grid (0 blank) as a ``(9 * 30 + 6, 9 * 30 + 6, 3)`` uint8 picture with thick box lines.

    Args:
        grid: the digits to draw.
        givens: bool ``(9, 9)``, the puzzle's givens (drawn black; other digits blue). None: all black.
        wrong: bool ``(9, 9)``, digits to draw red.
    """
    grid = np.asarray(grid)
    givens = np.ones((9, 9), dtype=bool) if givens is None else np.asarray(givens, dtype=bool)
    wrong = np.zeros((9, 9), dtype=bool) if wrong is None else np.asarray(wrong, dtype=bool)
    border = 3
    side = 9 * CELL + 2 * border
    image = blank(side, side, (255, 255, 255))
    for index in range(10):
        at = border + index * CELL
        thick = index % 3 == 0
        width, colour = (3, INK) if thick else (1, GRID_LINE)
        start = at - width // 2
        image[max(start, 0) : start + width, :] = colour
        image[:, max(start, 0) : start + width] = colour
    for row in range(9):
        for col in range(9):
            digit = int(grid[row, col])
            if not digit:
                continue
            colour = WRONG_INK if wrong[row, col] else (INK if givens[row, col] else AGENT_INK)
            centre = (border + row * CELL + CELL // 2, border + col * CELL + CELL // 2)
            draw_centred(image, str(digit), centre, colour, scale=3)
    return image


def bits_picture(bits: np.ndarray, answer: np.ndarray | None = None, solution: np.ndarray | None = None) -> np.ndarray:
    """A bit string (and an answer to it) as rows of labelled cells, :data:`BITS_PER_LINE` to a line.

    Each line of ``bits`` is drawn as cells (a ``1`` dark with a light digit, a ``0`` light with a dark one);
    when ``answer`` is given its line follows, blue where it matches ``solution`` and red where it does not.
    """
    bits = np.asarray(bits).reshape(-1)
    rows = [bits] if answer is None else [bits, np.asarray(answer).reshape(-1)]
    per_line = min(len(bits), BITS_PER_LINE)
    lines = -(-len(bits) // per_line)
    gap = 6
    band = len(rows) * BIT + gap
    image = blank(lines * band + gap, per_line * BIT + 2 * gap)
    for line in range(lines):
        for kind, values in enumerate(rows):
            for offset, value in enumerate(values[line * per_line : (line + 1) * per_line]):
                index = line * per_line + offset
                top, left = gap + line * band + kind * BIT, gap + offset * BIT
                if kind == 0:
                    fill, ink = (INK, PAPER) if value else ((226, 226, 220), INK)
                else:
                    right = solution is None or value == solution[index]
                    fill, ink = (AGENT_INK if right else WRONG_INK), (255, 255, 255)
                image[top + 1 : top + BIT - 1, left + 1 : left + BIT - 1] = fill
                draw_centred(image, str(int(value)), (top + BIT // 2, left + BIT // 2), ink)
    return image
