"""Chess matches over paired openings, every game advancing at once so a network can batch its boards.

Each opening is played twice, player A with White and then with Black (a *pair*: the openings' bias cancels
and the result is scored pentanomially, see :mod:`trainers.tournament.elo`). All games move in rounds: each round, every
unfinished game in which A is to move goes to ``player_a.act_batch`` in one call, then likewise for B, so a
neural player evaluates up to ``2 * len(openings)`` boards per forward pass.

Games end by the rules' cheap checks (:func:`puzzles.chess_game.game_result`: checkmate, stalemate,
insufficient material, threefold repetition, the fifty-move rule), or as a draw adjudicated at the ply cap.

    from trainers.tournament.players import RandomPlayer, StockfishPlayer

    with StockfishPlayer(nodes=200) as engine:
        match = play_match(RandomPlayer(0), engine, openings)
    print(match.stats().to_dict())
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import chess
import chess.pgn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from puzzles.chess_game import game_result, result_for
from trainers.tournament.elo import MatchStats
from trainers.tournament.players import IllegalMoveError, Player


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
        think_seconds: time spent in each player's ``act_batch``, keyed ``"a"`` and ``"b"``.
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

    Each round, ``player_a.act_batch`` gets every unfinished board where A is to move in one call, then
    ``player_b.act_batch`` likewise. A game ends by the rules or, after ``ply_cap`` plies, as an adjudicated draw.

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
                moves = player.act_batch([g.board for g in turn])
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
