"""The evaluator: each new generation plays earlier ones and Stockfish; an Elo table with intervals keeps score.

A generation is rated as it plays in self-play but without the exploration noise (a
:class:`~trainers.selfplay.actors.SearchPlayer`). Each evaluation is a set of paired matches on openings of the
shipped opening file (each opening once with each colour, :func:`trainers.tournament.match.play_match`):

- against generation 0 (the start), the fixed anchor whose rating is 0;
- against the previous evaluated generation;
- against Stockfish at a fixed node budget (an outside anchor that does not drift with the run).

:class:`EloTable` keeps every match (players, score, pentanomial counts) and fits all ratings jointly
(:func:`trainers.tournament.elo.fit_ratings`, 95 % intervals) relative to generation 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from puzzles.chess_game import OPENINGS_FILE, read_openings
from trainers.selfplay.actors import SearchPlayer, Weights, build_chess_network
from trainers.tournament.elo import MatchStats, fit_ratings
from trainers.tournament.match import play_match
from trainers.tournament.players import StockfishPlayer

#: Generation 0's name in the table: the anchor of every rating.
ANCHOR = "gen 0"


def generation_name(generation: int) -> str:
    """``"gen 12"``."""
    return f"gen {generation}"


def stockfish_name(nodes: int) -> str:
    """``"stockfish nodes=1000"``."""
    return f"stockfish nodes={nodes}"


@dataclass(frozen=True)
class EvalSettings:
    """What the evaluator needs of the recipe (see :class:`trainers.selfplay.config.SelfPlayConfig`)."""

    think: int
    search: int
    considered: int
    pairs: int
    ply_cap: int
    stockfish_nodes: int
    seed: int


@dataclass(frozen=True)
class EvalTask:
    """One generation to evaluate and the opponents it plays.

    Attributes:
        generation: the generation.
        weights: its weights.
        opponents: earlier generations' weights by generation number.
    """

    generation: int
    weights: Weights
    opponents: dict[int, Weights]


class Evaluator:
    """Plays :class:`EvalTask` matches and returns their rows for the :class:`EloTable`.

    Args:
        settings: match settings.
        network: the network's config dictionary.
    """

    def __init__(self, settings: EvalSettings, network: dict[str, Any]) -> None:
        self.settings = settings
        self.network = network
        self.openings = read_openings(OPENINGS_FILE)

    def _player(self, generation: int, weights: Weights) -> SearchPlayer:
        net = build_chess_network(self.network, weights)
        s = self.settings
        return SearchPlayer(net, s.think, s.search, s.considered, generation_name(generation))

    def openings_for(self, generation: int) -> list:
        """The paired openings of a generation's matches (a seeded draw from the opening file)."""
        rng = np.random.default_rng([self.settings.seed, 3, generation])
        count = min(self.settings.pairs, len(self.openings))
        return [self.openings[i] for i in rng.choice(len(self.openings), count, replace=False)]

    def evaluate(self, task: EvalTask) -> list[dict[str, Any]]:
        """Every match of ``task``; one table row per match."""
        player = self._player(task.generation, task.weights)
        openings = self.openings_for(task.generation)
        rows = []
        for generation, weights in sorted(task.opponents.items()):
            match = play_match(player, self._player(generation, weights), openings, self.settings.ply_cap, False)
            rows.append(self._row(task.generation, match))
        if self.settings.stockfish_nodes:
            name = stockfish_name(self.settings.stockfish_nodes)
            with StockfishPlayer(nodes=self.settings.stockfish_nodes, name=name) as engine:
                match = play_match(player, engine, openings, self.settings.ply_cap, False)
            rows.append(self._row(task.generation, match))
        return rows

    @staticmethod
    def _row(generation: int, match: Any) -> dict[str, Any]:
        stats = match.stats()
        return {
            "generation": generation,
            "a": match.player_a,
            "b": match.player_b,
            "games": stats.games,
            "score": stats.wins + 0.5 * stats.draws,
            "pentanomial": list(stats.pentanomial),
            "match": stats.to_dict(),
        }


class EloTable:
    """Every evaluation match, and the ratings they imply (generation 0 = 0 Elo).

    Args:
        rows: earlier rows (:meth:`to_dict`'s ``rows``).
    """

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows: list[dict[str, Any]] = list(rows or [])

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Records matches (the evaluator's rows)."""
        self.rows.extend(rows)

    def evaluated(self) -> list[int]:
        """The generations that have been evaluated, in order."""
        return sorted({int(row["generation"]) for row in self.rows})

    def ratings(self) -> list[dict[str, Any]]:
        """Every player's fitted Elo with its 95 % interval (``elo``, ``low``, ``high``, ``games``), anchored at
        generation 0, in order of first appearance."""
        results = [(row["a"], row["b"], row["score"], row["games"]) for row in self.rows]
        if not results or not any(ANCHOR in (row["a"], row["b"]) for row in self.rows):
            return []
        fitted = fit_ratings(results, anchor=ANCHOR)
        return [
            {
                "player": str(rating.player),
                "elo": round(rating.elo, 1),
                "low": round(rating.low, 1),
                "high": round(rating.high, 1),
                "games": int(rating.games),
            }
            for rating in fitted.values()
        ]

    def latest(self) -> dict[str, Any] | None:
        """The newest evaluated generation's rating, or None before any evaluation."""
        if not self.rows:
            return None
        name = generation_name(self.evaluated()[-1])
        return next((row for row in self.ratings() if row["player"] == name), None)

    def head_to_head(self, a: str, b: str) -> MatchStats | None:
        """All games between ``a`` and ``b`` pooled, from ``a``'s view (pentanomial stats), or None."""
        penta = np.zeros(5, dtype=int)
        wins = draws = losses = 0
        for row in self.rows:
            match = row["match"]
            if (row["a"], row["b"]) == (a, b):
                penta += row["pentanomial"]
                wins, draws, losses = wins + match["wins"], draws + match["draws"], losses + match["losses"]
            elif (row["a"], row["b"]) == (b, a):
                penta += row["pentanomial"][::-1]
                wins, draws, losses = wins + match["losses"], draws + match["draws"], losses + match["wins"]
        if not penta.sum():
            return None
        return MatchStats(wins, draws, losses, tuple(int(c) for c in penta))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The rows and the current ratings (JSON-ready)."""
        return {"anchor": ANCHOR, "ratings": self.ratings(), "rows": self.rows}

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> EloTable:
        """Rebuilds a table from :meth:`to_dict`."""
        return cls(document.get("rows", []))
