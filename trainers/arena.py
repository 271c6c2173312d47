"""Chess matches over paired openings, every game advancing at once so a network can batch its boards.

Each opening is played twice, player A with White and then with Black (a *pair*: the openings' bias cancels
and the result is scored pentanomially, see :mod:`trainers.elo`). All games move in rounds: each round, every
unfinished game in which A is to move goes to ``player_a.choose`` in one call, then likewise for B, so a
neural player evaluates up to ``2 * len(openings)`` boards per forward pass.

Games end by the rules' cheap checks (:func:`puzzles.chess_game.game_result`: checkmate, stalemate,
insufficient material, threefold repetition, the fifty-move rule), or as a draw adjudicated at the ply cap.

    with StockfishPlayer(nodes=200) as engine:
        match = play_match(RandomPlayer(0), engine, openings)
    print(match.stats().to_dict())
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import chess
import chess.engine
import chess.pgn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from puzzles.chess_game import game_result, result_for
from puzzles.engine import StockfishProcess
from trainers.elo import MatchStats

#: Nodes per move when a Stockfish player is given no limit (about 0.1 s a move on a 2-core machine).
DEFAULT_NODES = 10_000

#: The spec strings :func:`player_from_spec` understands.
SPEC_FORMS = "random[:seed=N], stockfish[:nodes=N][:elo=E][:skill=S][:random=P][:path=P], policy:<checkpoint>:think=N"


class IllegalMoveError(ValueError):
    """A player returned a move that is not legal (or the wrong number of moves)."""


@runtime_checkable
class Player(Protocol):
    """Anything that picks one legal move for each of several boards.

    ``choose`` must not leave the boards changed (it may push and pop); it gets the games' real boards, with
    their move stacks, so that repetition-aware players see the history.
    """

    name: str

    def choose(self, boards: list[chess.Board]) -> list[chess.Move]:
        """One legal move per board, in order."""
        ...


class RandomPlayer:
    """A uniformly random legal move, from its own seeded generator (the same calls give the same moves)."""

    def __init__(self, seed: int = 0, name: str | None = None) -> None:
        self.name = name or f"random:seed={seed}"
        self._rng = random.Random(seed)

    def choose(self, boards: list[chess.Board]) -> list[chess.Move]:
        """A random legal move per board."""
        return [self._rng.choice(list(board.legal_moves)) for board in boards]


class StockfishPlayer(StockfishProcess):
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

    def choose(self, boards: list[chess.Board]) -> list[chess.Move]:
        """The engine's move on each board, searched one after another."""
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


class PolicyPlayer:
    """Any policy with ``act_batch(boards, think) -> moves`` (e.g. the project's network policy), at one budget."""

    def __init__(self, policy: Any, think: int, name: str | None = None) -> None:
        if not callable(getattr(policy, "act_batch", None)):
            raise TypeError(f"a policy needs an act_batch(boards, think) method, got {type(policy).__name__}")
        if think < 1:
            raise ValueError(f"think must be at least 1, got {think}")
        self.policy = policy
        self.think = think
        self.name = name or f"{getattr(policy, 'name', 'policy')}:think={think}"

    def choose(self, boards: list[chess.Board]) -> list[chess.Move]:
        """All boards in one ``act_batch`` call."""
        return list(self.policy.act_batch(boards, self.think))


def player_from_spec(spec: str) -> Player:
    """A player from a spec string, named by the spec.

    Forms: ``random`` or ``random:seed=3``; ``stockfish:nodes=200``, ``stockfish:elo=1500``,
    ``stockfish:skill=3:nodes=1000``, ``stockfish:path=/usr/games/stockfish``; ``policy:<checkpoint>:think=8``
    (the checkpoint is a shipped name or a path; ``agents.chess_policy.load_policy`` loads it).

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
        "policy": {"think"},
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

    return PolicyPlayer(load_policy(checkpoint), think, name=spec)


@dataclass
class GameRecord:
    """One finished game.

    Attributes:
        opening: index of its opening in the match's list.
        a_white: whether player A had White (each opening is played once each way).
        white, black: the players' names.
        result: ``"1-0"``, ``"0-1"`` or ``"1/2-1/2"``.
        plies: plies played from the opening.
        moves: those plies in UCI.
        termination: checkmate, stalemate, insufficient_material, threefold_repetition, fifty_moves,
            fivefold_repetition, seventyfive_moves, or ply_cap.
        adjudicated: ended by the ply cap (a draw), not by the rules.
        start_fen: the opening position.
    """

    opening: int
    a_white: bool
    white: str
    black: str
    result: str
    plies: int
    moves: list[str]
    termination: str
    adjudicated: bool
    start_fen: str

    def score_a(self) -> float:
        """Player A's score in this game."""
        return result_for(self.result, chess.WHITE if self.a_white else chess.BLACK)


@dataclass
class Match:
    """All games of a paired match, with timings.

    Attributes:
        player_a, player_b: the players' names.
        games: two records per opening (A with White first).
        ply_cap: plies after which a game was adjudicated a draw.
        seconds: wall-clock time of the match.
        think_seconds: time spent in each player's ``choose``, keyed ``"a"`` and ``"b"``.
        moves_played: moves each player made, keyed ``"a"`` and ``"b"``.
    """

    player_a: str
    player_b: str
    games: list[GameRecord]
    ply_cap: int
    seconds: float = 0.0
    think_seconds: dict[str, float] = field(default_factory=lambda: {"a": 0.0, "b": 0.0})
    moves_played: dict[str, int] = field(default_factory=lambda: {"a": 0, "b": 0})

    def stats(self) -> MatchStats:
        """The result from A's view, pair by pair."""
        by_opening: dict[int, dict[bool, float]] = {}
        for game in self.games:
            by_opening.setdefault(game.opening, {})[game.a_white] = game.score_a()
        return MatchStats.from_pairs((pair[True], pair[False]) for _, pair in sorted(by_opening.items()))

    def to_pgn(self) -> str:
        """Every game as PGN text (the ply-cap draws tagged ``Termination "adjudication"``)."""
        texts = []
        for number, record in enumerate(self.games, start=1):
            start = chess.Board(record.start_fen)
            game = chess.pgn.Game()
            if record.start_fen != chess.STARTING_FEN:
                game.setup(start)
            game.headers["Event"] = f"{self.player_a} vs {self.player_b}"
            game.headers["Round"] = f"{record.opening + 1}.{1 if record.a_white else 2}"
            game.headers["White"] = record.white
            game.headers["Black"] = record.black
            game.headers["Result"] = record.result
            game.headers["Termination"] = "adjudication" if record.adjudicated else "normal"
            game.headers["PlyCount"] = str(record.plies)
            game.headers["GameNumber"] = str(number)
            node: chess.pgn.GameNode = game
            for uci in record.moves:
                node = node.add_variation(chess.Move.from_uci(uci))
            node.comment = record.termination.replace("_", " ")
            texts.append(str(game))
        return "\n\n".join(texts) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: players, settings, timings, stats and every game."""
        moves = {k: max(v, 1) for k, v in self.moves_played.items()}
        return {
            "player_a": self.player_a,
            "player_b": self.player_b,
            "ply_cap": self.ply_cap,
            "openings": len({g.opening for g in self.games}),
            "seconds": round(self.seconds, 2),
            "ms_per_move": {k: round(1000 * self.think_seconds[k] / moves[k], 3) for k in ("a", "b")},
            "adjudicated": sum(g.adjudicated for g in self.games),
            "mean_plies": round(sum(g.plies for g in self.games) / max(len(self.games), 1), 1),
            "stats": self.stats().to_dict(),
            "games": [asdict(g) for g in self.games],
        }


def termination(board: chess.Board) -> str:
    """Why a game that :func:`puzzles.chess_game.game_result` calls over has ended."""
    outcome = board.outcome(claim_draw=False)
    if outcome is not None:
        return outcome.termination.name.lower()
    if board.halfmove_clock >= 100:
        return "fifty_moves"
    return "threefold_repetition"


@dataclass
class _Game:
    """A game in progress."""

    opening: int
    a_white: bool
    board: chess.Board
    start_fen: str
    moves: list[str] = field(default_factory=list)
    record: GameRecord | None = None


def _finish(game: _Game, names: tuple[str, str], result: str, reason: str, adjudicated: bool) -> None:
    white, black = names if game.a_white else names[::-1]
    game.record = GameRecord(
        game.opening,
        game.a_white,
        white,
        black,
        result,
        len(game.moves),
        game.moves,
        reason,
        adjudicated,
        game.start_fen,
    )


def _check_over(game: _Game, names: tuple[str, str], ply_cap: int) -> bool:
    """Finishes the game if the rules or the ply cap end it; whether it is over."""
    result = game_result(game.board)
    if result is not None:
        _finish(game, names, result, termination(game.board), False)
    elif len(game.moves) >= ply_cap:
        _finish(game, names, "1/2-1/2", "ply_cap", True)
    return game.record is not None


def play_match(
    player_a: Player,
    player_b: Player,
    openings: Sequence[chess.Board],
    ply_cap: int = 300,
    progress: bool = True,
) -> Match:
    """Plays every opening twice (A with White, then with Black), all games at once.

    Each round, ``player_a.choose`` gets every unfinished board where A is to move in one call, then
    ``player_b.choose`` likewise. A game ends by the rules or, after ``ply_cap`` plies, as an adjudicated draw.

    Raises:
        ValueError: no openings, a finished or impossible opening, or a ply cap below 1.
        IllegalMoveError: a player returned an illegal move or the wrong number of moves (names the player).
    """
    if not openings:
        raise ValueError("a match needs at least one opening")
    if ply_cap < 1:
        raise ValueError(f"the ply cap must be at least 1, got {ply_cap}")
    names = (player_a.name, player_b.name)
    games = []
    for index, opening in enumerate(openings):
        if not opening.is_valid():
            raise ValueError(f"opening {index} is not a valid position: {opening.fen()}")
        if game_result(opening) is not None:
            raise ValueError(f"opening {index} is already over: {opening.fen()}")
        for a_white in (True, False):
            games.append(_Game(index, a_white, opening.copy(), opening.fen()))
    match = Match(names[0], names[1], [], ply_cap)
    started = time.perf_counter()
    columns = (TextColumn(f"{names[0]} vs {names[1]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("games", total=len(games))
        live = list(games)
        while live:
            for key, player, is_a in (("a", player_a, True), ("b", player_b, False)):
                # A is to move where the side to move is A's colour.
                turn = [g for g in live if (g.board.turn == chess.WHITE) == (g.a_white == is_a)]
                if not turn:
                    continue
                clock = time.perf_counter()
                moves = player.choose([g.board for g in turn])
                match.think_seconds[key] += time.perf_counter() - clock
                match.moves_played[key] += len(turn)
                _apply(player, turn, moves)
                for game in turn:
                    if _check_over(game, names, ply_cap):
                        bar.advance(task)
                live = [g for g in live if g.record is None]
    match.games = [g.record for g in games if g.record is not None]
    match.seconds = time.perf_counter() - started
    return match


def _apply(player: Player, games: list[_Game], moves: Sequence[chess.Move]) -> None:
    """Pushes each game's move after checking that it is legal."""
    moves = list(moves)
    if len(moves) != len(games):
        raise IllegalMoveError(f"player {player.name!r} returned {len(moves)} moves for {len(games)} boards")
    for game, move in zip(games, moves, strict=True):
        if not isinstance(move, chess.Move) or not game.board.is_legal(move):
            raise IllegalMoveError(
                f"player {player.name!r} played an illegal move {move!r} in {game.board.fen()} "
                f"(opening {game.opening}, after {len(game.moves)} plies)"
            )
        game.board.push(move)
        game.moves.append(move.uci())
