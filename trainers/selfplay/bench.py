"""Self-play throughput by backend: games (and positions) per minute with N worker processes or Ray actors.

Each case starts a backend with generation 0's weights and no evaluator, lets it play for a warm-up (workers
start, the first games end and the concurrent games fall out of step), then counts the games that end in a
timed window. The learner does not train, so the figures are the actors' alone. Cases run one after another
on the same machine, with the same recipe and seeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from agents.checkpoint import load_checkpoint
from agents.chess_network import ChessNetwork
from trainers.selfplay.actors import weights_of
from trainers.selfplay.backends import make_backend
from trainers.selfplay.config import RunOptions, SelfPlayConfig


@dataclass(frozen=True)
class BenchCase:
    """One configuration to time.

    Attributes:
        backend: ``"process"``, ``"ray"`` or ``"inline"``.
        workers: actors.
    """

    backend: str
    workers: int

    @property
    def name(self) -> str:
        """``"process x2"``."""
        return f"{self.backend} x{self.workers}"


def parse_case(text: str) -> BenchCase:
    """``"process:2"`` -> ``BenchCase("process", 2)``.

    Raises:
        ValueError: not ``BACKEND:WORKERS`` with a known backend and a positive count.
    """
    backend, sep, workers = text.partition(":")
    if not sep or not workers.isdigit() or int(workers) < 1:
        raise ValueError(f"a benchmark case is BACKEND:WORKERS, e.g. process:2, got {text!r}")
    RunOptions(backend=backend, workers=int(workers))  # checks the backend and the count
    return BenchCase(backend, int(workers))


def measure(config: SelfPlayConfig, case: BenchCase, warmup: float, seconds: float) -> dict[str, Any]:
    """Plays ``case`` for ``warmup`` seconds, then counts the games that end in the next ``seconds``."""
    if warmup < 0 or seconds <= 0:
        raise ValueError(f"warm-up must be >= 0 and the window > 0 seconds, got {warmup} and {seconds}")
    net, _ = load_checkpoint(config.start)
    if not isinstance(net, ChessNetwork):
        raise ValueError(f"{config.start} is not a chess policy checkpoint")
    config = replace(config, eval_every=0)
    options = RunOptions(backend=case.backend, workers=case.workers, progress=False)
    weights = weights_of(net)
    backend = make_backend(config, options, net.config.to_dict(), weights, session=1)
    try:
        started = time.monotonic()
        machines = backend.start(0, weights)
        while time.monotonic() - started < warmup:
            backend.collect(0.5)
        games = positions = 0
        window = time.monotonic()
        while time.monotonic() - window < seconds:
            finished = backend.collect(0.5)
            games += len(finished)
            positions += sum(game.plies for game in finished)
        elapsed = time.monotonic() - window
    finally:
        backend.close()
    minutes = elapsed / 60
    return {
        "case": case.name,
        "backend": case.backend,
        "workers": case.workers,
        "games": games,
        "positions": positions,
        "seconds": round(elapsed, 1),
        "games_per_min": round(games / minutes, 2),
        "positions_per_min": round(positions / minutes, 1),
        "machines": sorted(set(machines)),
    }


def speedups(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Each case's games and positions per minute relative to the first case."""
    base = rows[0]
    return {
        row["case"]: {
            key: round(row[key] / base[key], 2) if base[key] else float("nan")
            for key in ("games_per_min", "positions_per_min")
        }
        for row in rows
    }
