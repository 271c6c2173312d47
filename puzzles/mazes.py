"""Mazes as in the easy-to-hard benchmark: perfect DFS mazes, RGB images and shortest-path masks.

A maze of *size* ``s`` (odd; 9 means 5x5 cells) is generated on a grid of ``s`` x ``s`` elements (cells at
even coordinates, the walls between them at odd ones) by a depth-first recursive backtracker that starts at
the start cell, written with an explicit stack so 801x801 mazes work. Start and goal are two distinct
random cells; the maze is perfect (a spanning tree), so the shortest path, found by breadth-first search,
is unique.

Three views, with exact conversions between them:

- **grid** ``(s, s)`` uint8: 0 wall, 1 open, 2 start, 3 goal (the generator's own);
- **compact** ``(B, 3, s, s)`` float32: one pixel per element, coloured as the image;
- **image** ``(B, 3, 2s+6, 2s+6)`` float32, the native format: the grid with its outer wall, every element
  drawn as a 2x2 block, and a 1-pixel black border. Walls black, corridors white, start green (0,1,0),
  goal red (1,0,0).

Answers are uint8 masks of the path (start and goal included) in the matching view.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

WALL, OPEN, START, GOAL = 0, 1, 2, 3
#: RGB colour of each grid code.
COLOURS = np.array([[0, 0, 0], [1, 1, 1], [0, 1, 0], [1, 0, 0]], dtype=np.float32)
_STEPS = ((0, 2), (2, 0), (0, -2), (-2, 0))
#: One-element moves in the grid or compact view as (row, col) offsets: up, right, down, left (the actions of
#: ``DeepThink/MazeNav-v0``).
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


def image_side(size: int) -> int:
    """Side of the native image of a maze of size ``size``: ``2 * size + 6``."""
    return 2 * size + 6


def check_size(size: int) -> int:
    """Returns ``size`` if it is an odd integer >= 3, else raises ValueError."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3 or size % 2 == 0:
        raise ValueError(f"maze size must be an odd integer >= 3 (9 means 5x5 cells), got {size!r}")
    return int(size)


def generate_grid(size: int, rng: np.random.Generator) -> np.ndarray:
    """One maze as a grid ``(size, size)`` with start and goal marked."""
    size = check_size(size)
    cells = (size + 1) // 2
    grid = np.zeros((size, size), dtype=np.uint8)
    first, second = rng.choice(cells * cells, size=2, replace=False)
    start = (2 * (first // cells), 2 * (first % cells))
    goal = (2 * (second // cells), 2 * (second % cells))
    grid[start] = OPEN
    stack = [start]
    while stack:
        r, c = stack[-1]
        options = [
            (r + dr, c + dc)
            for dr, dc in _STEPS
            if 0 <= r + dr < size and 0 <= c + dc < size and grid[r + dr, c + dc] == WALL
        ]
        if not options:
            stack.pop()
            continue
        nr, nc = options[rng.integers(len(options))]
        grid[(r + nr) // 2, (c + nc) // 2] = OPEN
        grid[nr, nc] = OPEN
        stack.append((nr, nc))
    grid[start], grid[goal] = START, GOAL
    return grid


def shortest_path(grid: np.ndarray) -> np.ndarray:
    """The shortest path from start to goal by breadth-first search, as a uint8 mask of the grid.

    Raises:
        ValueError: if the grid has no single start and goal, or no path joins them.
    """
    starts, goals = np.argwhere(grid == START), np.argwhere(grid == GOAL)
    if len(starts) != 1 or len(goals) != 1:
        raise ValueError("a maze needs exactly one start and one goal")
    size_r, size_c = grid.shape
    start, goal = tuple(starts[0]), tuple(goals[0])
    parent = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        r, c = node
        for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nxt[0] < size_r and 0 <= nxt[1] < size_c and grid[nxt] != WALL and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    if goal not in parent:
        raise ValueError("no path joins the start and the goal")
    mask = np.zeros(grid.shape, dtype=np.uint8)
    node = goal
    while node != start:
        mask[node] = 1
        node = parent[node]
    mask[start] = 1
    return mask


def generate_compact(
    count: int, size: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` mazes in the compact view: inputs ``(count, 3, s, s)`` float32, paths ``(count, s, s)`` uint8."""
    rng = np.random.default_rng(rng)
    grids = [generate_grid(size, rng) for _ in range(count)]
    paths = np.stack([shortest_path(g) for g in grids]) if grids else np.zeros((0, size, size), np.uint8)
    colours = COLOURS[np.stack(grids)] if grids else np.zeros((0, size, size, 3), np.float32)
    return np.ascontiguousarray(colours.transpose(0, 3, 1, 2)), paths


def generate(count: int, size: int, rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` mazes in the native format: images ``(count, 3, 2s+6, 2s+6)`` and path masks."""
    inputs, paths = generate_compact(count, size, rng)
    return compact_to_image(inputs), compact_to_image(paths)


def compact_to_image(compact: np.ndarray) -> np.ndarray:
    """Compact ``(B, 3, s, s)`` inputs or ``(B, s, s)`` masks to the native image view (exact)."""
    pad = [(0, 0)] * (compact.ndim - 2) + [(3, 3), (3, 3)]
    # The outer wall ring (1 element = 2 pixels) plus the 1-pixel border surround the upscaled grid.
    upscaled = compact.repeat(2, axis=-1).repeat(2, axis=-2)
    return np.pad(upscaled, pad)


def image_to_compact(image: np.ndarray) -> np.ndarray:
    """Native ``(B, 3, 2s+6, 2s+6)`` images or ``(B, 2s+6, 2s+6)`` masks to the compact view (exact)."""
    return np.ascontiguousarray(image[..., 3:-3:2, 3:-3:2])


def validate_images(images: np.ndarray) -> np.ndarray:
    """Checks a batch of native maze images and returns it as float32.

    Beyond the format, each image must draw a maze: uniform 2x2 element blocks inside the 3-pixel black frame,
    and exactly one start and one goal (a network would answer anything else, meaninglessly).

    Raises:
        TypeError: not a float numpy array.
        ValueError: wrong shape (not ``(B, 3, 2s+6, 2s+6)`` with odd s), values other than 0/1, pixels whose
            colour is not a maze colour, an image that is not drawn as a maze, or a maze without exactly one start
            and one goal (naming the maze).
    """
    if not isinstance(images, np.ndarray):
        raise TypeError(f"mazes take a numpy array of images, got {type(images).__name__}")
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"maze images must be float (0/1 values), got dtype {images.dtype}")
    if images.ndim != 4 or images.shape[1] != 3 or images.shape[2] != images.shape[3]:
        raise ValueError(f"maze images must have shape (B, 3, 2s+6, 2s+6), got {images.shape}")
    side = images.shape[2]
    if side < 12 or (side - 6) % 4 != 2:
        raise ValueError(f"maze image side must be 2s+6 for an odd size s >= 3, got {side}")
    if not np.isin(images, (0.0, 1.0)).all():
        raise ValueError("maze image pixels must be 0 or 1")
    # Of the 0/1 colours only black, white, green and red are maze colours: blue is lit exactly on white.
    if not np.array_equal(images[:, 2], images[:, 0] * images[:, 1]):
        raise ValueError("maze image pixels must be black, white, green (start) or red (goal)")
    _check_drawn_as_mazes(images)
    return images.astype(np.float32, copy=False)


def _check_drawn_as_mazes(images: np.ndarray) -> None:
    """Every image a maze: 2x2 blocks in a black frame, one green start and one red goal element."""
    compact = image_to_compact(images)
    drawn = ~(compact_to_image(compact) == images).all(axis=(1, 2, 3))
    if drawn.any():
        raise ValueError(
            f"maze {int(np.argmax(drawn))} is not a maze image: every element must be a uniform 2x2 block inside a "
            "3-pixel black frame"
        )
    red, green = compact[:, 0] > 0, compact[:, 1] > 0
    starts, goals = (green & ~red).sum(axis=(1, 2)), (red & ~green).sum(axis=(1, 2))
    wrong = (starts != 1) | (goals != 1)
    if wrong.any():
        index = int(np.argmax(wrong))
        raise ValueError(
            f"maze {index} has {starts[index]} start(s) (green) and {goals[index]} goal(s) (red); a maze has exactly "
            "one of each"
        )


def image_size(images: np.ndarray) -> int:
    """The maze size ``s`` of native images of side ``2s+6``."""
    return (images.shape[-1] - 6) // 2


def grid_of_compact(compact: np.ndarray) -> np.ndarray:
    """The grid of codes of one compact ``(3, s, s)`` view whose colours :func:`validate_images` has checked."""
    matches = (compact.transpose(1, 2, 0)[:, :, None, :] == COLOURS).all(axis=-1)  # (s, s, 4)
    return matches.argmax(axis=-1).astype(np.uint8)


def grid_of_image(image: Any, size: int) -> np.ndarray:
    """The grid of codes of one native maze image of this ``size`` (anything array-like).

    Raises:
        ValueError: not a float array of shape ``(3, 2s+6, 2s+6)``, not drawn as a maze (see
            :func:`validate_images`), or a maze of another size.
    """
    try:
        array = np.asarray(image, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"a maze image is a (3, 2s+6, 2s+6) array of 0/1 floats, got {type(image).__name__}") from None
    if array.ndim != 3:
        raise ValueError(f"a maze image has shape (3, 2s+6, 2s+6), got {array.shape}")
    array = validate_images(array[None])[0]  # also checks that it is drawn as a maze with a start and goal
    side = image_side(size)
    if array.shape[-1] != side:
        raise ValueError(
            f"this environment takes size-{size} mazes (images of side {side}), "
            f"got side {array.shape[-1]} (size {image_size(array)})"
        )
    return grid_of_compact(image_to_compact(array[None])[0])


def element_blocks(mask: np.ndarray, size: int) -> np.ndarray:
    """Per element of the compact view, whether any pixel of its 2x2 block in a native ``mask`` is set."""
    return mask[3:-3, 3:-3].reshape(size, 2, size, 2).any(axis=(1, 3))
