"""Chess players for matches: one interface, ``act_batch(boards, think) -> moves``, and its one-board ``act``.

:class:`Player` is that interface. The players here are a seeded random mover, Stockfish (optionally weakened)
and :class:`PolicyPlayer`, which binds a policy with the same interface (``agents.chess_policy.ChessPolicy``)
to one thinking budget and a name. :func:`player_from_spec` builds any of them from a short spec string.
"""

from __future__ import annotations

import random
from typing import Any, Protocol, Self, runtime_checkable

import chess
import chess.engine

from puzzles.engine import StockfishProcess

#: Nodes per move when a Stockfish player is given no limit (about 0.1 s a move on a 2-core machine).
DEFAULT_NODES = 10_000

#: The spec strings :func:`player_from_spec` understands.
SPEC_FORMS = (
    "random[:seed=N], stockfish[:nodes=N][:elo=E][:skill=S][:random=P][:path=P], policy:<checkpoint>:think=N[:search=S]"
)


class IllegalMoveError(ValueError):
    """A player returned a move that is not legal (or the wrong number of moves)."""


@runtime_checkable
class Player(Protocol):
    """Anything that picks one legal move for each of several boards.

    ``act_batch`` must not leave the boards changed (it may push and pop); it gets the games' real boards, with
    their move stacks, so that repetition-aware players see the history. ``think`` is the thinking budget in
    iterations for players that think; None means the player's own budget, and players that do not think
    ignore it. Subclasses get :meth:`act` for free.
    """

    name: str

    def act_batch(self, boards: list[chess.Board], think: int | None = None) -> list[chess.Move]:
        """One legal move per board, in order."""
        ...

    def act(self, board: chess.Board, think: int | None = None) -> chess.Move:
        """The move for one board: :meth:`act_batch` of a batch of one."""
        return self.act_batch([board], think)[0]

    def close(self) -> None:
        """Frees what the player holds (an engine's process); most players hold nothing."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class RandomPlayer(Player):
    """A uniformly random legal move, from its own seeded generator (the same calls give the same moves)."""

    def __init__(self, seed: int = 0, name: str | None = None) -> None:
        self.name = name or f"random:seed={seed}"
        self._rng = random.Random(seed)

    def act_batch(self, boards: list[chess.Board], think: int | None = None) -> list[chess.Move]:
        """A random legal move per board (``think`` is ignored)."""
        return [self._rng.choice(list(board.legal_moves)) for board in boards]


class StockfishPlayer(StockfishProcess, Player):
    """Stockfish through UCI, one board after another, optionally weakened.

    A node limit makes play reproducible and independent of the CPU's speed (one search thread). ``elo`` sets
    ``UCI_LimitStrength``/``UCI_Elo`` (Debian's Stockfish 15.1 accepts 1350-2850 only; its calibration used
    longer searches, so the strength is only roughly that Elo); ``skill`` sets ``Skill Level`` 0-20. For
    something weaker than 1350, use ``skill`` or a small ``nodes``.

    Use it as a context manager (or call :meth:`close`) so the engine process ends.
    """

    def __init__(
        self,
        nodes: int | None = None,
        elo: int | None = None,
        skill: int | None = None,
        path: str | None = None,
        time_per_move: float | None = None,
        name: str | None = None,
        random_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        """Starts the engine.

        Args:
            nodes: nodes per move (``DEFAULT_NODES`` when neither ``nodes`` nor ``time_per_move`` is given).
            elo: limit the strength to this UCI Elo.
            skill: Stockfish's ``Skill Level``, 0 (weakest) to 20.
            path: the binary; found with :func:`puzzles.engine.find_stockfish` when not given.
            time_per_move: seconds per move instead of a node limit (not reproducible).
            name: the player's name (default: ``stockfish(...)`` listing the settings).
            random_rate: chance of playing a uniformly random legal move instead of the engine's, a knob below
                the weakest node limit (seeded by ``seed``).

        Raises:
            ValueError: a setting outside the engine's range, or ``elo`` together with ``skill``.
            FileNotFoundError: no Stockfish binary.
        """
        if nodes is not None and nodes < 1:
            raise ValueError(f"nodes must be positive, got {nodes}")
        if time_per_move is not None and time_per_move <= 0:
            raise ValueError(f"time per move must be positive, got {time_per_move}")
        if not 0 <= random_rate <= 1:
            raise ValueError(f"random_rate is a probability in [0, 1], got {random_rate}")
        if nodes is None and time_per_move is None:
            nodes = DEFAULT_NODES
        self.random_rate, self._rng = random_rate, random.Random(seed)
        self.limit = chess.engine.Limit(nodes=nodes, time=time_per_move)
        settings = {"nodes": nodes, "time": time_per_move, "elo": elo, "skill": skill, "random": random_rate or None}
        self.name = name or "stockfish(" + ",".join(f"{k}={v}" for k, v in settings.items() if v is not None) + ")"
        super().__init__(path, elo, skill)

    def act_batch(self, boards: list[chess.Board], think: int | None = None) -> list[chess.Move]:
        """The engine's move on each board, searched one after another (``think`` is ignored: it searches)."""
        moves = []
        for board in boards:
            if self.random_rate and self._rng.random() < self.random_rate:
                moves.append(self._rng.choice(list(board.legal_moves)))
                continue
            move = self.engine.play(board, self.limit).move
            if move is None:
                raise IllegalMoveError(f"{self.name} returned no move for {board.fen()}")
            moves.append(move)
        return moves


class PolicyPlayer(Player):
    """Any policy with ``act_batch(boards, think) -> moves`` (e.g. the project's network policy), at one budget;
    with ``search`` > 0 the policy's ``act_batch`` also gets ``search=`` (simulations, a budget of its own)."""

    def __init__(self, policy: Any, think: int, name: str | None = None, search: int = 0) -> None:
        if not callable(getattr(policy, "act_batch", None)):
            raise TypeError(f"a policy needs an act_batch(boards, think) method, got {type(policy).__name__}")
        if think < 1:
            raise ValueError(f"think must be at least 1, got {think}")
        if search < 0:
            raise ValueError(f"search must be 0 (none) or more simulations, got {search}")
        self.policy = policy
        self.think, self.search = think, search
        searched = f":search={search}" if search else ""
        self.name = name or f"{getattr(policy, 'name', 'policy')}:think={think}{searched}"

    def act_batch(self, boards: list[chess.Board], think: int | None = None) -> list[chess.Move]:
        """All boards in one call of the policy's ``act_batch``, at ``think`` or else this player's budget."""
        think = self.think if think is None else think
        if self.search:
            return list(self.policy.act_batch(boards, think, search=self.search))
        return list(self.policy.act_batch(boards, think))


def player_from_spec(spec: str) -> Player:
    """A player from a spec string, named by the spec.

    Forms: ``random`` or ``random:seed=3``; ``stockfish:nodes=200``, ``stockfish:elo=1500``,
    ``stockfish:skill=3:nodes=1000``, ``stockfish:path=/usr/games/stockfish``; ``policy:<checkpoint>:think=8``,
    ``policy:<checkpoint>:think=8:search=16`` (16 simulations of the Gumbel search a move; the checkpoint is a
    shipped name or a path; ``agents.chess_policy.load_policy`` loads it).

    Raises:
        ValueError: an unknown kind or option, or a bad value.
    """
    kind, *parts = spec.split(":")
    checkpoint = None
    if kind == "policy":
        if not parts or "=" in parts[0] or not parts[0]:
            raise ValueError(f"a policy spec is policy:<checkpoint>:think=N, got {spec!r}")
        checkpoint, parts = parts[0], parts[1:]
    options: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"{spec!r}: expected key=value after ':', got {part!r} (forms: {SPEC_FORMS})")
        options[key] = value
    allowed = {
        "random": {"seed"},
        "stockfish": {"nodes", "elo", "skill", "path", "time", "random"},
        "policy": {"think", "search"},
    }
    if kind not in allowed:
        raise ValueError(f"unknown player {kind!r} in {spec!r}; forms: {SPEC_FORMS}")
    unknown = set(options) - allowed[kind]
    if unknown:
        raise ValueError(f"{spec!r}: unknown option(s) {sorted(unknown)} for {kind} (allowed: {sorted(allowed[kind])})")

    def integer(key: str) -> int | None:
        if key not in options:
            return None
        try:
            return int(options[key])
        except ValueError:
            raise ValueError(f"{spec!r}: {key} must be an integer, got {options[key]!r}") from None

    if kind == "random":
        return RandomPlayer(integer("seed") or 0, name=spec)
    if kind == "stockfish":
        seconds = float(options["time"]) if "time" in options else None
        try:
            random_rate = float(options.get("random", 0))
        except ValueError:
            raise ValueError(f"{spec!r}: random must be a probability, got {options['random']!r}") from None
        return StockfishPlayer(
            integer("nodes"), integer("elo"), integer("skill"), options.get("path"), seconds, spec, random_rate
        )
    think = integer("think")
    if think is None:
        raise ValueError(f"{spec!r}: a policy needs its budget, e.g. policy:{checkpoint}:think=8")
    from agents.chess_policy import load_policy  # lazy: torch and the network load only for policy players

    return PolicyPlayer(load_policy(checkpoint), think, name=spec, search=integer("search") or 0)
