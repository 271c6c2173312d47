"""The one-shot "solve" environment shared by the puzzle families: see the puzzle, answer it whole, get scored.

A family subclasses :class:`SolveEnv` with its spaces, a generator of ``(puzzle, answer)`` pairs at the
difficulty given to ``gymnasium.make``, a check for puzzles handed in through ``reset(options=...)``, and a
text rendering. Everything else (seeding, scoring, partial credit, episode bookkeeping) lives here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import gymnasium as gym
import numpy as np


class SolveEnv(gym.Env[np.ndarray, np.ndarray], ABC):
    """Base of the one-shot puzzle environments (its subclasses document themselves).

    Every episode is one step: ``reset`` shows a fresh puzzle, ``step(answer)`` scores the whole answer and
    ends the episode (``terminated=True``). The reward is 1 for an exact answer and 0 otherwise, or with
    ``partial_credit=True`` the fraction of the answer's scored positions that are right. ``info`` after the
    step holds ``exact`` (bool), ``correct_fraction`` (float) and ``solution`` (the true answer, native
    format). ``reset(options={"puzzle": ...})`` poses a given puzzle instead of a generated one.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(self, partial_credit: bool = False, render_mode: str | None = None) -> None:
        if not isinstance(partial_credit, bool):
            raise ValueError(f"partial_credit is True or False, got {partial_credit!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.partial_credit = partial_credit
        self.render_mode = render_mode
        self.puzzle: np.ndarray | None = None
        self.solution: np.ndarray | None = None
        self.answer: np.ndarray | None = None
        self._done = True

    # --------------------------------------------------------------------------- what a family defines
    @abstractmethod
    def _generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A fresh ``(puzzle, answer)`` at the environment's difficulty, native format."""

    @abstractmethod
    def _pose(self, puzzle: Any) -> tuple[np.ndarray, np.ndarray]:
        """A puzzle handed in by the user, checked (one clear ValueError), with its answer."""

    @abstractmethod
    def _render_text(self) -> str:
        """The puzzle (and the last answer, once given) as text."""

    def _scored(self) -> np.ndarray:
        """Bool mask of the answer positions that are judged (default: all)."""
        return np.ones(self.solution.shape, dtype=bool)

    def _score(self, answer: np.ndarray) -> tuple[bool, float]:
        """``(exact, fraction of the scored positions right)`` of a well-formed answer."""
        scored = self._scored()
        right = (answer == self.solution) & scored
        return bool(right.sum() == scored.sum()), float(right.sum() / max(int(scored.sum()), 1))

    def _render_rgb(self) -> np.ndarray:
        """The puzzle (and the answer) as an ``(H, W, 3)`` uint8 image, for families with ``"rgb_array"``."""
        raise NotImplementedError

    def _observe(self) -> np.ndarray:
        """The observation of the current puzzle (default: the puzzle, as a new array of the space's dtype)."""
        return self.puzzle.astype(self.observation_space.dtype)

    # --------------------------------------------------------------------------- the episode
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._done = True  # a puzzle that fails to pose leaves no episode to step
        options = dict(options or {})
        unknown = set(options) - {"puzzle"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; the only one is 'puzzle'")
        if "puzzle" in options:
            self.puzzle, self.solution = self._pose(options["puzzle"])
        else:
            self.puzzle, self.solution = self._generate(self.np_random)
        self.answer = None
        self._done = False
        return self._observe(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self.puzzle is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode is over: call reset() before step()")
        answer = self._check_answer(action)
        exact, fraction = self._score(answer)
        self.answer = answer
        self._done = True
        reward = 1.0 if exact else (fraction if self.partial_credit else 0.0)
        info = {"exact": exact, "correct_fraction": fraction, "solution": self.solution.copy()}
        return self._observe(), reward, True, False, info

    def _check_answer(self, action: Any) -> np.ndarray:
        """The answer as the solution's dtype, checked before any cast (so 257 or 0.5 never pass as 1 or 0)."""
        try:
            answer = np.asarray(action)
        except (TypeError, ValueError):
            raise ValueError(f"an answer is an integer array in {self.action_space}") from None
        if answer.shape != self.solution.shape:
            raise ValueError(f"an answer has shape {self.solution.shape}, got {answer.shape}")
        integral = answer.dtype.kind in "biu" or (
            answer.dtype.kind == "f" and bool(np.isfinite(answer).all()) and bool((answer == np.round(answer)).all())
        )
        if not integral or not self.action_space.contains(answer.astype(np.int64)):
            raise ValueError(f"the answer is not in the action space {self.action_space}")
        return answer.astype(self.solution.dtype)

    def render(self) -> str | np.ndarray | None:
        if self.render_mode is None:
            gym.logger.warn("render() was called without a render_mode; pass render_mode to gymnasium.make")
            return None
        if self.puzzle is None:
            raise RuntimeError("call reset() before render()")
        return self._render_text() if self.render_mode == "ansi" else self._render_rgb()
