"""Thinking solvers as policies for the ``DeepThink/`` puzzle environments, with a thinking budget.

    policy = SolverPolicy(load_solver("mazes"), think=100)
    actions = policy.act_batch(observations, env.action_space)   # one action per environment
    policy.reset(slot)                                            # when environment `slot` starts an episode

One interface for every environment: in a one-shot "solve" environment (``PrefixSums-v0``, ``Maze-v0``,
``Sudoku-v0``) the action is the solver's answer; in a step-wise one (``MazeNav-v0``, ``SudokuFill-v0``,
``Discrete`` actions) the policy solves the puzzle once per episode and then follows its plan: a maze
navigator walks its predicted path, a Sudoku policy places its answer cell by cell. A ``chess_puzzles``
solver in a chess environment (``ChessPuzzle-v0``, ``Chess-v0``: game planes in, ``Discrete(4672)`` moves out)
has no plan to follow, since every step is a new position: each observation's position is rebuilt from its
planes, solved (one batch per call) and its move encoded as the environment's action.
"""

from __future__ import annotations

from typing import Any

import chess
import numpy as np
from gymnasium import spaces

from agents.solver import Solver
from agents.sudoku_solver import WideSudokuSolver
from puzzles import mazes
from puzzles.chess_encoding import encode_move
from puzzles.chess_game import board_from_planes


class SolverPolicy:
    """A solver with a fixed thinking budget, acting in the puzzle environments.

    Args:
        solver: a :class:`agents.solver.Solver` of the environment's family.
        think: iterations per solve (default: the model card's recommended budget).

    ``iterations`` counts the recurrent iterations spent so far (``think`` per puzzle solved, and a product
    Sudoku solver's wider search on top), the compute a rollout report divides by its episodes.
    """

    def __init__(self, solver: Solver, think: int | None = None) -> None:
        self.solver = solver
        self.think = solver.check_think(think)
        self.iterations = 0
        self._plans: dict[int, Any] = {}

    def reset(self, slot: int = 0) -> None:
        """Forgets the plan of environment ``slot`` (call when it starts a new episode)."""
        self._plans.pop(slot, None)

    def act(self, observation: np.ndarray, action_space: spaces.Space, slot: int = 0) -> Any:
        """The action for one environment's observation."""
        return self.act_batch([observation], action_space, [slot])[0]

    def act_batch(
        self, observations: list[np.ndarray], action_space: spaces.Space, slots: list[int] | None = None
    ) -> list[Any]:
        """Actions for several environments of one kind, solving their new puzzles in one batch."""
        slots = list(range(len(observations))) if slots is None else list(slots)
        if not isinstance(action_space, spaces.Discrete):
            return list(self._solve(np.stack(observations)))
        if self.solver.problem.name == "chess_puzzles":
            return self._moves(observations)
        fresh = [i for i, slot in enumerate(slots) if slot not in self._plans]
        if fresh:
            for i, plan in zip(fresh, self._plan(np.stack([observations[i] for i in fresh])), strict=True):
                self._plans[slots[i]] = plan
        return [self._follow(self._plans[slot], obs) for slot, obs in zip(slots, observations, strict=True)]

    # ----------------------------------------------------------------------------------------------- internals
    def _solve(self, puzzles: np.ndarray) -> np.ndarray:
        if isinstance(self.solver, WideSudokuSolver):  # it counts the iterations its wider search ran
            result = self.solver.solve_wide(puzzles, think=self.think)
            self.iterations += int(result.iterations.sum())
            return result.answers
        self.iterations += self.think * len(puzzles)
        return self.solver.solve(puzzles, think=self.think)

    def _moves(self, observations: list[np.ndarray]) -> list[int]:
        """The solver's move in each observed position, as an action of the ``Discrete(4672)`` layout.

        A position is rebuilt from its game planes in the mover's view (as White: the planes do not say which
        colour moves, and the move index is the same from that view), so the environment decodes the action
        as the move on its own board.
        """
        boards = [board_from_planes(observation) for observation in observations]
        fens = np.empty(len(boards), dtype=object)
        fens[:] = [board.fen() for board in boards]
        moves = self._solve(fens)
        return [encode_move(board, chess.Move.from_uci(str(move))) for board, move in zip(boards, moves, strict=True)]

    def _plan(self, observations: np.ndarray) -> list[Any]:
        """Per observation, what the step-wise policy will follow for the rest of the episode."""
        family = self.solver.problem.name
        if family.startswith("mazes"):  # (4, s, s): the compact maze plus the walker's position
            paths = mazes.image_to_compact(self._solve(mazes.compact_to_image(observations[:, :3])))
            return [{"path": path, "previous": None} for path in paths]
        if family == "sudoku":
            return list(self._solve(observations))
        raise ValueError(f"no step-wise policy for the {family!r} family")

    def _follow(self, plan: Any, observation: np.ndarray) -> int:
        if isinstance(plan, dict):
            return _walk(plan, observation)
        blanks = np.flatnonzero(observation.reshape(81) == 0)
        if not len(blanks):
            raise ValueError("the Sudoku is already full; the episode should have ended")
        cell = int(blanks[0])
        return 81 * (int(plan.reshape(81)[cell]) - 1) + cell


def _walk(plan: dict, observation: np.ndarray) -> int:
    """The move onto the next cell of the planned path (not back where the walker came from), else any move
    that does not hit a wall; the walker's previous position is kept in ``plan``."""
    size = observation.shape[-1]
    here = tuple(int(v) for v in np.unravel_index(int(np.argmax(observation[3])), (size, size)))
    open_cells = observation[:3].max(axis=0) > 0
    options = []
    for move, (dr, dc) in enumerate(mazes.MOVES):
        r, c = here[0] + dr, here[1] + dc
        if 0 <= r < size and 0 <= c < size and open_cells[r, c]:
            options.append((not plan["path"][r, c], (r, c) == plan["previous"], move))
    plan["previous"] = here
    return min(options)[2] if options else 0
