"""Self-play actors: many games at once with the latest published weights, every move chosen by the search.

An actor keeps ``concurrent`` games in progress; each :meth:`SelfPlayActor.step` makes one move in all of them,
with one :func:`agents.chess_search.gumbel_search` whose network evaluations are batched across the games.
A finished game comes back as a :class:`PlayedGame`: its moves (for PGN) and, for every position, the network
input, the legal moves, the search's policy target and the game's result for the side to move. A new game then
takes its place. The same class runs in a worker process, a Ray actor or the driver itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import chess
import numpy as np
import torch

from agents.chess_network import ChessNetwork
from agents.chess_search import gumbel_search
from agents.networks import build_network, fast_cpu_math
from puzzles.chess_game import game_planes, game_result, read_openings, result_for
from trainers.tournament.match import termination

#: The most legal moves a chess position can have; legal-move lists are padded to this width.
MAX_MOVES = 218

#: Network weights as plain numpy arrays (picklable across processes and Ray, no torch pickles).
Weights = dict[str, np.ndarray]


def weights_of(net: torch.nn.Module) -> Weights:
    """A network's weights as numpy arrays."""
    return {name: tensor.detach().cpu().numpy().copy() for name, tensor in net.state_dict().items()}


def load_weights(net: torch.nn.Module, weights: Weights) -> None:
    """Loads :func:`weights_of` arrays into a network of the same shape."""
    net.load_state_dict({name: torch.from_numpy(np.array(array)) for name, array in weights.items()})


def build_chess_network(network: dict[str, Any], weights: Weights | None = None) -> ChessNetwork:
    """A chess network from its config dictionary (and weights), in evaluation mode."""
    net = build_network(network)
    if not isinstance(net, ChessNetwork):
        raise ValueError(f"self-play needs a chess network, got {type(net).__name__}")
    if weights is not None:
        load_weights(net, weights)
    return net.eval()


class NetworkEvaluator:
    """Calls a chess network on game planes at a fixed thinking budget, without gradients."""

    def __init__(self, net: ChessNetwork, think: int) -> None:
        self.net, self.think = net, think

    @torch.inference_mode()
    def __call__(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits, values, _ = self.net(torch.from_numpy(planes), self.think)
        return logits.float().numpy(), values.float().numpy()


def store_planes(planes: np.ndarray) -> np.ndarray:
    """Game planes as stored in the buffer: uint8, with the fifty-move plane as the half-move count (0-100)."""
    planes = planes.copy()
    planes[..., 18, :, :] *= 100
    return np.rint(planes).astype(np.uint8)


@dataclass
class PlayedGame:
    """A finished self-play game with its training samples (one per position, in order).

    Attributes:
        actor: the actor that played it.
        generation: the weights' generation when it ended (actors switch to new weights between moves).
        start_fen: the starting position.
        moves: the moves in UCI.
        result: ``"1-0"``, ``"0-1"`` or ``"1/2-1/2"``.
        termination: why it ended (as :func:`trainers.tournament.match.termination`, or ``ply_cap``).
        planes: ``(P, 19, 8, 8)`` uint8 network inputs (:func:`store_planes`).
        legal: ``(P, MAX_MOVES)`` int16 action indices of the legal moves, padded with -1 (the legal-move mask).
        targets: ``(P, MAX_MOVES)`` float16 policy targets over those moves (0 on the padding).
        outcomes: ``(P,)`` float32 results for the side to move: 1 win, 0 draw, -1 loss.
    """

    actor: int
    generation: int
    start_fen: str
    moves: list[str]
    result: str
    termination: str
    planes: np.ndarray
    legal: np.ndarray
    targets: np.ndarray
    outcomes: np.ndarray

    @property
    def plies(self) -> int:
        """Moves played."""
        return len(self.moves)

    def summary(self) -> GameSummary:
        """The game without its training arrays (what the driver keeps for PGN and metrics)."""
        return GameSummary(self.actor, self.generation, self.start_fen, self.moves, self.result, self.termination)


@dataclass
class GameSummary:
    """A finished game as the PGN and the metrics need it (see :class:`PlayedGame`)."""

    actor: int
    generation: int
    start_fen: str
    moves: list[str]
    result: str
    termination: str

    @property
    def plies(self) -> int:
        """Moves played."""
        return len(self.moves)


@dataclass
class _LiveGame:
    board: chess.Board
    start_fen: str
    planes: list[np.ndarray] = field(default_factory=list)
    legal: list[np.ndarray] = field(default_factory=list)
    targets: list[np.ndarray] = field(default_factory=list)
    movers: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class PlaySettings:
    """What an actor needs of the recipe (see :class:`trainers.selfplay.config.SelfPlayConfig`)."""

    think: int
    search: int
    considered: int
    gumbel_scale: float
    concurrent: int
    ply_cap: int
    openings: str = ""


class SelfPlayActor:
    """Plays ``settings.concurrent`` self-play games at once with the newest weights it was given.

    Args:
        settings: the search and game settings.
        network: the network's config dictionary (as in a checkpoint).
        actor_id: this actor's number (recorded in its games).
        seed: seeds the Gumbel noise and the choice of openings.
    """

    def __init__(self, settings: PlaySettings, network: dict[str, Any], actor_id: int, seed: Sequence[int]) -> None:
        fast_cpu_math()
        self.settings = settings
        self.actor_id = actor_id
        self.net = build_chess_network(network)
        self.evaluate = NetworkEvaluator(self.net, settings.think)
        self.rng = np.random.default_rng(list(seed))
        self.openings = read_openings(settings.openings) if settings.openings else [chess.Board()]
        self.generation = -1
        self.games: list[_LiveGame] = []
        self.moves_made = 0

    def set_weights(self, generation: int, weights: Weights) -> None:
        """Plays with these weights from the next move on."""
        load_weights(self.net, weights)
        self.generation = generation

    def _new_game(self) -> _LiveGame:
        start = self.openings[int(self.rng.integers(len(self.openings)))]
        return _LiveGame(start.copy(stack=False), start.fen())

    def step(self) -> list[PlayedGame]:
        """One move in every game in progress (starting games up to ``concurrent``); the games that ended."""
        if self.generation < 0:
            raise RuntimeError("an actor plays only after it has been given weights (set_weights)")
        while len(self.games) < self.settings.concurrent:
            self.games.append(self._new_game())
        boards = [game.board for game in self.games]
        results = gumbel_search(
            boards,
            self.evaluate,
            self.settings.search,
            self.settings.considered,
            self.settings.gumbel_scale,
            self.rng,
        )
        finished, live = [], []
        for game, result in zip(self.games, results, strict=True):
            count = len(result.actions)
            legal = np.full(MAX_MOVES, -1, dtype=np.int16)
            targets = np.zeros(MAX_MOVES, dtype=np.float16)
            legal[:count], targets[:count] = result.actions, result.target
            game.planes.append(store_planes(game_planes(game.board)))
            game.legal.append(legal)
            game.targets.append(targets)
            game.movers.append(game.board.turn)
            game.board.push(result.move)
            self.moves_made += 1
            over = game_result(game.board)
            if over is not None:
                finished.append(self._finish(game, over, termination(game.board)))
            elif len(game.board.move_stack) >= self.settings.ply_cap:
                finished.append(self._finish(game, "1/2-1/2", "ply_cap"))
            else:
                live.append(game)
        self.games = live
        return finished

    def play(self, moves: int) -> list[PlayedGame]:
        """:meth:`step` ``moves`` times; every game that ended meanwhile."""
        finished: list[PlayedGame] = []
        for _ in range(moves):
            finished.extend(self.step())
        return finished

    def _finish(self, game: _LiveGame, result: str, reason: str) -> PlayedGame:
        outcomes = np.array([2 * result_for(result, mover) - 1 for mover in game.movers], dtype=np.float32)
        return PlayedGame(
            self.actor_id,
            self.generation,
            game.start_fen,
            [move.uci() for move in game.board.move_stack],
            result,
            reason,
            np.stack(game.planes),
            np.stack(game.legal),
            np.stack(game.targets),
            outcomes,
        )


class SearchPlayer:
    """An arena player (:class:`trainers.tournament.players.Player`) that moves by the Gumbel search without noise.

    This is the self-play player at its strongest guess: the evaluator rates generations with it.
    """

    def __init__(self, net: ChessNetwork, think: int, search: int, considered: int, name: str) -> None:
        self.evaluate = NetworkEvaluator(net, think)
        self.search, self.considered, self.name = search, considered, name

    def act_batch(self, boards: list[chess.Board], think: int | None = None) -> list[chess.Move]:
        """One searched move per board (at the budget it was made with; ``think`` is ignored)."""
        results = gumbel_search(boards, self.evaluate, self.search, self.considered, gumbel_scale=0.0)
        return [result.move for result in results]
