"""``DeepThink/Chess-v0``: a full game of chess against a configurable opponent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import chess
import chess.engine
import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.actions import discrete_action
from envs.chess_opponents import OpponentPolicy, check_opponent, engine_binary, policy_move
from envs.rendering import chess_picture, chess_text
from puzzles.chess_encoding import NUM_ACTIONS, decode_move, legal_action_mask
from puzzles.chess_game import GAME_PLANES, episode_board, game_planes, game_result, starting_boards
from puzzles.engine import StockfishProcess

_COLOURS = {"white": chess.WHITE, "black": chess.BLACK}
_UNFINISHED = "*"


class ChessEnv(gym.Env[np.ndarray, np.int64]):
    """A full game of chess: the agent plays one colour against a fixed opponent.

    ## Description

    Standard chess by the FIDE rules (python-chess), one colour played by the agent and the other by an
    opponent inside the environment: a uniformly random legal mover, Stockfish (node-limited or
    Elo-limited), or any policy object with ``act(board) -> chess.Move`` such as a trained network. Every
    ``step`` plays the agent's move and then the opponent's reply, so the agent is always the side to move
    when it observes. Threefold repetition and the fifty-move rule end the game as soon as they can be
    claimed (the cheap checks of :func:`puzzles.chess_game.game_result`).

    ## Action Space

    ``Discrete(4672)``: the AlphaZero 8x8x73 move layout of :mod:`puzzles.chess_encoding`, from the agent's
    view (the board is mirrored when the agent plays Black), flattened plane-major
    (``action = plane * 64 + from_square``). Pawn moves to the last rank on a queen-like plane promote to a
    queen. Legal actions are given by ``action_masks()`` (a ``(4672,)`` bool array, the sb3-contrib
    ``MaskablePPO`` convention; reach it through wrappers with ``env.unwrapped.action_masks()`` or
    ``env.get_wrapper_attr("action_masks")()``) and by ``info["action_mask"]``.

    **An illegal move never raises**: any action in ``0..4671`` that is not a legal move ends the episode at once as
    a loss for the agent, with reward ``-1``, ``terminated=True`` and ``info["illegal"] = True``; the board is left
    as it was. A value outside the action space is refused: ``TypeError`` for a non-integer (None, NaN, text),
    ``ValueError`` for an integer outside ``0..4671``; the episode goes on as before the call.

    ## Observation Space

    ``Box(0, 1, (19, 8, 8), float32)`` from :func:`puzzles.chess_game.game_planes`, always from the agent's
    view: own K, Q, B, N, R, P planes, the opponent's, four castling-right planes, the en-passant target, a
    repetition plane and the fifty-move counter. When the game ends on the agent's own move the final
    position is still shown from the agent's side (with no en-passant square).

    ## Rewards

    At the end of the game only: ``+1`` when the agent wins, ``-1`` when it loses (including by an illegal
    action), ``0`` for a draw or a truncated game; ``0`` on every other step.

    ## Starting State

    The standard start position, or one of ``starting_fens`` chosen uniformly with the env's random
    generator, or ``options={"fen": ...}`` given to ``reset`` (which takes precedence). When the opponent
    is to move in the start position (e.g. the agent plays Black from the usual start), the opponent's move
    is played inside ``reset``; if that move ends the game, ``reset`` raises ``ValueError``.

    ## Episode End

    - **Termination**: checkmate, stalemate, insufficient material, threefold repetition or the fifty-move
      rule (:func:`puzzles.chess_game.game_result`), or an illegal action.
    - **Truncation**: when the agent is to move and at least ``max_plies`` plies (both sides' moves, counted
      from the start position of the episode) have been played, so the final observation is a real
      position to bootstrap from.

    Stepping a finished episode raises ``RuntimeError`` (call ``reset``).

    ## Info

    Every ``reset``/``step`` returns ``action_mask`` (bool ``(4672,)``; all False once the game is over by
    the rules), ``illegal`` (bool), ``plies`` (plies played in the episode), ``agent_color`` (``"white"``
    or ``"black"``) and ``result`` (``"1-0"``, ``"0-1"``, ``"1/2-1/2"``, or ``"*"`` while unfinished or
    truncated; an illegal action scores as a loss).

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/Chess-v0", opponent="stockfish", opponent_nodes=1000, agent_color="random")
    ```

    - ``opponent``: ``"random"`` (uniform legal moves from the env's seeded generator, the default),
      ``"stockfish"``, an object with ``act(board: chess.Board) -> chess.Move``, or a callable
      ``f(board) -> chess.Move``. A policy gets a copy of the board (with its move history) and must return
      a legal move, else ``ValueError`` is raised.
    - ``opponent_nodes``: Stockfish's node budget per move (default ``1000``, about 1 ms a move).
    - ``opponent_elo``: if given, Stockfish plays with ``UCI_LimitStrength`` at this ``UCI_Elo`` (Debian's
      Stockfish 15.1 accepts 1350-2850; for weaker play lower ``opponent_nodes`` instead). The node budget
      still applies; Stockfish's Elo calibration assumed longer time controls.
    - ``opponent_think``: if given, the policy opponent is called as ``act(board, think=opponent_think)``
      (the project's recurrent policies take a thinking budget).
    - ``engine_path``: the Stockfish binary (found with :func:`puzzles.engine.find_stockfish` by default),
      checked when the env is made (``FileNotFoundError`` if it is not an executable file, or if no Stockfish is
      installed). The engine is started on the first Stockfish move and stopped by ``close()``.
    - ``agent_color``: ``"white"`` (default), ``"black"`` or ``"random"`` (drawn at every reset from the
      env's seeded generator).
    - ``max_plies``: the ply cap for truncation (default ``400``; ``None`` for none).
    - ``starting_fens``: a list of FENs (the move counters may be left out) or ``chess.Board`` s (e.g. from
      :func:`puzzles.chess_game.read_openings`), one chosen per reset; checked at construction.
    - ``render_mode``: ``None``, ``"ansi"`` (the board from the agent's side as text, with the last move) or
      ``"rgb_array"`` (the board from the agent's side as a ``(276, 276, 3)`` uint8 picture: rank and file
      labels, the last move's squares and a king in check coloured; :func:`envs.rendering.chess_picture`).

    ``reset(seed=..., options=...)`` accepts ``options={"fen": str, "agent_color": "white" | "black" |
    "random"}`` (both optional; ``ValueError`` on an unknown key, a malformed or impossible FEN, or a
    finished position).

    The current position is readable as ``env.unwrapped.board`` (a copy; changing it does not affect the
    game).

    ## Determinism

    Given the seed of ``reset``, episodes are reproducible with the random opponent, with a deterministic
    policy, and with node-limited Stockfish (one thread, hash cleared per game). With ``opponent_elo``
    Stockfish picks its weakened moves with its own clock-seeded generator, so games vary.

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        opponent: str | OpponentPolicy | Callable[[chess.Board], chess.Move] = "random",
        opponent_nodes: int = 1000,
        opponent_elo: int | None = None,
        opponent_think: int | None = None,
        engine_path: str | None = None,
        agent_color: str = "white",
        max_plies: int | None = 400,
        starting_fens: Sequence[str | chess.Board] | None = None,
        render_mode: str | None = None,
    ) -> None:
        """Builds the environment; see the class docstring for the arguments.

        Raises:
            ValueError: for an unknown opponent name, colour or render mode, a non-positive node budget or
                ply cap, a thinking budget outside 1..MAX_THINK, or a starting position that is not a playable FEN.
            FileNotFoundError: a Stockfish opponent without an executable ``engine_path`` or installed Stockfish.
        """
        check_opponent(opponent, opponent_nodes, opponent_elo)
        if agent_color not in (*_COLOURS, "random"):
            raise ValueError(f"agent_color is 'white', 'black' or 'random', got {agent_color!r}")
        if max_plies is not None and (isinstance(max_plies, bool) or not isinstance(max_plies, int) or max_plies < 1):
            raise ValueError(f"max_plies is a positive integer or None, got {max_plies!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        if opponent_think is not None:
            from agents.networks import check_iterations  # only a policy opponent thinks; it brings torch anyway

            check_iterations(opponent_think, "opponent_think")
        if isinstance(opponent, str) and opponent == "stockfish":
            engine_path = engine_binary(engine_path)  # at make, not at the first Stockfish move

        self.opponent = opponent
        self.opponent_nodes = opponent_nodes
        self.opponent_elo = opponent_elo
        self.opponent_think = opponent_think
        self.engine_path = engine_path
        self.agent_color = agent_color
        self.max_plies = max_plies
        self.render_mode = render_mode
        self._starting_boards = starting_boards(starting_fens)

        self.observation_space = spaces.Box(0.0, 1.0, (GAME_PLANES, 8, 8), dtype=np.float32)
        self.action_space = spaces.Discrete(NUM_ACTIONS)

        self._engine: StockfishProcess | None = None
        self._game_key: object = object()
        self._board = chess.Board()
        self._agent: chess.Color = chess.WHITE
        self._start_ply = 0
        self._mask = np.zeros(NUM_ACTIONS, dtype=bool)
        self._result = _UNFINISHED
        self._started = False
        self._done = False

    # ---------------------------------------------------------------- public API

    @property
    def board(self) -> chess.Board:
        """A copy of the current position with its move history (changing it does not affect the game)."""
        return self._board.copy()

    def action_masks(self) -> np.ndarray:
        """The agent's legal moves in the observed position, a ``(4672,)`` bool array (all False after a game end)."""
        return self._mask.copy()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Starts a game; plays the opponent's first move when it is to move in the start position.

        Args:
            seed: seeds the env's generator (colour, opening choice and random opponent).
            options: optional ``"fen"`` (start position) and ``"agent_color"`` (overrides the keyword).

        Returns:
            The observation and the info dict.

        Raises:
            ValueError: for an unknown option, a bad colour, or a FEN that is malformed, impossible or over.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = set(options) - {"fen", "agent_color"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; known: 'fen', 'agent_color'")
        colour = options.get("agent_color", self.agent_color)
        if colour not in (*_COLOURS, "random"):
            raise ValueError(f"agent_color is 'white', 'black' or 'random', got {colour!r}")

        board = episode_board(options.get("fen"), self._starting_boards, self.np_random)
        self._agent = bool(self.np_random.integers(2)) if colour == "random" else _COLOURS[colour]

        self._board = board
        self._start_ply = board.ply()
        self._result = _UNFINISHED
        self._game_key = object()  # a new game for the engine (python-chess sends ucinewgame)
        self._started, self._done = True, False
        if board.turn != self._agent:
            start_fen = board.fen()
            self._opponent_move()
            self._result = game_result(board) or _UNFINISHED
            if self._result != _UNFINISHED:
                self._done = True
                raise ValueError(
                    f"the opponent's first move {board.peek().uci()} ended the game ({self._result}) from "
                    f"{start_fen}: start from a position that leaves the agent a move"
                )
        self._mask = legal_action_mask(board).astype(bool)
        return self._observe(), self._info(illegal=False)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Plays the agent's move and the opponent's reply.

        Args:
            action: an index in ``0..4671``; one that is not a legal move loses the game (no exception).

        Returns:
            ``(observation, reward, terminated, truncated, info)`` with a Python ``float`` and ``bool`` s.

        Raises:
            RuntimeError: when called before ``reset`` or after the episode ended.
            TypeError: an action that is not an integer.
            ValueError: an integer outside ``0..4671``, or a policy opponent that returns an illegal move.
        """
        if not self._started:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode is over; call reset() to start a new game")

        move = self._legal_move(discrete_action(action, NUM_ACTIONS))
        if move is None:
            self._done = True
            self._result = "0-1" if self._agent == chess.WHITE else "1-0"
            return self._observe(), -1.0, True, False, self._info(illegal=True)

        self._board.push(move)
        result = game_result(self._board)
        if result is None:
            self._opponent_move()
            result = game_result(self._board)

        if result is not None:
            self._done = True
            self._result = result
            self._mask = np.zeros(NUM_ACTIONS, dtype=bool)
            reward = {"1/2-1/2": 0.0, "1-0": 1.0, "0-1": -1.0}[result] * (1.0 if self._agent == chess.WHITE else -1.0)
            return self._observe(), float(reward), True, False, self._info(illegal=False)

        self._mask = legal_action_mask(self._board).astype(bool)
        truncated = self.max_plies is not None and self._plies() >= self.max_plies
        self._done = truncated
        return self._observe(), 0.0, False, bool(truncated), self._info(illegal=False)

    def render(self) -> str | np.ndarray | None:
        """The board from the agent's side: text with the last move and whose turn it is (``"ansi"``), or a
        ``(276, 276, 3)`` uint8 picture (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn(
                "You are calling render method without specifying any render mode. "
                'You can specify the render_mode at initialization, e.g. gym.make("DeepThink/Chess-v0", '
                'render_mode="ansi")'
            )
            return None
        if self.render_mode == "rgb_array":
            return chess_picture(self._board, self._agent)
        return self._ansi()

    def close(self) -> None:
        """Stops the Stockfish process if one was started (safe to call more than once)."""
        if self._engine is not None:
            engine, self._engine = self._engine, None
            try:
                engine.close()
            except (chess.engine.EngineError, chess.engine.EngineTerminatedError, OSError):
                pass
        super().close()

    # ---------------------------------------------------------------- internals

    def _plies(self) -> int:
        return self._board.ply() - self._start_ply

    def _info(self, illegal: bool) -> dict[str, Any]:
        return {
            "action_mask": self._mask.copy(),
            "illegal": bool(illegal),
            "plies": int(self._plies()),
            "agent_color": "white" if self._agent == chess.WHITE else "black",
            "result": self._result,
        }

    def _observe(self) -> np.ndarray:
        """The game planes from the agent's view, also when the opponent is to move in a final position."""
        if self._board.turn == self._agent:
            return game_planes(self._board)
        view = self._board.copy(stack=False)
        view.turn, view.ep_square = self._agent, None
        planes = game_planes(view)
        planes[17] = float(self._board.is_repetition(2))
        return planes

    def _legal_move(self, index: int) -> chess.Move | None:
        """The legal move that the action ``index`` names, or None (never raises)."""
        if not self._mask[index]:
            return None
        move = decode_move(self._board, index)
        return move if self._board.is_legal(move) else None

    def _opponent_move(self) -> None:
        """Plays the opponent's move on the board."""
        board = self._board
        if isinstance(self.opponent, str) and self.opponent == "random":
            moves = list(board.legal_moves)
            move = moves[int(self.np_random.integers(len(moves)))]
        elif isinstance(self.opponent, str):
            move = self._stockfish_move()
        else:
            move = policy_move(self.opponent, board, self.opponent_think)
        board.push(move)

    def _stockfish_move(self) -> chess.Move:
        if self._engine is None:
            self._engine = self._open_engine()
        limit = chess.engine.Limit(nodes=self.opponent_nodes)
        result = self._engine.engine.play(self._board, limit, game=self._game_key)
        if result.move is None:
            raise RuntimeError(f"Stockfish returned no move in {self._board.fen()}")
        return result.move

    def _open_engine(self) -> StockfishProcess:
        return StockfishProcess(self.engine_path, elo=self.opponent_elo, names=("opponent_elo", "skill"))

    def _ansi(self) -> str:
        board, agent = self._board, self._agent
        lines = chess_text(board, agent)
        if board.move_stack:
            last = board.pop()
            san = board.san(last)
            board.push(last)
            mover = "agent" if board.turn != agent else "opponent"
            lines.append(f"Last move: {san} ({last.uci()}, {mover})")
        else:
            lines.append("Last move: none")
        side = "White" if agent == chess.WHITE else "Black"
        status = f"result {self._result}" if self._result != _UNFINISHED else f"{chess.COLOR_NAMES[board.turn]} to move"
        lines.append(f"Agent plays {side}; ply {self._plies()}; {status}")
        return "\n".join(lines) + "\n"
