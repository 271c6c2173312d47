"""Gumbel search over the network's own policy and value: the policy-improvement step of self-play.

This is the search of Gumbel MuZero / Gumbel AlphaZero (Danihelka, Guez, Schrittwieser and Silver, "Policy
improvement by planning with Gumbel", ICLR 2022), written after DeepMind's ``mctx`` (``gumbel_muzero_policy``
with ``qtransform_completed_by_mix_value``), with python-chess for the rules:

- **root**: Gumbel-Top-k picks ``considered`` actions from ``logits + g`` (``g`` Gumbel noise, scaled by
  ``gumbel_scale``; 0 in evaluation), and sequential halving spends the ``simulations`` on them, keeping the
  better half by ``g + logits + sigma(completed Q)`` after each phase;
- **below the root**: the deterministic rule ``argmax(pi' - N / (1 + sum N))`` with
  ``pi' = softmax(logits + sigma(completed Q))``;
- **leaves** are evaluated by the network, all games' leaves of one simulation in one batch; finished
  positions take their true value (a mate is -1 for the side to move, a draw 0);
- **completed Q**: visited actions keep their mean value, unvisited ones get the mix of the network's value and
  the visited actions' prior-weighted mean; Q is rescaled to [0, 1] over the node's actions and
  ``sigma(q) = (c_visit + max N) * c_scale * q`` (``c_visit = 50``, ``c_scale = 0.1``).

The search returns, per board, the move (the surviving action with the best score) and the **policy target**
``softmax(logits + sigma(completed Q))`` over the legal moves, which improves on the network's policy in
expectation even with few simulations (the paper's Theorem 2); values are from the side to move's view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import chess
import numpy as np

from puzzles.chess_encoding import encode_move
from puzzles.chess_game import game_planes, game_result

#: ``evaluate(planes (B, 19, 8, 8) float32) -> (policy logits (B, 4672), values (B,))`` for the side to move.
Evaluate = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]

C_VISIT = 50.0
C_SCALE = 0.1


@lru_cache(maxsize=256)
def considered_visits(considered: int, simulations: int) -> tuple[int, ...]:
    """The visit count each root simulation looks for (sequential halving, as ``mctx``'s table).

    Simulation ``k`` visits a considered action whose visit count is ``considered_visits(m, n)[k]``: first every
    one of the ``m`` actions once, then the better half more often, down to two actions.
    """
    if considered <= 1:
        return tuple(range(simulations))
    log2max = math.ceil(math.log2(considered))
    sequence: list[int] = []
    visits = [0] * considered
    num = considered
    while len(sequence) < simulations:
        extra = max(1, int(simulations / (log2max * num)))
        for _ in range(extra):
            sequence.extend(visits[:num])
            for i in range(num):
                visits[i] += 1
        num = max(2, num // 2)
    return tuple(sequence[:simulations])


class Node:
    """A position in the search tree: its legal moves with the network's logits, and per-move statistics."""

    __slots__ = ("moves", "actions", "logits", "value", "visits", "value_sum", "children", "terminal")

    def __init__(self, board: chess.Board) -> None:
        result = game_result(board)
        self.terminal: float | None = None
        if result is not None:  # after the opponent's move: a decisive result means the side to move is mated
            self.terminal = 0.0 if result == "1/2-1/2" else -1.0
            self.moves: list[chess.Move] = []
        else:
            self.moves = list(board.legal_moves)
        self.actions = np.array([encode_move(board, m) for m in self.moves], dtype=np.int64)
        self.logits = np.zeros(len(self.moves))
        self.value = 0.0
        self.visits = np.zeros(len(self.moves), dtype=np.int64)
        self.value_sum = np.zeros(len(self.moves))
        self.children: list[Node | None] = [None] * len(self.moves)

    def expand(self, logits: np.ndarray, value: float) -> None:
        """Takes the network's output for this position (logits over all 4672 actions, the value)."""
        legal = logits[self.actions].astype(np.float64)
        self.logits = legal - legal.max()
        self.value = float(value)

    def q(self) -> np.ndarray:
        """The mean value of each move for this node's side to move (0 where unvisited)."""
        return np.divide(self.value_sum, self.visits, out=np.zeros_like(self.value_sum), where=self.visits > 0)

    def mixed_value(self) -> float:
        """The network's value mixed with the visited moves' prior-weighted Q, by visit count."""
        total = int(self.visits.sum())
        if not total:
            return self.value
        weights = np.maximum(_softmax(self.logits), np.finfo(float).tiny) * (self.visits > 0)
        weighted_q = float((weights * self.q()).sum() / weights.sum())
        return (self.value + total * weighted_q) / (total + 1)

    def completed_sigma(self) -> np.ndarray:
        """``sigma(completed Q)`` for every legal move (see the module docstring)."""
        completed = np.where(self.visits > 0, self.q(), self.mixed_value())
        low, high = completed.min(), completed.max()
        completed = (completed - low) / max(high - low, 1e-8)
        return (C_VISIT + self.visits.max()) * C_SCALE * completed

    def improved_policy(self) -> np.ndarray:
        """``softmax(logits + sigma(completed Q))`` over the legal moves: the policy target."""
        return _softmax(self.logits + self.completed_sigma())

    def interior_action(self) -> int:
        """The deterministic non-root choice: ``argmax(pi' - N / (1 + sum N))``."""
        return int(np.argmax(self.improved_policy() - self.visits / (1 + self.visits.sum())))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def _root_score(root: Node, gumbel: np.ndarray, considered_visit: int) -> np.ndarray:
    """``g + logits + sigma(completed Q)`` for the actions with ``considered_visit`` visits, -inf elsewhere."""
    score = np.maximum(-1e9, gumbel + root.logits + root.completed_sigma())
    return np.where(root.visits == considered_visit, score, -np.inf)


@dataclass
class SearchResult:
    """What the search says about one position.

    Attributes:
        move: the move to play.
        actions: the legal moves' action indices (``Discrete(4672)``), in the order of ``target``.
        target: the improved policy over those moves (sums to 1).
        value: the network's value of the position, for the side to move.
        search_value: the root's mixed value after the search (the network's value and the visited moves' Q).
    """

    move: chess.Move
    actions: np.ndarray
    target: np.ndarray
    value: float
    search_value: float


@dataclass
class _Pending:
    """A new node waiting for the network: the edges to it and its game planes."""

    node: Node
    path: list[tuple[Node, int]]
    planes: np.ndarray


def gumbel_search(
    boards: Sequence[chess.Board],
    evaluate: Evaluate,
    simulations: int,
    considered: int = 16,
    gumbel_scale: float = 1.0,
    rng: np.random.Generator | None = None,
) -> list[SearchResult]:
    """Searches every board (each a game in progress, with its move history) at once.

    Args:
        boards: positions with at least one legal move; left as they were (moves are pushed and popped).
        evaluate: the network, on a batch of game planes.
        simulations: simulations per board (at least 1).
        considered: root actions considered at most.
        gumbel_scale: root noise (1 for self-play, 0 for a deterministic, strongest-guess player).
        rng: the noise's generator (needed when ``gumbel_scale > 0``).

    Raises:
        ValueError: a finished position, or a bad setting.
    """
    if simulations < 1 or considered < 1:
        raise ValueError(f"simulations and considered must be positive, got {simulations} and {considered}")
    if gumbel_scale > 0 and rng is None:
        raise ValueError("a Gumbel search with noise needs an rng")
    if not boards:
        return []
    roots = [Node(board) for board in boards]
    for board, root in zip(boards, roots, strict=True):
        if root.terminal is not None:
            raise ValueError(f"the game is over in this position, there is nothing to search: {board.fen()}")
    logits, values = evaluate(np.stack([game_planes(board) for board in boards]))
    for i, root in enumerate(roots):
        root.expand(logits[i], values[i])
    gumbels = [
        gumbel_scale * rng.gumbel(size=len(root.moves)) if gumbel_scale > 0 else np.zeros(len(root.moves))
        for root in roots
    ]
    schedules = [considered_visits(min(considered, len(root.moves)), simulations) for root in roots]
    for k in range(simulations):
        pending: list[_Pending] = []
        for i, (board, root) in enumerate(zip(boards, roots, strict=True)):
            leaf = _descend(board, root, int(np.argmax(_root_score(root, gumbels[i], schedules[i][k]))))
            if leaf is not None:
                pending.append(leaf)
        if pending:
            logits, values = evaluate(np.stack([leaf.planes for leaf in pending]))
            for j, leaf in enumerate(pending):
                leaf.node.expand(logits[j], values[j])
                _backup(leaf.path, leaf.node.value)
    results = []
    for i, root in enumerate(roots):
        action = int(np.argmax(_root_score(root, gumbels[i], int(root.visits.max()))))
        target = root.improved_policy().astype(np.float32)
        results.append(SearchResult(root.moves[action], root.actions, target, root.value, root.mixed_value()))
    return results


def _descend(board: chess.Board, root: Node, action: int) -> _Pending | None:
    """Follows one simulation from the root's ``action`` down to a new node; backs up a finished position at
    once and returns the new node for the network otherwise (the board is restored either way)."""
    path: list[tuple[Node, int]] = []
    node = root
    pushed = 0
    try:
        while True:
            path.append((node, action))
            board.push(node.moves[action])
            pushed += 1
            child = node.children[action]
            if child is None:
                child = node.children[action] = Node(board)
                if child.terminal is None:
                    return _Pending(child, path, game_planes(board))
            if child.terminal is not None:
                _backup(path, child.terminal)
                return None
            node, action = child, child.interior_action()
    finally:
        for _ in range(pushed):
            board.pop()


def _backup(path: list[tuple[Node, int]], leaf_value: float) -> None:
    """Adds a leaf's value (for its side to move) to every edge above it, negated at each ply."""
    value = leaf_value
    for node, action in reversed(path):
        value = -value
        node.visits[action] += 1
        node.value_sum[action] += value
