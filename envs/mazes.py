"""``DeepThink/Maze-v0`` (answer a maze's shortest path whole) and ``DeepThink/MazeNav-v0`` (walk it).

Both use the mazes of :mod:`puzzles.mazes`: perfect DFS mazes of odd size ``s`` drawn as ``(3, 2s+6, 2s+6)``
float images (the native format of the easy-to-hard benchmark) or as an ``(s, s)`` grid of codes
(``WALL=0``, ``OPEN=1``, ``START=2``, ``GOAL=3``; cells at even coordinates, the walls between them at odd
ones).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.solve import SolveEnv
from puzzles import mazes

_CHARS = np.array(list("#.SG"))  # text of the grid codes WALL, OPEN, START, GOAL
_PATH_RGB = np.array([0.2, 0.4, 1.0], dtype=np.float32)  # a right path pixel of an answer
_WRONG_RGB = np.array([1.0, 0.6, 0.0], dtype=np.float32)  # a wrong pixel of an answer
_AGENT_RGB = np.array([0.0, 0.0, 1.0], dtype=np.float32)  # the walker of MazeNav-v0


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    """An ``(H, W, 3)`` float image in 0..1 as uint8 0..255."""
    return (rgb * 255).round().astype(np.uint8)


class MazeEnv(SolveEnv):
    """A maze: see its image, answer its shortest path from start to goal as a pixel mask, in one step.

    ## Description

    The easy-to-hard benchmark's maze family (:mod:`puzzles.mazes`): a perfect maze (a spanning tree, so the
    path is unique) made by a depth-first backtracker, with a random start (green) and goal (red) cell. The
    answer marks every pixel of the path from start to goal, both included. A thinking solver trained on
    ``size=9`` solves far larger mazes by thinking longer; ``size`` is the difficulty knob.

    ## Action Space

    ``MultiBinary((2s+6, 2s+6))`` for maze size ``s``: the path mask over the native image, 1 on the path.
    Anything that is not a 0/1 array of that shape raises ``ValueError`` (values are not cast or wrapped).

    ## Observation Space

    ``Box(0, 1, (3, 2s+6, 2s+6), float32)``: the native RGB image, every element of the ``s x s`` grid as a
    2x2 block inside a black outer wall and border. Walls black, corridors white, start green, goal red.
    Unchanged by the step.

    ## Rewards

    ``1`` for the exact path, else ``0``; with ``partial_credit=True`` the fraction of right scored pixels.
    As in the benchmark only the open pixels of the image (corridors, start and goal) are scored: what the
    answer says about wall pixels does not count.

    ## Starting State

    A maze from the env's seeded generator, or ``reset(options={"puzzle": image})`` with a native image of
    this size (``ValueError`` for another size, a malformed image, or a maze without exactly one start and
    goal joined by a path). A posed maze with loops is scored against the shortest path that breadth-first
    search finds first.

    ## Episode End

    After the one step (``terminated=True``); stepping again raises ``RuntimeError`` until ``reset``.

    ## Info

    After the step: ``exact``, ``correct_fraction`` and ``solution`` (the true path mask, uint8).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/Maze-v0", size=13, partial_credit=False, render_mode="rgb_array")
    ```

    - ``size``: the maze size ``s``, odd and at least 3 (default 9, 5x5 cells: the shipped solver's training
      size); images have side ``2s+6``.
    - ``partial_credit``: score the fraction of right pixels instead of 0 for an inexact answer.
    - ``render_mode``: ``None``, ``"ansi"`` (the grid as text, ``#`` wall, ``.`` open, ``S``/``G``; after the
      step ``o`` marks right path elements, ``x`` elements marked off the path and ``!`` path elements
      missed) or ``"rgb_array"`` (the native image as ``(2s+6, 2s+6, 3)`` uint8; after the step right path
      pixels blue and wrong pixels orange).

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 1}

    def __init__(self, size: int = 9, partial_credit: bool = False, render_mode: str | None = None) -> None:
        super().__init__(partial_credit, render_mode)
        self.size = mazes.check_size(size)
        side = mazes.image_side(self.size)
        self.observation_space = spaces.Box(0.0, 1.0, (3, side, side), dtype=np.float32)
        self.action_space = spaces.MultiBinary((side, side))

    def _generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        images, paths = mazes.generate(1, self.size, rng)
        return images[0], paths[0]

    def _pose(self, puzzle: Any) -> tuple[np.ndarray, np.ndarray]:
        grid = mazes.grid_of_image(puzzle, self.size)
        path = mazes.shortest_path(grid)  # ValueError without one start and goal joined by a path
        image = mazes.compact_to_image(mazes.COLOURS[grid].transpose(2, 0, 1)[None])[0]
        return image, mazes.compact_to_image(path[None])[0]

    def _scored(self) -> np.ndarray:
        """The open pixels of the image (any channel lit), the benchmark's mask: wall pixels do not count."""
        return self.puzzle.max(axis=0) > 0

    def _render_rgb(self) -> np.ndarray:
        """The maze as an ``(2s+6, 2s+6, 3)`` uint8 image, the answer's path drawn once given."""
        rgb = self.puzzle.transpose(1, 2, 0).copy()
        if self.answer is not None:
            answer, solution = self.answer.astype(bool), self.solution.astype(bool)
            corridor = self.puzzle.min(axis=0) == 1  # white pixels: start and goal keep their colours
            rgb[answer & solution & corridor] = _PATH_RGB
            rgb[(answer != solution) & self._scored()] = _WRONG_RGB
        return _to_uint8(rgb)

    def _render_text(self) -> str:
        grid = mazes.grid_of_compact(mazes.image_to_compact(self.puzzle[None])[0])
        chars = _CHARS[grid]
        if self.answer is not None:
            scored = self._scored()
            wrong_pixels = (self.answer != self.solution) & scored
            wrong = mazes.element_blocks(wrong_pixels, self.size)
            on_path = mazes.element_blocks(self.solution.astype(bool), self.size)
            chars[on_path & ~wrong & (grid == mazes.OPEN)] = "o"
            chars[on_path & wrong] = "!"
            chars[~on_path & wrong] = "x"
        lines = ["".join(row) for row in chars]
        if self.answer is not None:
            count = int(wrong_pixels.sum())
            lines.append("answer: exact" if count == 0 else f"answer: {count} of {int(scored.sum())} pixels wrong")
        return "\n".join(lines)


class MazeNavEnv(gym.Env[np.ndarray, np.int64]):
    """A maze walked one move per step, from the start cell to the goal.

    ## Description

    The mazes of :mod:`puzzles.mazes` (perfect DFS mazes, so the path is unique) in the compact view: an
    ``s x s`` grid of elements, cells at even coordinates and the walls or passages between them at odd
    ones. The agent starts on the start cell and moves one element per step; it must reach the goal. A
    planner (e.g. a thinking network predicting the path mask) can read the maze as ``env.unwrapped.grid``.

    ## Action Space

    ``Discrete(4)``: ``0`` up, ``1`` right, ``2`` down, ``3`` left (one element). A move into a wall or off
    the board leaves the agent in place and still costs the step. Anything that is not an action in
    ``0..3`` raises ``ValueError``. The moves that do not hit a wall are given by ``action_masks()`` (a
    ``(4,)`` bool array, the sb3-contrib ``MaskablePPO`` convention; through wrappers use
    ``env.unwrapped.action_masks()`` or ``env.get_wrapper_attr("action_masks")()``) and by
    ``info["action_mask"]``.

    ## Observation Space

    ``Box(0, 1, (4, s, s), float32)``: the three colour channels of the compact view (walls black, open
    white, start green, goal red, as :data:`puzzles.mazes.COLOURS`) and a fourth channel with a single 1 at
    the agent's position.

    ## Rewards

    ``+1`` on the step that reaches the goal; ``-step_penalty`` (default ``-0.01``) on every other step,
    blocked moves included. An episode that walks the shortest path of ``L`` moves returns
    ``1 - (L - 1) * step_penalty``.

    ## Starting State

    The agent on the start cell of a maze from the env's seeded generator, or of
    ``reset(options={"maze": ...})``: an ``(s, s)`` grid of codes (0 wall, 1 open, 2 start, 3 goal) or a
    native ``(3, 2s+6, 2s+6)`` image, of this env's size. ``ValueError`` for an unknown option key, another
    size, a malformed maze, or one without exactly one start and goal joined by a path.

    ## Episode End

    - **Termination**: the agent reaches the goal.
    - **Truncation**: after ``max_steps`` steps without reaching it.

    Stepping a finished episode (or before ``reset``) raises ``RuntimeError``.

    ## Info

    Every ``reset``/``step`` returns ``action_mask`` (bool ``(4,)``), ``position`` (``(row, col)`` in the
    compact view), ``steps`` (taken this episode) and ``shortest_path_length`` (moves from start to goal
    along the shortest path).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/MazeNav-v0", size=13, max_steps=None, step_penalty=0.01, render_mode="ansi")
    ```

    - ``size``: the maze size ``s``, odd and at least 3 (default 9, 5x5 cells).
    - ``max_steps``: the step cap for truncation (default ``None``: four times the maze's open elements,
      start and goal included, fixed per episode).
    - ``step_penalty``: the cost of a step that does not reach the goal (default ``0.01``, finite, >= 0).
    - ``render_mode``: ``None``, ``"ansi"`` (the grid as text, ``#`` wall, ``.`` open, ``S``/``G``, ``@``
      the agent) or ``"rgb_array"`` (the native image view as ``(2s+6, 2s+6, 3)`` uint8, the agent blue).

    The maze is readable as ``env.unwrapped.grid`` (a copy of the ``(s, s)`` uint8 grid of codes).

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        size: int = 9,
        max_steps: int | None = None,
        step_penalty: float = 0.01,
        render_mode: str | None = None,
    ) -> None:
        """Builds the environment; see the class docstring for the arguments.

        Raises:
            ValueError: for a bad size, step cap, penalty or render mode.
        """
        self.size = mazes.check_size(size)
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1):
            raise ValueError(f"max_steps is a positive integer or None, got {max_steps!r}")
        number = isinstance(step_penalty, (int, float, np.integer, np.floating)) and not isinstance(step_penalty, bool)
        if not (number and np.isfinite(step_penalty) and step_penalty >= 0):
            raise ValueError(f"step_penalty is a finite number >= 0, got {step_penalty!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.max_steps = max_steps
        self.step_penalty = float(step_penalty)
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0.0, 1.0, (4, self.size, self.size), dtype=np.float32)
        self.action_space = spaces.Discrete(4)

        self._grid = np.zeros((self.size, self.size), dtype=np.uint8)
        self._goal = self._position = (0, 0)
        self._path_length = 0
        self._limit = 1
        self._steps = 0
        self._started = False
        self._done = False

    # ---------------------------------------------------------------- public API

    @property
    def grid(self) -> np.ndarray:
        """A copy of the maze as an ``(s, s)`` uint8 grid of codes (0 wall, 1 open, 2 start, 3 goal)."""
        return self._grid.copy()

    def action_masks(self) -> np.ndarray:
        """The moves (up, right, down, left) that do not run into a wall or off the board, bool ``(4,)``."""
        row, col = self._position
        mask = np.zeros(4, dtype=bool)
        for action, (dr, dc) in enumerate(mazes.MOVES):
            r, c = row + dr, col + dc
            mask[action] = 0 <= r < self.size and 0 <= c < self.size and self._grid[r, c] != mazes.WALL
        return mask

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Starts an episode on a generated maze or on ``options["maze"]`` (a grid or a native image).

        Raises:
            ValueError: for an unknown option or a maze that is malformed, of another size or unsolvable.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = set(options) - {"maze"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; the only one is 'maze'")
        if "maze" in options:
            grid = self._check_maze(options["maze"])
        else:
            grid = mazes.generate_grid(self.size, self.np_random)
        path = mazes.shortest_path(grid)  # ValueError without one start and goal joined by a path
        self._grid = grid
        self._position = tuple(int(i) for i in np.argwhere(grid == mazes.START)[0])
        self._goal = tuple(int(i) for i in np.argwhere(grid == mazes.GOAL)[0])
        self._path_length = int(path.sum()) - 1
        self._limit = self.max_steps if self.max_steps is not None else 4 * int((grid != mazes.WALL).sum())
        self._steps = 0
        self._started, self._done = True, False
        return self._observe(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Moves the agent one element (or not, into a wall).

        Raises:
            RuntimeError: before ``reset`` or after the episode ended.
            ValueError: for anything but an action in ``0..3``.
        """
        if not self._started:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode is over: call reset() before step()")
        if isinstance(action, bool) or not self.action_space.contains(action):
            raise ValueError(f"an action is an integer in 0..3 (up, right, down, left), got {action!r}")
        action = int(action)
        if self.action_masks()[action]:
            dr, dc = mazes.MOVES[action]
            self._position = (self._position[0] + dr, self._position[1] + dc)
        self._steps += 1
        terminated = self._position == self._goal
        truncated = not terminated and self._steps >= self._limit
        self._done = terminated or truncated
        reward = 1.0 if terminated else -self.step_penalty
        return self._observe(), reward, terminated, truncated, self._info()

    def render(self) -> str | np.ndarray | None:
        """The maze and the agent as text (``"ansi"``) or as a ``(2s+6, 2s+6, 3)`` uint8 image (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn(
                "You are calling render method without specifying any render mode. You can specify the "
                'render_mode at initialization, e.g. gym.make("DeepThink/MazeNav-v0", render_mode="ansi")'
            )
            return None
        if not self._started:
            raise RuntimeError("call reset() before render()")
        if self.render_mode == "ansi":
            chars = _CHARS[self._grid]
            chars[self._position] = "@"
            lines = ["".join(row) for row in chars]
            lines.append(f"step {self._steps} of {self._limit}; shortest path {self._path_length} moves")
            return "\n".join(lines)
        compact = mazes.COLOURS[self._grid]
        compact[self._position] = _AGENT_RGB
        return _to_uint8(mazes.compact_to_image(compact.transpose(2, 0, 1)[None])[0].transpose(1, 2, 0))

    # ---------------------------------------------------------------- internals

    def _check_maze(self, maze: Any) -> np.ndarray:
        """The grid of a maze given to ``reset``: a grid of codes or a native image of this size."""
        try:
            grid = np.asarray(maze)
        except (TypeError, ValueError):  # a ragged nest of lists
            grid = np.asarray(None)
        if grid.ndim == 3:
            return mazes.grid_of_image(grid, self.size)
        if grid.ndim != 2 or grid.dtype.kind not in "biuf":
            raise ValueError(f"a maze is an (s, s) grid of codes or a (3, 2s+6, 2s+6) image, got {type(maze).__name__}")
        if grid.shape != (self.size, self.size):
            raise ValueError(f"this environment takes size-{self.size} mazes, got a grid of shape {grid.shape}")
        if not np.isin(grid, (mazes.WALL, mazes.OPEN, mazes.START, mazes.GOAL)).all():
            raise ValueError("a maze grid holds only the codes 0 (wall), 1 (open), 2 (start) and 3 (goal)")
        return grid.astype(np.uint8)

    def _observe(self) -> np.ndarray:
        planes = np.zeros((4, self.size, self.size), dtype=np.float32)
        planes[:3] = mazes.COLOURS[self._grid].transpose(2, 0, 1)
        planes[3][self._position] = 1.0
        return planes

    def _info(self) -> dict[str, Any]:
        return {
            "action_mask": self.action_masks(),
            "position": self._position,
            "steps": self._steps,
            "shortest_path_length": self._path_length,
        }
