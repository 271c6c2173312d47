"""The opponent inside ``DeepThink/Chess-v0``: its settings checked, a policy's move asked for and checked.

A policy opponent speaks the players' interface (``act(board, think)``, as ``agents.chess_policy.ChessPolicy``
and the arena's players do), or is a plain callable ``f(board) -> chess.Move``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import chess

from puzzles.engine import find_stockfish


class OpponentPolicy(Protocol):
    """Anything that picks a move: the duck type accepted as an opponent (a plain callable also works)."""

    def act(self, board: chess.Board) -> chess.Move:
        """A legal move of ``board``'s side to move."""
        ...


def engine_binary(engine_path: Any) -> str:
    """The Stockfish binary to run: ``engine_path``, checked to be an executable file, else the one installed.

    Raises:
        TypeError: a path that is not a string or path.
        FileNotFoundError: no executable file there, or no Stockfish installed.
    """
    if engine_path is None:
        return find_stockfish()
    if not isinstance(engine_path, str | os.PathLike):
        raise TypeError(f"engine_path is the path of a Stockfish binary, got {type(engine_path).__name__}")
    if not Path(engine_path).is_file() or not os.access(engine_path, os.X_OK):
        raise FileNotFoundError(
            f"engine_path {str(engine_path)!r} is not an executable file; leave it out to use the installed "
            "Stockfish (apt-get install stockfish)"
        )
    return str(engine_path)


def check_opponent(
    opponent: str | OpponentPolicy | Callable[[chess.Board], chess.Move],
    nodes: int,
    elo: int | None,
) -> None:
    """Checks the opponent settings of ``ChessEnv`` (see its docstring).

    Raises:
        ValueError: an unknown opponent name or object, a non-positive node budget or a non-integer Elo.
    """
    if isinstance(opponent, str):
        if opponent not in ("random", "stockfish"):
            raise ValueError(f"opponent is 'random', 'stockfish' or a policy object, got {opponent!r}")
    elif not (callable(getattr(opponent, "act", None)) or callable(opponent)):
        raise ValueError(
            f"opponent must be 'random', 'stockfish', an object with act(board) or a callable, "
            f"got {type(opponent).__name__}"
        )
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
        raise ValueError(f"opponent_nodes is a positive integer, got {nodes!r}")
    if elo is not None and (isinstance(elo, bool) or not isinstance(elo, int)):
        raise ValueError(f"opponent_elo is an integer or None, got {elo!r}")


def policy_move(opponent: Any, board: chess.Board, think: int | None) -> chess.Move:
    """The policy opponent's move on a copy of ``board`` (``think`` passed on when given).

    Raises:
        ValueError: the policy returned something that is not a legal move.
    """
    kwargs = {} if think is None else {"think": think}
    act = getattr(opponent, "act", None)
    move = act(board.copy(), **kwargs) if callable(act) else opponent(board.copy(), **kwargs)
    if not isinstance(move, chess.Move) or not board.is_legal(move):
        raise ValueError(f"the opponent policy returned {move!r}, not a legal chess.Move, in {board.fen()}")
    return move
