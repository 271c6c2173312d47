"""The network's side of the terminal game: what the session asks of a policy and what it keeps of each move.

The policy only has to look like :class:`Policy`: ``agents.chess_policy.ChessPolicy`` does, through its one
analysis, ``analyse`` (the move with its probability, the value and the top moves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import chess


class MoveAnalysis(Protocol):
    """What a policy says about a position (``agents.chess_policy.MoveChoice`` has this shape)."""

    move: chess.Move
    probability: float  # the network's probability of ``move`` among the legal moves
    value: float  # the expected outcome for the side to move, -1..1
    top: list[tuple[chess.Move, float]]  # the best few legal moves with probabilities, best first


class Policy(Protocol):
    """A chess player that thinks ``think`` iterations per move."""

    @property
    def default_think(self) -> int:
        """The budget used when none is given."""
        ...

    def analyse(self, board: chess.Board, think: int | None = None) -> MoveAnalysis:
        """The policy's move in ``board`` (the side to move) with its probability and value."""
        ...


@dataclass(frozen=True)
class AgentMove:
    """One move the policy played, as the UI shows it.

    Attributes:
        move: the move.
        san: the move in SAN, in the position it was played in.
        probability: the network's probability of the move among the legal moves.
        value: the network's expected outcome for itself (the side that moved), -1..1.
        think: the iterations it thought.
        top: the best few moves in SAN with their probabilities, best first.
    """

    move: chess.Move
    san: str
    probability: float
    value: float
    think: int
    top: list[tuple[str, float]] = field(default_factory=list)

    @property
    def win_chance(self) -> float:
        """The value as the network's expected score, 0..1 (a win counts 1, a draw half): its win probability
        with draws split evenly, since the value head is trained on game results of +1, 0 and -1."""
        return (1.0 + self.value) / 2.0
