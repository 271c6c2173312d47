"""Frames of a solver's thought, for the terminal (rich) and for animations (PIL).

Both views draw one puzzle's answer after some iteration against its target:

- prefix sums: the bits, the target parity and the predicted parity, in rows of 64, wrong bits highlighted;
- mazes: the compact view (one cell per maze element), walls, open cells, start, goal, and the predicted
  path: cells on the true path, wrong cells (predicted but off the path), and missed path cells;
- Sudoku: the predicted board beside the solution, givens plain, predicted digits green when right, red when
  wrong;
- chess puzzles: the board from White's side, each square shaded by how strongly the network marks it as the
  move's origin or destination (the sigmoid of its margin), the solution's squares outlined (image) or
  underlined (terminal), and the decoded move against the solution.

    frame = render_frame("mazes", inputs[0], targets[0], step.prediction[0], step)
    Console().print(frame)
"""

from __future__ import annotations

from pathlib import Path

import chess
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from agents.solver import ThoughtStep
from puzzles.chess_encoding import view_square
from puzzles.mazes import GOAL, OPEN, START, WALL, image_to_compact
from puzzles.storage import atomic_write

#: Bits per row of a prefix-sums frame.
ROW_BITS = 64

# Maze cell kinds: the grid codes (wall, open, start, goal), then the prediction's overlay.
HIT, EXTRA, MISSED = 4, 5, 6
#: Terminal glyph (two characters, so cells look square) and style of each maze cell kind.
MAZE_CELLS: dict[int, tuple[str, str]] = {
    WALL: ("██", "grey23"),
    OPEN: ("  ", "on grey93"),
    START: ("S ", "bold black on green3"),
    GOAL: ("G ", "bold white on red3"),
    HIT: ("oo", "bold white on dodger_blue2"),
    EXTRA: ("xx", "bold white on magenta"),
    MISSED: ("..", "grey50 on grey93"),
}
#: Image colour (RGB) of each maze cell kind.
MAZE_COLOURS = np.array(
    [[0, 0, 0], [255, 255, 255], [0, 200, 0], [220, 0, 0], [30, 120, 255], [230, 0, 200], [190, 215, 240]],
    dtype=np.uint8,
)
RIGHT, WRONG, GIVEN = "green", "bold red", ""


#: Chess squares: the light and dark colours, and the colour a square takes where the network marks it fully.
CHESS_LIGHT, CHESS_DARK, CHESS_MARKED = np.array([240, 217, 181]), np.array([181, 136, 99]), np.array([30, 120, 255])


def _family(problem_name: str) -> str:
    """``"prefix_sums"``, ``"mazes"``, ``"sudoku"`` or ``"chess_puzzles"`` (both maze views draw alike)."""
    if problem_name in ("mazes", "mazes_image"):
        return "mazes"
    if problem_name in ("prefix_sums", "sudoku", "chess_puzzles"):
        return problem_name
    raise ValueError(f"cannot draw puzzles of {problem_name!r}; known: prefix_sums, mazes, sudoku, chess_puzzles")


def chess_square_colours(board: chess.Board, scores: np.ndarray) -> np.ndarray:
    """RGB ``(8, 8, 3)`` of the squares, rank 8 first and file a first: the light or dark colour blended toward
    :data:`CHESS_MARKED` by the sigmoid of each square's margin (``scores`` is in the mover's view, mirrored for
    Black as the network sees the board)."""
    white_to_move = board.turn == chess.WHITE
    colours = np.zeros((8, 8, 3))
    for square in chess.SQUARES:
        rank, file = chess.square_rank(square), chess.square_file(square)
        margin = float(np.ravel(scores)[view_square(square, white_to_move)])
        weight = 1 / (1 + np.exp(-np.clip(margin, -30, 30)))
        base = CHESS_LIGHT if (rank + file) % 2 else CHESS_DARK
        colours[7 - rank, file] = (1 - weight) * base + weight * CHESS_MARKED
    return colours.round().astype(np.uint8)


def maze_cells(inputs: np.ndarray, target: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """Cell kinds ``(s, s)`` of one maze: the grid codes, overlaid with hit, extra and missed path cells.

    Args:
        inputs: the native image ``(3, 2s+6, 2s+6)``.
        target: its path mask ``(2s+6, 2s+6)``.
        prediction: the predicted path mask, same shape.
    """
    red, green, blue = image_to_compact(inputs) > 0.5
    kinds = np.full(red.shape, WALL, dtype=np.int64)
    kinds[red & green & blue] = OPEN
    kinds[green & ~red] = START
    kinds[red & ~green] = GOAL
    on_path, predicted = image_to_compact(target) > 0, image_to_compact(prediction) > 0
    open_cells = kinds == OPEN  # start and goal keep their colours; walls are never predicted
    kinds[open_cells & on_path & predicted] = HIT
    kinds[open_cells & predicted & ~on_path] = EXTRA
    kinds[open_cells & on_path & ~predicted] = MISSED
    return kinds


def wrong_count(problem_name: str, target: np.ndarray, prediction: np.ndarray) -> int:
    """Wrong bits or cells of one prediction (mazes count maze elements, not image pixels; a chess move is one)."""
    if _family(problem_name) == "chess_puzzles":
        return int(str(prediction) != str(target))
    if _family(problem_name) == "mazes":
        target, prediction = image_to_compact(target), image_to_compact(prediction)
    return int((np.asarray(target) != np.asarray(prediction)).sum())


def status_line(problem_name: str, target: np.ndarray, prediction: np.ndarray, step: ThoughtStep) -> Text:
    """Iteration, wrong bits or cells, confidence, thought change and "solved" once exact."""
    wrong = wrong_count(problem_name, target, prediction)
    line = Text(f"iteration {step.iteration}", style="bold")
    if _family(problem_name) == "chess_puzzles":
        line.append(f"  move {prediction} ({'wrong' if wrong else 'right'})", style=WRONG if wrong else RIGHT)
    else:
        unit = "bits" if _family(problem_name) == "prefix_sums" else "cells"
        line.append(f"  wrong {unit} {wrong}", style=WRONG if wrong else RIGHT)
    line.append(f"  confidence {float(np.ravel(step.confidence)[0]):.4f}")
    line.append(f"  change {float(np.ravel(step.change)[0]):.3g}")
    if wrong == 0:
        line.append("  solved", style="bold green")
    return line


def render_frame(
    problem_name: str, inputs: np.ndarray, target: np.ndarray, prediction: np.ndarray, step: ThoughtStep
) -> RenderableType:
    """One puzzle's predicted answer drawn against its target, above a status line.

    Args:
        problem_name: ``"prefix_sums"``, ``"mazes"`` (or ``"mazes_image"``), ``"sudoku"`` or ``"chess_puzzles"``.
        inputs, target, prediction: one puzzle, its answer and the predicted answer, in the native format.
        step: the iteration's :class:`ThoughtStep`; its first sample's confidence and change are shown (and,
            for chess, its scores shade the squares).
    """
    family = _family(problem_name)
    if family == "chess_puzzles":
        board = _chess_text(str(inputs), str(target), _first_scores(step))
    elif family == "prefix_sums":
        board = _prefix_sums_text(inputs, target, prediction)
    elif family == "mazes":
        board = _maze_text(np.pad(maze_cells(inputs, target, prediction), 1, constant_values=WALL))
    else:
        board = _sudoku_boards(inputs, target, prediction)
    return Group(board, status_line(problem_name, target, prediction, step))


def _prefix_sums_text(bits: np.ndarray, target: np.ndarray, prediction: np.ndarray) -> Text:
    text = Text()
    for start in range(0, len(bits), ROW_BITS):
        if len(bits) > ROW_BITS:
            text.append(f"bits {start}-{min(start + ROW_BITS, len(bits)) - 1}\n", style="dim")
        rows = slice(start, start + ROW_BITS)
        text.append("input   " + "".join(map(str, bits[rows])) + "\n")
        text.append("target  " + "".join(map(str, target[rows])) + "\n")
        text.append("answer  ")
        wrong = target[rows] != prediction[rows]
        for bit, bad in zip(prediction[rows], wrong, strict=True):
            text.append(str(bit), style="bold white on red" if bad else RIGHT)
        text.append("\n")
        if wrong.any():
            text.append("        " + "".join("^" if bad else " " for bad in wrong).rstrip() + "\n", style="red")
    text.rstrip()
    return text


def _maze_text(kinds: np.ndarray) -> Group:
    text = Text()
    for row in kinds:
        for kind in row:
            glyph, style = MAZE_CELLS[int(kind)]
            text.append(glyph, style=style)
        text.append("\n")
    text.rstrip()
    legend = Text("S start  G goal  ", style="dim")
    for kind, label in ((HIT, "path"), (EXTRA, "wrong"), (MISSED, "missed")):
        glyph, style = MAZE_CELLS[kind]
        legend.append(glyph, style=style)
        legend.append(f" {label}  ", style="dim")
    return Group(text, legend)


def _first_scores(step: ThoughtStep) -> np.ndarray:
    if step.scores is None:
        raise ValueError("a chess frame shades squares by the step's scores; this ThoughtStep has none")
    return step.scores[0]


def _target_squares(move: str) -> set[int]:
    parsed = chess.Move.from_uci(move)
    return {parsed.from_square, parsed.to_square}


def _chess_text(fen: str, target: str, scores: np.ndarray) -> Text:
    board = chess.Board(fen)
    colours, marked = chess_square_colours(board, scores), _target_squares(target)
    text = Text()
    for row in range(8):
        rank = 7 - row
        text.append(f"{rank + 1} ", style="dim")
        for file in range(8):
            square = chess.square(file, rank)
            piece = board.piece_at(square)
            glyph = piece.unicode_symbol() if piece else ("·" if square in marked else " ")
            r, g, b = colours[row, file]
            style = f"black on rgb({r},{g},{b})" + (" bold underline" if square in marked else "")
            text.append(f"{glyph} ", style=style)
        text.append("\n")
    text.append("  a b c d e f g h\n", style="dim")
    text.append(f"{'White' if board.turn else 'Black'} to move; solution {target}; ", style="dim")
    text.append("shade: the network's mark for the move's squares", style="dim")
    return text


def _chess_image(fen: str, target: str, scores: np.ndarray, cell: int = 32) -> Image.Image:
    """The shaded board with the pieces as letters (upper case White) and the solution's squares outlined."""
    board = chess.Board(fen)
    colours, marked = chess_square_colours(board, scores), _target_squares(target)
    image = Image.fromarray(colours.repeat(cell, axis=0).repeat(cell, axis=1))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=cell * 5 // 8)
    except (TypeError, ImportError):  # Pillow before 10.1, or without FreeType: the small bitmap font
        font = ImageFont.load_default()
    for square in chess.SQUARES:
        x, y = chess.square_file(square) * cell, (7 - chess.square_rank(square)) * cell
        piece = board.piece_at(square)
        if piece:
            draw.text((x + cell // 2, y + cell // 2), piece.symbol(), fill="black", anchor="mm", font=font)
        if square in marked:
            draw.rectangle([x + 1, y + 1, x + cell - 2, y + cell - 2], outline=(0, 160, 0), width=2)
    return image


def _sudoku_board(grid: np.ndarray, styles: np.ndarray, title: str) -> Text:
    text = Text(f"{title}\n", style="bold")
    rule = "+-------+-------+-------+\n"
    for r in range(9):
        if r % 3 == 0:
            text.append(rule)
        for c in range(9):
            text.append(("| " if c == 0 else " | ") if c % 3 == 0 else " ")
            text.append(str(grid[r, c]) if grid[r, c] else ".", style=str(styles[r, c]))
        text.append(" |\n")
    text.append(rule.rstrip())
    return text


def _sudoku_boards(puzzle: np.ndarray, solution: np.ndarray, prediction: np.ndarray) -> Table:
    given = puzzle > 0
    predicted = np.where(given, GIVEN, np.where(prediction == solution, RIGHT, WRONG))
    table = Table.grid(padding=(0, 4))
    table.add_row(
        _sudoku_board(prediction, predicted, "answer"),
        _sudoku_board(solution, np.where(given, GIVEN, "dim"), "solution"),
    )
    return table


def frame_image(
    problem_name: str,
    inputs: np.ndarray,
    target: np.ndarray,
    prediction: np.ndarray,
    iteration: int,
    scores: np.ndarray | None = None,
) -> Image.Image:
    """One frame of an animation: the same view as :func:`render_frame`, as an RGB image with a caption (chess
    needs the sample's ``scores`` from its :class:`ThoughtStep`)."""
    family = _family(problem_name)
    wrong = wrong_count(problem_name, target, prediction)
    caption = f"t={iteration}  " + ("solved" if wrong == 0 else f"{wrong} wrong")
    if family == "chess_puzzles":
        if scores is None:
            raise ValueError("a chess frame needs the step's scores to shade the squares")
        caption = f"t={iteration}  {prediction} " + ("right" if wrong == 0 else "wrong")
        return _captioned(_chess_image(str(inputs), str(target), scores), caption)
    if family == "mazes":
        kinds = np.pad(maze_cells(inputs, target, prediction), 1, constant_values=WALL)
        cell = max(2, min(16, 320 // len(kinds)))
        pixels = MAZE_COLOURS[kinds].repeat(cell, axis=0).repeat(cell, axis=1)
        return _captioned(Image.fromarray(pixels), caption)
    if family == "prefix_sums":
        return _captioned(_prefix_sums_image(inputs, target, prediction), caption)
    return _captioned(_sudoku_image(inputs, target, prediction), caption)


def _prefix_sums_image(bits: np.ndarray, target: np.ndarray, prediction: np.ndarray, cell: int = 8) -> Image.Image:
    """Per row of 64 bits: the input, the target and the prediction (wrong bits red), then a gap."""
    shade = {0: (255, 255, 255), 1: (0, 0, 0)}
    rows: list[list[tuple[int, int, int]]] = []
    for start in range(0, len(bits), ROW_BITS):
        rows.append([shade[int(b)] for b in bits[start : start + ROW_BITS]])
        rows.append([shade[int(b)] for b in target[start : start + ROW_BITS]])
        rows.append(
            [
                (220, 0, 0) if p != t else shade[int(p)]
                for p, t in zip(prediction[start : start + ROW_BITS], target[start : start + ROW_BITS], strict=True)
            ]
        )
        rows.append([])
    width = min(len(bits), ROW_BITS)
    pixels = np.full((len(rows), width, 3), 235, dtype=np.uint8)
    for r, row in enumerate(rows):
        if row:
            pixels[r, : len(row)] = row
    return Image.fromarray(pixels[:-1].repeat(cell, axis=0).repeat(cell, axis=1))


def _sudoku_image(puzzle: np.ndarray, solution: np.ndarray, prediction: np.ndarray, cell: int = 24) -> Image.Image:
    """The predicted board: givens black, right digits green, wrong ones red, box lines thick."""
    side = 9 * cell + 1
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    for k in range(10):
        width = 2 if k % 3 == 0 else 1
        draw.line([(k * cell, 0), (k * cell, side)], fill="black", width=width)
        draw.line([(0, k * cell), (side, k * cell)], fill="black", width=width)
    for (r, c), digit in np.ndenumerate(prediction):
        if digit:
            colour = "black" if puzzle[r, c] else ("green" if digit == solution[r, c] else "red")
            draw.text((c * cell + cell // 2, r * cell + cell // 2), str(digit), fill=colour, anchor="mm")
    return image


def _captioned(image: Image.Image, caption: str, height: int = 16) -> Image.Image:
    """The image under a white strip holding ``caption``."""
    framed = Image.new("RGB", (max(image.width, 8 * len(caption)), image.height + height), "white")
    framed.paste(image, (0, height))
    ImageDraw.Draw(framed).text((2, 2), caption, fill="black")
    return framed


def save_gif(path: str | Path, frames: list[Image.Image], fps: float) -> None:
    """Writes ``frames`` as a looping animated GIF, atomically; the last frame is held for 1.5 s."""
    if not frames:
        raise ValueError("no frames to save")
    duration = round(1000 / fps) if fps > 0 else 100
    durations = [duration] * (len(frames) - 1) + [1500]
    atomic_write(
        path,
        lambda tmp: frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0
        ),
    )


def save_strip(path: str | Path, frames: list[Image.Image]) -> None:
    """Writes ``frames`` side by side as one PNG, atomically."""
    if not frames:
        raise ValueError("no frames to save")
    strip = Image.new(
        "RGB", (sum(f.width for f in frames) + 8 * (len(frames) - 1), max(f.height for f in frames)), "white"
    )
    x = 0
    for frame in frames:
        strip.paste(frame, (x, 0))
        x += frame.width + 8
    atomic_write(path, lambda tmp: strip.save(tmp, format="PNG"))
