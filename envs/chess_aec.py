"""Two-player chess for multi-agent libraries: a PettingZoo AEC environment with the rules, encoding and masks of
``DeepThink/Chess-v0``.

Needs PettingZoo (``pip install "deep-thinking-suite[marl]"``); the rest of the suite does not, and ``import
envs`` never imports this module.

    from envs.chess_aec import env as chess_env

    game = chess_env(render_mode="ansi")
    game.reset(seed=0)
    for agent in game.agent_iter():
        observation, reward, terminated, truncated, info = game.last()
        action = None if terminated or truncated else game.action_space(agent).sample(observation["action_mask"])
        game.step(action)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import chess
import gymnasium
import numpy as np
from gymnasium import spaces

try:
    from pettingzoo import AECEnv
    from pettingzoo.utils import AgentSelector, wrappers
except ImportError as error:  # the suite's core does not depend on PettingZoo
    raise ImportError(
        'envs.chess_aec needs PettingZoo: pip install "deep-thinking-suite[marl]" (or pip install "pettingzoo>=1.24")'
    ) from error

from envs.actions import discrete_index
from envs.rendering import chess_picture, chess_text
from puzzles.chess_encoding import NUM_ACTIONS, decode_move, legal_action_mask
from puzzles.chess_game import GAME_PLANES, episode_board, game_planes, game_result, starting_boards

#: The agents, as PettingZoo's own chess names them: ``player_0`` plays White, ``player_1`` Black.
AGENTS = ("player_0", "player_1")
_COLOUR = {"player_0": chess.WHITE, "player_1": chess.BLACK}
_UNFINISHED = "*"


def planes_for(board: chess.Board, colour: chess.Color) -> np.ndarray:
    """The ``(19, 8, 8)`` game planes of ``board`` from ``colour``'s view, also when the other side is to move
    (as ``DeepThink/Chess-v0`` shows a final position: ``colour``'s pieces as "own", no en-passant square, the
    repetition plane of the real position)."""
    if board.turn == colour:
        return game_planes(board)
    view = board.copy(stack=False)
    view.turn, view.ep_square = colour, None
    planes = game_planes(view)
    planes[17] = float(board.is_repetition(2))
    return planes


class ChessAECEnv(AECEnv):
    """Chess for two learning agents, ``"player_0"`` (White) and ``"player_1"`` (Black), taking turns (AEC API).

    ## Description

    Standard chess by the FIDE rules (python-chess), with the game ends of ``DeepThink/Chess-v0``: checkmate,
    stalemate, insufficient material, threefold repetition and the fifty-move rule end the game as soon as they
    can be claimed (:func:`puzzles.chess_game.game_result`). The agent to move is ``agent_selection``: the side
    to move of the position (``"player_1"`` first from a FEN with Black to move). The agents' names are
    PettingZoo's ``classic/chess`` names, so code written for it runs here.

    ## Action Space

    ``Discrete(4672)`` for each agent: the AlphaZero 8x8x73 layout of :mod:`puzzles.chess_encoding`, from the
    mover's view (the board mirrored for Black), as ``DeepThink/Chess-v0``. A pawn move to the last rank on a
    queen-like plane promotes to a queen.

    **An illegal action never raises**: an action that is not a legal move (outside the mask, outside
    ``0..4671``, not an integer) ends the game as a loss for the agent that played it (``-1`` for it, ``+1``
    for the other, ``infos[agent]["illegal"] = True``); the board is left as it was.

    ## Observation Space

    ``Dict(observation=Box(0, 1, (19, 8, 8), float32), action_mask=Box(0, 1, (4672,), int8))``, PettingZoo's
    classic-games convention. ``observation`` is :func:`puzzles.chess_game.game_planes` from the observing
    agent's view (the network input of the suite's chess policy, the observation of ``DeepThink/Chess-v0``);
    ``action_mask`` marks the legal moves of the agent to move and is all zeros for the other agent and once
    the game is over.

    ## Rewards

    At the end of the game: ``+1`` to the winner and ``-1`` to the loser, ``0`` to both for a draw or a
    truncated game; ``0`` on every other step.

    ## Starting State

    The standard start, one of ``starting_fens`` (drawn with the seeded generator of ``reset``), or
    ``reset(options={"fen": ...})``, which takes precedence. Other option keys are ignored with a warning.

    ## Episode End

    - **Termination** (both agents): the game ends by the rules or by an illegal action.
    - **Truncation** (both agents): ``max_plies`` plies (both sides' moves) played without an end.

    ## Info

    ``infos[agent]``: ``color`` (``"white"`` or ``"black"``), ``result`` (``"1-0"``, ``"0-1"``, ``"1/2-1/2"`` or
    ``"*"``), ``plies`` (played since the start position) and ``illegal`` (True for the agent whose illegal
    action ended the game).

    ## Arguments

    ```python
    from envs.chess_aec import env

    game = env(max_plies=400, starting_fens=None, render_mode="ansi")
    ```

    - ``max_plies``: the ply cap for truncation (default ``400``; ``None`` for none).
    - ``starting_fens``: FENs (move counters may be left out) or ``chess.Board`` s, one drawn per reset.
    - ``render_mode``: ``None``, ``"ansi"`` (the board from White's side with labels, and the game's state) or
      ``"rgb_array"`` (a ``(276, 276, 3)`` uint8 picture from White's side, as ``DeepThink/Chess-v0`` draws).

    ``raw_env`` builds the environment itself; ``env`` wraps it in PettingZoo's order-enforcing wrapper.

    ## Version History

    - v0: Initial version.
    """

    metadata = {
        "render_modes": ["ansi", "rgb_array"],
        "name": "deepthink_chess_v0",
        "is_parallelizable": False,
        "render_fps": 2,
    }

    def __init__(
        self,
        max_plies: int | None = 400,
        starting_fens: Sequence[str | chess.Board] | None = None,
        render_mode: str | None = None,
    ) -> None:
        """Builds the environment; see the class docstring.

        Raises:
            ValueError: a non-positive ply cap, an unplayable starting position or an unknown render mode.
        """
        super().__init__()
        if max_plies is not None and (isinstance(max_plies, bool) or not isinstance(max_plies, int) or max_plies < 1):
            raise ValueError(f"max_plies is a positive integer or None, got {max_plies!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.max_plies = max_plies
        self.render_mode = render_mode
        self._starting_boards = starting_boards(starting_fens)
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []
        space = spaces.Dict(
            {
                "observation": spaces.Box(0.0, 1.0, (GAME_PLANES, 8, 8), dtype=np.float32),
                "action_mask": spaces.Box(0, 1, (NUM_ACTIONS,), dtype=np.int8),
            }
        )
        self.observation_spaces = dict.fromkeys(self.possible_agents, space)
        self.action_spaces = {agent: spaces.Discrete(NUM_ACTIONS) for agent in self.possible_agents}
        self._board = chess.Board()
        self._start_ply = 0
        self._mask = np.zeros(NUM_ACTIONS, dtype=np.int8)
        self._result = _UNFINISHED

    # ---------------------------------------------------------------- the AEC API

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    @property
    def board(self) -> chess.Board:
        """A copy of the current position with its move history."""
        return self._board.copy()

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        """``agent``'s view: the game planes from its side and, when it is to move, its legal moves."""
        mask = self._mask.copy() if agent == self.agent_selection and self._result == _UNFINISHED else None
        return {
            "observation": planes_for(self._board, _COLOUR[agent]),
            "action_mask": mask if mask is not None else np.zeros(NUM_ACTIONS, dtype=np.int8),
        }

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Starts a game (see the class docstring for the start position).

        Raises:
            ValueError: ``options["fen"]`` is malformed, impossible or already over.
        """
        if seed is not None or not hasattr(self, "_np_random"):
            self._np_random, _ = gymnasium.utils.seeding.np_random(seed)
        options = dict(options or {})
        unknown = sorted(set(options) - {"fen"})
        if unknown:
            warnings.warn(f"unknown reset options {unknown} ignored; the only one is 'fen'", stacklevel=2)
        board = episode_board(options.get("fen"), self._starting_boards, self._np_random)
        self._board = board
        self._start_ply = board.ply()
        self._result = _UNFINISHED
        self._mask = legal_action_mask(board).astype(np.int8)
        self.agents = list(self.possible_agents)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self._agent_selector = AgentSelector(self.agents)
        self.agent_selection = self._agent_selector.reset()
        if board.turn == chess.BLACK:
            self.agent_selection = self._agent_selector.next()
        self.infos = {agent: self._info(agent, illegal=False) for agent in self.agents}

    def step(self, action: Any) -> None:
        """Plays the move of the agent to move; ``None`` for an agent whose game is over (PettingZoo's way)."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._cumulative_rewards[agent] = 0.0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        other = self._other(agent)

        move = self._legal_move(action)
        if move is None:  # an illegal action: a loss for the agent that played it
            self._result = "0-1" if _COLOUR[agent] == chess.WHITE else "1-0"
            self.rewards[agent], self.rewards[other] = -1.0, 1.0
            self.terminations = dict.fromkeys(self.agents, True)
            self._mask = np.zeros(NUM_ACTIONS, dtype=np.int8)
            self.infos = {name: self._info(name, illegal=name == agent) for name in self.agents}
        else:
            self._board.push(move)
            result = game_result(self._board)
            if result is not None:
                self._result = result
                white = {"1-0": 1.0, "0-1": -1.0, "1/2-1/2": 0.0}[result]
                self.rewards[AGENTS[0]], self.rewards[AGENTS[1]] = white, -white
                self.terminations = dict.fromkeys(self.agents, True)
                self._mask = np.zeros(NUM_ACTIONS, dtype=np.int8)
            else:
                self._mask = legal_action_mask(self._board).astype(np.int8)
                if self.max_plies is not None and self._board.ply() - self._start_ply >= self.max_plies:
                    self.truncations = dict.fromkeys(self.agents, True)
            self.infos = {name: self._info(name, illegal=False) for name in self.agents}
        self.agent_selection = self._agent_selector.next()
        self._accumulate_rewards()

    def render(self) -> str | np.ndarray | None:
        """The board from White's side: text with the game's state (``"ansi"``) or a picture (``"rgb_array"``)."""
        if self.render_mode is None:
            gymnasium.logger.warn("render() was called without a render_mode; pass render_mode to env(...)")
            return None
        if self.render_mode == "rgb_array":
            return chess_picture(self._board, chess.WHITE)
        lines = chess_text(self._board, chess.WHITE)
        plies = self._board.ply() - self._start_ply
        state = (
            f"result {self._result}"
            if self._result != _UNFINISHED
            else f"{chess.COLOR_NAMES[self._board.turn]} to move"
        )
        if self._board.move_stack:
            last = self._board.pop()
            lines.append(f"Last move: {self._board.san(last)} ({last.uci()})")
            self._board.push(last)
        return "\n".join([*lines, f"ply {plies}; {state}"]) + "\n"

    def close(self) -> None:
        """Nothing to release (no engine, no window)."""

    # ---------------------------------------------------------------- internals

    @staticmethod
    def _other(agent: str) -> str:
        return AGENTS[1] if agent == AGENTS[0] else AGENTS[0]

    def _info(self, agent: str, illegal: bool) -> dict[str, Any]:
        return {
            "color": chess.COLOR_NAMES[_COLOUR[agent]],
            "result": self._result,
            "plies": int(self._board.ply() - self._start_ply),
            "illegal": bool(illegal),
        }

    def _legal_move(self, action: Any) -> chess.Move | None:
        """The legal move that ``action`` names, or None for anything else (never raises)."""
        index = discrete_index(action, NUM_ACTIONS)
        if index is None or not self._mask[index]:
            return None
        move = decode_move(self._board, index)
        return move if self._board.is_legal(move) else None


def raw_env(**kwargs: Any) -> ChessAECEnv:
    """The environment itself (keyword arguments as :class:`ChessAECEnv`)."""
    return ChessAECEnv(**kwargs)


def env(**kwargs: Any) -> AECEnv:
    """The environment in PettingZoo's order-enforcing wrapper (``step`` before ``reset`` raises clearly)."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))
