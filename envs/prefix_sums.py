"""``DeepThink/PrefixSums-v0``: answer a bit string's running parity in one step."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from envs.rendering import bits_picture
from envs.solve import SolveEnv
from puzzles import prefix_sums


class PrefixSumsEnv(SolveEnv):
    """Prefix sums modulo two: see ``size`` bits, answer their running parity.

    ## Description

    The easy-to-hard benchmark's simplest family (:mod:`puzzles.prefix_sums`): the answer to bits
    ``x_1..x_n`` is ``y_i = (x_1 + ... + x_i) mod 2``. A thinking solver trained on 32 bits answers 512 by
    thinking longer; ``size`` is the difficulty knob.

    ## Action Space

    ``MultiBinary(size)``: the whole answer, one bit per position.

    ## Observation Space

    ``MultiBinary(size)``: the bits (uint8 0/1), unchanged by the step.

    ## Rewards

    ``1`` for the exact answer, else ``0``; with ``partial_credit=True`` the fraction of right bits.

    ## Starting State

    Independent fair bits from the env's seeded generator, or ``reset(options={"puzzle": bits})``.

    ## Episode End

    After the one step (``terminated=True``); stepping again raises ``RuntimeError`` until ``reset``.

    ## Info

    After the step: ``exact``, ``correct_fraction`` and ``solution`` (the true running parity).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/PrefixSums-v0", size=512, partial_credit=False, render_mode="ansi")
    ```

    - ``size``: bits per puzzle (default 32, the training length of the shipped solver).
    - ``partial_credit``, ``render_mode`` (``None``, ``"ansi"``, or ``"rgb_array"``: the bits as rows of cells,
      32 to a line, each followed once answered by the answer's line, right bits blue and wrong ones red;
      :func:`envs.rendering.bits_picture`).

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 1}

    def __init__(self, size: int = 32, partial_credit: bool = False, render_mode: str | None = None) -> None:
        super().__init__(partial_credit, render_mode)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"size is a positive number of bits, got {size!r}")
        self.size = int(size)
        self.observation_space = spaces.MultiBinary(self.size)
        self.action_space = spaces.MultiBinary(self.size)

    def _generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        bits = rng.integers(0, 2, self.size, dtype=np.uint8)
        return bits, prefix_sums.solve(bits[None])[0]

    def _pose(self, puzzle: Any) -> tuple[np.ndarray, np.ndarray]:
        bits = prefix_sums.validate(np.asarray(puzzle).reshape(1, -1))[0]
        if bits.shape != (self.size,):
            raise ValueError(f"this environment poses {self.size}-bit puzzles, got {bits.shape[0]} bits")
        return bits, prefix_sums.solve(bits[None])[0]

    def _render_text(self) -> str:
        lines = ["bits   " + "".join(map(str, self.puzzle))]
        if self.answer is not None:
            marks = "".join(" " if a == s else "^" for a, s in zip(self.answer, self.solution, strict=True))
            lines += ["answer " + "".join(map(str, self.answer)), "       " + marks]
        return "\n".join(lines)

    def _render_rgb(self) -> np.ndarray:
        return bits_picture(self.puzzle, self.answer, self.solution)
