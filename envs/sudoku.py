"""``DeepThink/Sudoku-v0`` (answer the whole grid in one step) and ``DeepThink/SudokuFill-v0`` (one digit a step)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.actions import discrete_action
from envs.rendering import sudoku_picture
from envs.solve import SolveEnv
from puzzles import sudoku

#: ``_PEER_MATRIX[i, j]`` is 1 when cells ``i`` and ``j`` share a row, column or box (``i != j``).
_PEER_MATRIX = np.zeros((81, 81), dtype=np.int32)
for _cell, _peers in enumerate(sudoku.PEERS):
    _PEER_MATRIX[_cell, list(_peers)] = 1
NUM_ACTIONS = 729  # 9 digits x 81 cells, digit-major


def _check_givens(givens: Any, most: int) -> int:
    """``givens`` as an int in ``17..most``, else one clear ValueError."""
    if isinstance(givens, bool) or not isinstance(givens, (int, np.integer)) or not 17 <= givens <= most:
        raise ValueError(f"givens is an integer from 17 to {most}, got {givens!r}")
    return int(givens)


def _pose_grid(puzzle: Any) -> tuple[np.ndarray, np.ndarray]:
    """A user's ``(9, 9)`` puzzle, checked by :func:`puzzles.sudoku.validate`, and its unique solution."""
    grid = np.asarray(puzzle)
    if grid.shape != (9, 9):
        raise ValueError(f"a Sudoku puzzle is a (9, 9) grid, got shape {grid.shape}")
    solution = sudoku.solve(grid)[0]  # validates: integers 0..9, no contradiction, exactly one solution
    return grid.astype(np.int8), solution


def legal_mask(grid: np.ndarray) -> np.ndarray:
    """The placements the rules allow on a ``(9, 9)`` grid: bool ``(729,)``, index ``81 * (digit - 1) + cell``.

    A placement is legal when the cell is blank and the digit is not already in the cell's row, column or
    box. Only the rules are used (never the solution), so a legal placement may still be wrong.
    """
    flat = np.asarray(grid).reshape(81)
    present = np.zeros((81, 10), dtype=np.int32)
    present[np.arange(81), flat] = 1
    seen = _PEER_MATRIX @ present[:, 1:]  # (81, 9): how many peers hold each digit
    legal = (flat == 0)[:, None] & (seen == 0)
    return np.ascontiguousarray(legal.T).reshape(NUM_ACTIONS)


def board_text(grid: np.ndarray, marked: np.ndarray | None = None) -> str:
    """A ``(9, 9)`` grid as text with box separators, ``.`` for blanks and ``[d]`` around each ``marked`` cell."""
    lines = []
    for row in range(9):
        if row in (3, 6):
            lines.append("---------+---------+---------")
        cells = []
        for col in range(9):
            digit = int(grid[row, col])
            text = str(digit) if digit else "."
            cells.append(f"[{text}]" if marked is not None and marked[row, col] else f" {text} ")
        lines.append("|".join("".join(cells[start : start + 3]) for start in (0, 3, 6)).rstrip())
    return "\n".join(lines)


class SudokuEnv(SolveEnv):
    """Sudoku answered whole: see a puzzle, answer the completed grid in one step.

    ## Description

    Classic 9x9 Sudoku (:mod:`puzzles.sudoku`): fill the blanks so that every row, column and 3x3 box
    holds the digits 1..9 once. Every generated puzzle has exactly ``givens`` givens and a unique solution;
    fewer givens is harder (more blanks, and more search for the exact solver). ``givens`` is the difficulty
    knob.

    ## Action Space

    ``MultiDiscrete(np.full((9, 9), 9), start=np.ones((9, 9)))``: the completed grid, digits 1..9 in every
    cell (int64). An answer outside the space (another shape, a 0 or a 10, text) raises ``ValueError`` and
    leaves the episode open. Stable-Baselines3 supports neither a 2-D ``MultiDiscrete`` nor ``start != 0``
    (its checker warns): wrap the env to flatten the action to 81 digits and add 1.

    ## Observation Space

    ``Box(0, 9, (9, 9), int8)``: the puzzle, ``0`` for a blank; unchanged by the step.

    ## Rewards

    ``1`` when every cell equals the unique solution, else ``0``. With ``partial_credit=True`` a wrong
    answer earns the fraction of the puzzle's *blank* cells it got right (copying the givens earns nothing).
    An answer that changes a given is not an answer to this puzzle and scores ``0``, also with partial
    credit.

    ## Starting State

    A fresh puzzle from :func:`puzzles.sudoku.make_puzzle` with the env's seeded generator (about 30 ms at
    36 givens, 0.15 s at 24, over a second at 22), or ``reset(options={"puzzle": grid})`` with any ``(9, 9)``
    integer grid of 0..9 that has a unique solution, whatever its number of givens (``ValueError`` for a bad
    shape or value, a contradiction, no solution or several). ``options`` has no other key.

    ## Episode End

    After the one step (``terminated=True``); stepping again raises ``RuntimeError`` until ``reset``.

    ## Info

    ``reset``: empty. After the step: ``exact`` (bool), ``correct_fraction`` (the fraction of blank cells
    right, 0 when the answer changed a given) and ``solution`` (int8 ``(9, 9)``).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/Sudoku-v0", givens=36, partial_credit=False, render_mode="ansi")
    ```

    - ``givens``: givens per generated puzzle, 17..81 (default 36). Below about 22 generation gets slow,
      and 17 is practically out of reach (see :mod:`puzzles.sudoku`).
    - ``partial_credit``: reward the fraction of blanks right instead of 0 for a wrong answer.
    - ``render_mode``: ``None``, ``"ansi"`` (the puzzle; once answered, the answer with each
      wrong cell in brackets) or ``"rgb_array"`` (a ``(276, 276, 3)`` uint8 picture of the grid: the givens
      black; once answered, the answer's other digits blue and its wrong ones red).

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 1}

    def __init__(self, givens: int = 36, partial_credit: bool = False, render_mode: str | None = None) -> None:
        super().__init__(partial_credit, render_mode)
        self.givens = _check_givens(givens, 81)
        self.observation_space = spaces.Box(0, 9, (9, 9), dtype=np.int8)
        self.action_space = spaces.MultiDiscrete(np.full((9, 9), 9), start=np.ones((9, 9), dtype=np.int64))

    def _generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return sudoku.make_puzzle(self.givens, rng)

    def _pose(self, puzzle: Any) -> tuple[np.ndarray, np.ndarray]:
        return _pose_grid(puzzle)

    def _score(self, answer: np.ndarray) -> tuple[bool, float]:
        """Exact: every cell equals the solution; partial credit: the blanks right, 0 if a given was changed."""
        given = self.puzzle > 0
        if not np.array_equal(answer[given], self.puzzle[given]):
            return False, 0.0
        return bool(np.array_equal(answer, self.solution)), float((answer == self.solution)[~given].mean())

    def _render_rgb(self) -> np.ndarray:
        if self.answer is None:
            return sudoku_picture(self.puzzle)
        return sudoku_picture(self.answer, self.puzzle > 0, self.answer != self.solution)

    def _render_text(self) -> str:
        lines = [f"puzzle ({int((self.puzzle > 0).sum())} givens)", board_text(self.puzzle)]
        if self.answer is not None:
            wrong = self.answer != self.solution
            verdict = "exact" if not wrong.any() else f"{int(wrong.sum())} wrong cells in brackets"
            lines += [f"answer ({verdict})", board_text(self.answer, wrong)]
        return "\n".join(lines)


class SudokuFillEnv(gym.Env[np.ndarray, np.int64]):
    """Sudoku filled one digit per step, with masks of the placements the rules allow.

    ## Description

    The puzzle of ``DeepThink/Sudoku-v0`` solved step by step: each action writes one digit into one blank
    cell. The masks follow the rules only (a blank cell, a digit not yet in its row, column or box); they
    never consult the solution, so a legal placement may be wrong and lead to a dead end later.

    ## Action Space

    ``Discrete(729)``: ``action = 81 * (digit - 1) + cell`` with ``cell = 9 * row + col`` (rows, columns
    0..8, digits 1..9). Legal actions are given by ``action_masks()`` (bool ``(729,)``, the sb3-contrib
    ``MaskablePPO`` convention; reach it through wrappers with ``env.unwrapped.action_masks()`` or
    ``env.get_wrapper_attr("action_masks")()``) and by ``info["action_mask"]``.

    **An illegal action never raises**: any action in ``0..728`` the mask does not allow (a filled cell, a digit
    that repeats in the row, column or box) ends the episode at once with reward ``-1``, ``terminated=True`` and
    ``info["illegal"] = True``; the grid is left as it was. A value outside the action space is refused
    (``TypeError`` for a non-integer, ``ValueError`` for an integer outside ``0..728``) and the episode goes on.

    ## Observation Space

    ``Box(0, 9, (9, 9), int8)``: the current grid, ``0`` for a blank.

    ## Rewards

    ``+1`` on the step that completes the grid (a complete grid that keeps the rules is the unique
    solution); ``-1`` for an illegal action; ``0`` on every other step, including the one that reaches a dead
    end.

    ## Starting State

    A fresh puzzle from :func:`puzzles.sudoku.make_puzzle` with the env's seeded generator, or
    ``reset(options={"puzzle": grid})`` with a ``(9, 9)`` grid that has a unique solution and at least one
    blank (``ValueError`` otherwise, or for any other option key).

    ## Episode End

    - **Termination**: the grid is complete (reward ``+1``); no legal placement is left while blanks remain
      (a dead end after wrong placements, reward ``0``); or an illegal action (reward ``-1``). A wrong
      placement does not end the episode by itself: the episode goes on until the masks run dry, which takes
      at most as many steps as there were blanks.
    - **Truncation**: never (every legal step fills a cell, so an episode has at most ``81 - givens`` steps).

    Stepping a finished episode, or before ``reset``, raises ``RuntimeError``.

    ## Info

    Every ``reset``/``step`` returns ``action_mask`` (bool ``(729,)``; all False once the episode is over),
    ``filled`` (non-blank cells, givens included, 0..81), ``givens`` (the puzzle's givens) and ``illegal``
    (bool).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/SudokuFill-v0", givens=36, render_mode="ansi")
    ```

    - ``givens``: givens per generated puzzle, 17..80 (default 36; a generated puzzle always has a blank).
    - ``illegal_action``: what an action outside the mask does; ``"terminate"`` (the only choice, the
      default) ends the episode with reward ``-1``.
    - ``render_mode``: ``None``, ``"ansi"`` (the grid with the agent's placements in brackets) or
      ``"rgb_array"`` (a ``(276, 276, 3)`` uint8 picture of the grid, the givens black and the agent's
      placements blue).

    ## Determinism

    Given the seed of ``reset``, the puzzle and every step are reproducible.

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, givens: int = 36, render_mode: str | None = None, illegal_action: str = "terminate") -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        if illegal_action != "terminate":
            raise ValueError(f"illegal_action is 'terminate' (the only mode), got {illegal_action!r}")
        self.givens = _check_givens(givens, 80)
        self.render_mode = render_mode
        self.illegal_action = illegal_action
        self.observation_space = spaces.Box(0, 9, (9, 9), dtype=np.int8)
        self.action_space = spaces.Discrete(NUM_ACTIONS)
        self.puzzle: np.ndarray | None = None
        self.solution: np.ndarray | None = None
        self.grid: np.ndarray | None = None
        self._mask = np.zeros(NUM_ACTIONS, dtype=bool)
        self._done = True

    def action_masks(self) -> np.ndarray:
        """The legal placements in the current grid, bool ``(729,)`` (all False once the episode is over)."""
        return self._mask.copy()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Starts an episode on a generated puzzle or on ``options["puzzle"]``.

        Raises:
            ValueError: for an unknown option, or a posed puzzle that is malformed, contradictory, complete,
                or without a unique solution.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = set(options) - {"puzzle"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; the only one is 'puzzle'")
        if "puzzle" in options:
            puzzle, solution = _pose_grid(options["puzzle"])
            if puzzle.all():
                raise ValueError("the puzzle has no blank cell: there is nothing to fill")
        else:
            puzzle, solution = sudoku.make_puzzle(self.givens, self.np_random)
        self.puzzle, self.solution, self.grid = puzzle, solution, puzzle.copy()
        self._mask = legal_mask(self.grid)
        self._done = False
        return self.grid.copy(), self._info(illegal=False)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Writes one digit; see the class docstring for rewards and episode end.

        Raises:
            RuntimeError: before ``reset`` or after the episode ended (an illegal action does not raise).
            TypeError: an action that is not an integer.
            ValueError: an integer outside ``0..728``.
        """
        if self._done:
            raise RuntimeError("the episode is over (or not started): call reset() before step()")
        index = discrete_action(action, NUM_ACTIONS)
        if not self._mask[index]:
            self._done = True
            self._mask[:] = False
            return self.grid.copy(), -1.0, True, False, self._info(illegal=True)
        digit, cell = divmod(index, 81)
        self.grid.reshape(81)[cell] = digit + 1
        self._mask = legal_mask(self.grid)
        reward = 0.0
        if self.grid.all():  # complete and legal: the unique solution
            reward = 1.0 if np.array_equal(self.grid, self.solution) else 0.0
            self._done = True
        elif not self._mask.any():  # dead end
            self._done = True
        return self.grid.copy(), reward, self._done, False, self._info(illegal=False)

    def render(self) -> str | np.ndarray | None:
        """The grid as text with the agent's placements in brackets (``"ansi"``) or as a picture with them in
        blue (``"rgb_array"``); None without a render mode."""
        if self.render_mode is None:
            return None
        if self.grid is None:
            raise RuntimeError("call reset() before render()")
        if self.render_mode == "rgb_array":
            return sudoku_picture(self.grid, self.puzzle > 0)
        filled = int((self.grid > 0).sum())
        placed = (self.grid > 0) & (self.puzzle == 0)
        return f"{board_text(self.grid, placed)}\nfilled {filled}/81 ({int(placed.sum())} placed, in brackets)"

    def _info(self, illegal: bool) -> dict[str, Any]:
        return {
            "action_mask": self._mask.copy(),
            "filled": int((self.grid > 0).sum()),
            "givens": int((self.puzzle > 0).sum()),
            "illegal": bool(illegal),
        }
