"""``DeepThink/ChessPuzzle-v0``: play a chess puzzle's solution line against its replies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import chess
import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.actions import discrete_action
from envs.rendering import chess_picture, chess_text
from puzzles.chess_encoding import NUM_ACTIONS, decode_move, legal_action_mask
from puzzles.chess_game import GAME_PLANES, game_planes
from puzzles.chess_puzzles import Puzzle, ReplayedPuzzles, is_held_out, read_lichess_rows

#: The puzzle set ``gym.make`` uses by default: mined by this project's miner (its data card beside it).
SHIPPED_PUZZLES = Path(str(resources.files("puzzles") / "data" / "chess_puzzles.csv.gz"))

#: The ``split`` keyword's values: every puzzle, or one side of :func:`puzzles.chess_puzzles.is_held_out`.
SPLITS = ("all", "held_out", "training")


def _check_difficulty(difficulty: Any) -> None:
    """``difficulty`` is None or a ``(low, high)`` pair of numbers, else one clear ValueError."""
    if difficulty is None:
        return
    pair = isinstance(difficulty, tuple | list) and len(difficulty) == 2
    if not pair or not all(
        isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) and value == value
        for value in difficulty
    ):
        raise ValueError(f"difficulty is None or a (low, high) pair of numbers, got {difficulty!r}")


class ChessPuzzleEnv(gym.Env[np.ndarray, np.int64]):
    """A chess puzzle: find the solution line's moves while the environment plays the puzzle's replies.

    ## Description

    Each episode is one puzzle from a file in the Lichess puzzle format (the shipped set mined with Stockfish by
    ``scripts/mine_chess_puzzles.py``, or Lichess's own file). The agent is the side to move; each correct move
    is answered by the line's next reply, until the line ends (solved) or the agent leaves it (failed). As on
    Lichess, a move other than the line's that gives checkmate also solves the puzzle.

    ## Action Space

    ``Discrete(4672)``: the 8x8x73 move layout of :mod:`puzzles.chess_encoding` from the agent's view, as
    ``DeepThink/Chess-v0``. ``action_masks()`` (and ``info["action_mask"]``) give the legal moves. An action in
    ``0..4671`` that is not a legal move ends the episode as a failure (reward 0, ``info["illegal"] = True``); it
    never raises. A value outside the action space is refused (``TypeError`` for a non-integer, ``ValueError``
    for an integer out of range) and the episode goes on.

    ## Observation Space

    ``Box(0, 1, (19, 8, 8), float32)``: the game planes of :func:`puzzles.chess_game.game_planes` from the
    agent's view, the same as ``DeepThink/Chess-v0`` (a policy for one plays the other).

    ## Rewards

    ``1`` when the puzzle is solved, ``0`` otherwise, at the end only. With ``partial_credit=True`` a failed
    puzzle scores the fraction of the line's moves the agent found before leaving it.

    ## Starting State

    A puzzle drawn uniformly with the env's seeded generator from those of the ``split`` whose difficulty lies
    in ``difficulty`` (the mined difficulty score or the Lichess rating), or ``options={"index": i}`` for the
    ``i``-th puzzle of that selection (sorted easy to hard).

    ## Episode End

    - **Termination**: the line solved, a wrong move or an illegal action.
    - **Truncation**: never (a line has at most a few moves).

    Stepping a finished episode raises ``RuntimeError``.

    ## Info

    ``action_mask``, ``illegal``, ``puzzle_id``, ``difficulty``, ``found`` (the agent's moves that were
    right so far), ``line_moves`` (the agent's moves in the line) and ``solved``.

    ## Arguments

    ```python
    import gymnasium as gym
    import envs  # registers the DeepThink/ ids

    env = gym.make("DeepThink/ChessPuzzle-v0", difficulty=(3, 3), split="held_out", render_mode="ansi")
    ```

    - ``path``: a Lichess-format puzzle CSV, plain or gzipped (default: the shipped mined set,
      ``puzzles/data/chess_puzzles.csv.gz``, whose data card is ``chess_puzzles.json`` beside it).
    - ``difficulty``: ``(low, high)``, inclusive bounds on the puzzles' difficulty; ``None`` for all.
    - ``split``: ``"all"`` (default), ``"held_out"`` or ``"training"``: the puzzles of one share of the
      ``chess_puzzles`` solver's split (:func:`puzzles.chess_puzzles.is_held_out`, by puzzle id), applied
      before ``difficulty``. Evaluate a trained solver on ``"held_out"``: it never trained on those.
    - ``partial_credit``: score a failed puzzle by the share of its moves found.
    - ``render_mode``: ``None``, ``"ansi"`` (the board from the agent's side with rank and file labels, upper
      case White, and the moves so far in SAN) or ``"rgb_array"`` (the board from the agent's side as a
      ``(276, 276, 3)`` uint8 picture, as ``DeepThink/Chess-v0`` draws it).

    ## Version History

    - v0: Initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        path: str | Path | None = None,
        difficulty: tuple[float, float] | None = None,
        split: str = "all",
        partial_credit: bool = False,
        render_mode: str | None = None,
    ) -> None:
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None, 'ansi' or 'rgb_array', got {render_mode!r}")
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(map(repr, SPLITS))}, got {split!r}")
        _check_difficulty(difficulty)
        if path is None and not SHIPPED_PUZZLES.is_file():
            raise FileNotFoundError(
                f"no shipped puzzle set at {SHIPPED_PUZZLES} yet: pass path= a Lichess-format CSV (Lichess's own "
                "file, or one mined with scripts/mine_chess_puzzles.py --output FILE)"
            )
        rows = read_lichess_rows(path or SHIPPED_PUZZLES)
        if split != "all":
            rows = [r for r in rows if is_held_out(r.puzzle_id) == (split == "held_out")]
        if difficulty is not None:
            low, high = difficulty
            rows = [r for r in rows if low <= r.difficulty <= high]
        if not rows:
            raise ValueError(
                f"no puzzle of {path or SHIPPED_PUZZLES} in the {split!r} split has a difficulty in {difficulty}"
            )
        #: The selection, easy to hard; a puzzle is replayed from its row when first used.
        self.puzzles = ReplayedPuzzles(sorted(rows, key=lambda r: r.difficulty))
        self.partial_credit = bool(partial_credit)
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0.0, 1.0, (GAME_PLANES, 8, 8), np.float32)
        self.action_space = spaces.Discrete(NUM_ACTIONS)
        self._puzzle: Puzzle | None = None
        self._board = chess.Board()
        self._agent = chess.WHITE
        self._mask = np.zeros(NUM_ACTIONS, dtype=bool)
        self._position = 0  # index into the line of the agent's next move
        self._done = True
        self._solved = False

    @property
    def board(self) -> chess.Board:
        """A copy of the current position."""
        return self._board.copy()

    def action_masks(self) -> np.ndarray:
        """The agent's legal moves, a ``(4672,)`` bool array (all False once the episode is over)."""
        return self._mask.copy()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Starts a puzzle: a random one of the selection, or ``options={"index": i}``.

        Raises:
            ValueError: for an unknown option or an index outside the selection.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        if set(options) - {"index"}:
            raise ValueError(f"unknown reset options {sorted(set(options) - {'index'})}; known: 'index'")
        index = options.get("index")
        if index is None:
            index = int(self.np_random.integers(len(self.puzzles)))
        elif not isinstance(index, (int, np.integer)) or not 0 <= index < len(self.puzzles):
            raise ValueError(f"index must be in 0..{len(self.puzzles) - 1}, got {index!r}")
        self._puzzle = self.puzzles[index]
        self._board = chess.Board(self._puzzle.fen)
        self._agent = self._board.turn
        self._position, self._done, self._solved = 0, False, False
        self._mask = legal_action_mask(self._board).astype(bool)
        return game_planes(self._board), self._info(illegal=False)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Plays the agent's move and, while the line goes on, the puzzle's reply.

        Raises:
            RuntimeError: before ``reset`` or after the episode ended.
            TypeError: an action that is not an integer.
            ValueError: an integer outside ``0..4671``.
        """
        if self._puzzle is None or self._done:
            raise RuntimeError("the episode is over (or never started); call reset()")
        line = self._puzzle.line
        index = discrete_action(action, NUM_ACTIONS)
        if not self._mask[index]:
            return self._finish(illegal=True)
        move = decode_move(self._board, index)
        expected = chess.Move.from_uci(line[self._position])
        self._board.push(move)
        mate = self._board.is_checkmate()
        if move != expected and not mate:
            return self._finish(illegal=False)
        self._position += 1
        if mate or self._position >= len(line):
            self._solved = True
            return self._finish(illegal=False)
        self._board.push_uci(line[self._position])  # the puzzle's reply
        self._position += 1
        self._mask = legal_action_mask(self._board).astype(bool)
        return game_planes(self._board), 0.0, False, False, self._info(illegal=False)

    def render(self) -> str | np.ndarray | None:
        """The board from the agent's side: text with the moves played (``"ansi"``) or a picture (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn('call gym.make("DeepThink/ChessPuzzle-v0", render_mode="ansi") to render')
            return None
        if self.render_mode == "rgb_array":
            return chess_picture(self._board, self._agent)
        rows = chess_text(self._board, self._agent)
        start = self._board.root()
        played = start.variation_san(self._board.move_stack) if self._board.move_stack else "(start)"
        status = "solved" if self._solved else ("failed" if self._done else f"{chess.COLOR_NAMES[self._agent]} to move")
        puzzle_id = self._puzzle.puzzle_id if self._puzzle else "-"
        return "\n".join(rows) + f"\npuzzle {puzzle_id}: {played}; {status}\n"

    def _finish(self, illegal: bool) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._done = True
        self._mask = np.zeros(NUM_ACTIONS, dtype=bool)
        if self._solved:
            reward = 1.0
        else:
            reward = self._found() / self._line_moves() if self.partial_credit else 0.0
        view = self._board.copy(stack=False)
        view.turn, view.ep_square = self._agent, None  # the final position, still from the agent's side
        return game_planes(view), float(reward), True, False, self._info(illegal=illegal)

    def _found(self) -> int:
        return (self._position + 1) // 2

    def _line_moves(self) -> int:
        return (len(self._puzzle.line) + 1) // 2 if self._puzzle is not None else 0

    def _info(self, illegal: bool) -> dict[str, Any]:
        puzzle = self._puzzle
        return {
            "action_mask": self._mask.copy(),
            "illegal": bool(illegal),
            "puzzle_id": puzzle.puzzle_id if puzzle else "",
            "difficulty": float(puzzle.difficulty) if puzzle else 0.0,
            "found": self._found(),
            "line_moves": self._line_moves(),
            "solved": self._solved,
        }
