"""The chess policy: a thinking network that picks a legal move with a budget of iterations.

    from agents import load_policy
    policy = load_policy("chess")
    moves = policy.act_batch(boards, think=200)  # chess.Boards -> a legal chess.Move for each, in one batch
    move = policy.act(board, think=200)          # the same for one board
    choice = policy.analyse(board, think=200)    # the move, its probability, the value and the top moves

The network's policy logits are restricted to the legal moves (a softmax over them); the move is the most probable
one, after the rules of the game have had their say (:func:`rule_bonus`: a mate in one is played, and a move that
draws on the spot is avoided while the network's value says it is not behind). ``act_batch`` is the players'
one interface (:class:`trainers.tournament.players.Player`); ``analyse`` and its thinking-on form
``analyse_stream`` are the one analysis, for user interfaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chess
import numpy as np
import torch

from agents.budget import check_search
from agents.checkpoint import check_card, load_checkpoint
from agents.chess_network import ChessNetwork
from agents.chess_search import gumbel_search
from agents.networks import check_iterations, deadline_after, fast_cpu_math
from puzzles.chess_encoding import encode_move
from puzzles.chess_game import game_planes

#: Root moves the player's search considers at most (sequential halving spends the simulations on them).
SEARCH_CONSIDERED = 16


@dataclass
class MoveChoice:
    """What the policy thinks of a position.

    Attributes:
        move: the chosen (most probable legal) move.
        probability: its probability among the legal moves.
        value: the expected outcome for the side to move, -1 (lost) to 1 (won).
        top: the most probable legal moves with their probabilities, best first.
    """

    move: chess.Move
    probability: float
    value: float
    top: list[tuple[chess.Move, float]]


def encode_boards(boards: list[chess.Board]) -> torch.Tensor:
    """Game planes of many boards as one ``(B, 19, 8, 8)`` float tensor."""
    return torch.from_numpy(np.stack([game_planes(board) for board in boards]))


def check_boards(boards: list[chess.Board]) -> None:
    """Every board a chess.Board with a move to choose: TypeError or ValueError naming the first that is not."""
    for board in boards:
        if not isinstance(board, chess.Board):
            raise TypeError(f"a chess policy reads chess.Board positions, got {type(board).__name__}")
        if board.is_game_over(claim_draw=False):
            raise ValueError(f"the game is over in this position, there is no move to choose: {board.fen()}")


def ranked(moves: list[chess.Move], probabilities: np.ndarray, move: chess.Move, value: float, top: int) -> MoveChoice:
    """The choice of ``move`` among ``moves`` (``probabilities`` in the same order), with the ``top`` most probable."""
    order = np.argsort(-probabilities, kind="stable")
    best = [(moves[i], float(probabilities[i])) for i in order[:top]]
    return MoveChoice(move, float(probabilities[moves.index(move)]), float(value), best)


def legal_indices(board: chess.Board) -> tuple[list[chess.Move], np.ndarray]:
    """The legal moves of ``board`` and their action indices."""
    moves = list(board.legal_moves)
    return moves, np.array([encode_move(board, move) for move in moves], dtype=np.int64)


class ChessPolicy:
    """Picks moves with a :class:`agents.chess_network.ChessNetwork` thinking for ``think`` iterations.

    Args:
        net: the trained network.
        card: its model card (``recommended_think`` or the training regime sets the default budget).
        device: ``"cpu"`` or ``"cuda"``.
    """

    def __init__(self, net: ChessNetwork, card: dict[str, Any] | None = None, device: str = "cpu") -> None:
        if not isinstance(net, ChessNetwork):
            raise ValueError(f"a chess policy needs a chess network, got {type(net).__name__}")
        self.card = check_card(card or {})
        self.device = torch.device(device)
        self.net = net.to(self.device).eval()
        fast_cpu_math()

    @property
    def default_think(self) -> int:
        """The card's recommended budget, else the training regime's iterations."""
        recipe = self.card.get("recipe", {})
        return int(self.card.get("recommended_think") or recipe.get("max_iters") or 8)

    @property
    def default_search(self) -> int:
        """The card's recommended search simulations (``recommended_search``), else 0: the budget ``play`` uses
        when none is given. The methods below never search unless asked (``search=0``)."""
        return int(self.card.get("recommended_search") or 0)

    def _check_think(self, think: int | None) -> int:
        """``think`` (default: :attr:`default_think`) as iterations from 1 to :data:`agents.networks.MAX_THINK`."""
        return check_iterations(self.default_think if think is None else think)

    @torch.inference_mode()
    def evaluate(
        self, boards: list[chess.Board], think: int | None = None, max_seconds: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(policy logits (B, 4672), values (B,))`` of many boards after ``think`` iterations (at most
        :data:`agents.networks.MAX_THINK`; TimeoutError past the wall-clock budget ``max_seconds``)."""
        deadline = deadline_after(max_seconds)
        think = self._check_think(think)
        check_boards(boards)
        logits, values, _ = self.net(encode_boards(boards).to(self.device), think, deadline=deadline)
        return logits.float().cpu().numpy(), values.float().cpu().numpy()

    @torch.inference_mode()
    def evaluate_planes(self, planes: np.ndarray, think: int) -> tuple[np.ndarray, np.ndarray]:
        """``(policy logits, values)`` of game planes ``(B, 19, 8, 8)`` after ``think`` iterations (the search's
        evaluator; the planes come from :func:`puzzles.chess_game.game_planes`)."""
        logits, values, _ = self.net(torch.from_numpy(planes).to(self.device), think)
        return logits.float().cpu().numpy(), values.float().cpu().numpy()

    def _searched(self, boards: list[chess.Board], think: int | None, search: int, top: int) -> list[MoveChoice]:
        """Choices by ``search`` simulations of the noiseless Gumbel search, the network thinking ``think`` at each."""
        think = self._check_think(think)
        check_boards(boards)
        evaluate = lambda planes: self.evaluate_planes(planes, think)  # noqa: E731
        results = gumbel_search(boards, evaluate, search, SEARCH_CONSIDERED, gumbel_scale=0.0)
        # The search's target lists the legal moves in python-chess's order, as board.legal_moves does.
        return [
            ranked(list(board.legal_moves), result.target, result.move, result.search_value, top)
            for board, result in zip(boards, results, strict=True)
        ]

    def _choices(
        self,
        boards: list[chess.Board],
        think: int | None,
        top: int,
        max_seconds: float | None = None,
        search: int = 0,
    ) -> list[MoveChoice]:
        if check_search(search) > 0:
            return self._searched(boards, think, search, top)
        logits, values = self.evaluate(boards, think, max_seconds)
        return [self._choose(board, row, value, top) for board, row, value in zip(boards, logits, values, strict=True)]

    def _choose(self, board: chess.Board, row: np.ndarray, value: float, top: int) -> MoveChoice:
        """The choice that one board's policy logits ``row`` and ``value`` make among its legal moves."""
        moves, indices = legal_indices(board)
        legal = row[indices] - row[indices].max()
        probabilities = np.exp(legal) / np.exp(legal).sum()
        return ranked(moves, probabilities, moves[int(np.argmax(probabilities))], value, top)

    def analyse_stream(
        self, board: chess.Board, marks: Iterable[int], top: int = 3
    ) -> Iterator[tuple[int, MoveChoice]]:
        """Thinks about one board on and on, yielding ``(iterations, choice)`` at each of the increasing ``marks``.

        The thought carries over from one mark to the next, so thinking to mark ``m`` costs ``m`` iterations in
        all and the choice at ``m`` is :meth:`analyse` with ``think=m``. ``marks`` may be endless (a generator):
        the caller stops whenever it likes (the UCI engine stops on a clock or on ``stop``).

        Raises:
            ValueError: the game is over in ``board``, or a mark is not a positive integer above the one before.
        """
        check_boards([board])
        x = encode_boards([board]).to(self.device)
        state, done = None, 0
        for mark in marks:
            mark = self._check_think(mark)
            if mark <= done:
                raise ValueError(f"marks must increase, got {mark} after {done}")
            with torch.inference_mode():
                logits, values, state = self.net(x, mark - done, state)
            done = mark
            yield mark, self._choose(board, logits[0].float().cpu().numpy(), float(values[0]), top)

    def analyse(
        self,
        board: chess.Board,
        think: int | None = None,
        top: int = 3,
        max_seconds: float | None = None,
        search: int = 0,
    ) -> MoveChoice:
        """The chosen move, its probability, the value and the ``top`` best moves of one board (``think`` and
        ``max_seconds`` as in :meth:`evaluate`; with ``search``, the search's policy and value)."""
        return self._choices([board], think, top, max_seconds, search)[0]

    def act_batch(
        self, boards: list[chess.Board], think: int | None = None, max_seconds: float | None = None, search: int = 0
    ) -> list[chess.Move]:
        """The most probable legal move of each board after ``think`` iterations (or, with ``search``, the searched
        move), all boards in one batch."""
        return [choice.move for choice in self._choices(boards, think, 1, max_seconds, search)] if boards else []

    def act(
        self, board: chess.Board, think: int | None = None, max_seconds: float | None = None, search: int = 0
    ) -> chess.Move:
        """:meth:`act_batch` for one board."""
        return self.act_batch([board], think, max_seconds, search)[0]


def load_policy(name_or_path: str | Path = "chess", device: str = "cpu") -> ChessPolicy:
    """Loads a chess policy from a shipped name (``"chess"``) or a checkpoint path.

    Raises:
        FileNotFoundError: no such checkpoint.
        ValueError: it is corrupt or not a chess policy.
    """
    net, card = load_checkpoint(name_or_path)
    if not isinstance(net, ChessNetwork):
        problem = card.get("problem") or "puzzle"
        raise ValueError(f"{name_or_path} is a {problem} solver, not a chess policy: load it with load_solver")
    return ChessPolicy(net, card, device)  # type: ignore[arg-type]
