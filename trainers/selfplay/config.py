"""The self-play recipe (what a run's results depend on) and the options of one session (how it is run).

A run folder records its :class:`SelfPlayConfig`; a later session must bring the same recipe, while the
:class:`RunOptions` (backend, worker count, cluster address, stopping point, time budget) may change from one
session to the next.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any

#: The process-level backends; ``ray`` needs the ``ray`` extra (``pip install -e '.[ray]'``).
BACKENDS = ("process", "ray", "inline")


def _check_int(name: str, value: Any, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")


def _check_float(name: str, value: Any, low: float, strict: bool = False) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if value < low or (strict and value == low) or value != value:
        raise ValueError(f"{name} must be {'above' if strict else 'at least'} {low}, got {value}")


@dataclass(frozen=True)
class SelfPlayConfig:
    """The self-play recipe (recorded in ``config.json`` and in the exported model card).

    Attributes:
        start: the checkpoint that is generation 0 (a shipped name such as ``"chess"`` or a path).
        think: network iterations per evaluation (the thinking budget), in play and in training.
        search: simulations of the Gumbel root search per move (the policy-improvement step).
        considered: actions the root search considers at most (Gumbel-Top-k, then sequential halving).
        gumbel_scale: scale of the Gumbel noise at the root in self-play (exploration; evaluation uses 0).
        concurrent: games each actor plays at once (their network evaluations share one batch).
        ply_cap: a game longer than this is adjudicated a draw.
        openings: an EPD file of start positions for self-play games ("" = the initial position).
        buffer_size: positions the replay buffer keeps (the newest).
        min_buffer: positions in the buffer before the learner starts.
        batch_size: positions per learner step.
        sample_reuse: how often each new position is sampled on average (caps learner steps per played position).
        publish_every: learner steps per generation (new weights go to the actors and a checkpoint is written).
        lr, weight_decay, clip: AdamW and the gradient-norm clip.
        value_weight: weight of the value loss beside the policy's cross entropy.
        eval_every: evaluate every this many generations (0 = no evaluator).
        eval_pairs: paired openings per evaluation match (two games each).
        eval_stockfish_nodes: Stockfish's node budget as a fixed evaluation opponent (0 = no Stockfish; the shipped
            network without search loses every game to 1 node, so small budgets are the informative ones).
        seed: games, batches and evaluation openings.
    """

    start: str = "chess"
    think: int = 8
    search: int = 16
    considered: int = 8
    gumbel_scale: float = 1.0
    concurrent: int = 32
    ply_cap: int = 200
    openings: str = ""
    buffer_size: int = 50_000
    min_buffer: int = 2_000
    batch_size: int = 256
    sample_reuse: float = 4.0
    publish_every: int = 100
    lr: float = 1e-4
    weight_decay: float = 1e-4
    clip: float = 1.0
    value_weight: float = 1.0
    eval_every: int = 5
    eval_pairs: int = 10
    eval_stockfish_nodes: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.start, str) or not self.start:
            raise ValueError(f"start must name a checkpoint, got {self.start!r}")
        if not isinstance(self.openings, str):
            raise TypeError(f"openings must be a path or '', got {type(self.openings).__name__}")
        for name, low in (
            ("think", 1),
            ("search", 1),
            ("considered", 1),
            ("concurrent", 1),
            ("ply_cap", 1),
            ("buffer_size", 1),
            ("min_buffer", 1),
            ("batch_size", 1),
            ("publish_every", 1),
            ("eval_every", 0),
            ("eval_pairs", 1),
            ("eval_stockfish_nodes", 0),
            ("seed", 0),
        ):
            _check_int(name, getattr(self, name), low)
        _check_float("gumbel_scale", self.gumbel_scale, 0.0)
        _check_float("weight_decay", self.weight_decay, 0.0)
        _check_float("value_weight", self.value_weight, 0.0)
        for name in ("sample_reuse", "lr", "clip"):
            _check_float(name, getattr(self, name), 0.0, strict=True)
        if self.min_buffer > self.buffer_size:
            raise ValueError(f"min_buffer ({self.min_buffer}) cannot exceed buffer_size ({self.buffer_size})")

    def to_dict(self) -> dict[str, Any]:
        """The recipe as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SelfPlayConfig:
        """Rebuilds a recipe, refusing unknown keys."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown self-play settings: {sorted(unknown)}")
        return cls(**values)


@dataclass(frozen=True)
class RunOptions:
    """How one session runs (not part of the recipe; may change when a run is resumed).

    Attributes:
        backend: ``"process"`` (worker processes on this machine, started with ``spawn``), ``"ray"`` (Ray
            actors: a local Ray runtime, or the cluster at ``address``) or ``"inline"`` (one actor in this
            process, stepped between learner steps: for debugging and tests).
        workers: self-play actors (default: one per core).
        address: a Ray cluster to join (``"auto"`` or ``host:port``); "" starts a local Ray runtime.
        generations: stop once this many generations after generation 0 are published (and evaluated).
        max_minutes: stop this session after this long, saved, to be resumed (0 = no limit).
        progress: show a rich progress display.
    """

    backend: str = "process"
    workers: int = 0
    address: str = ""
    generations: int = 100
    max_minutes: float = 0.0
    progress: bool = True

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend is one of {BACKENDS}, got {self.backend!r}")
        _check_int("workers", self.workers, 0)
        _check_int("generations", self.generations, 1)
        _check_float("max_minutes", self.max_minutes, 0.0)
        if self.address and self.backend != "ray":
            raise ValueError("--address joins a Ray cluster; it needs --backend ray")
        if self.backend == "inline" and self.workers > 1:
            raise ValueError("the inline backend runs one actor; use --backend process for more")

    @property
    def actors(self) -> int:
        """The number of actors: ``workers``, or one per core."""
        if self.backend == "inline":
            return 1
        return self.workers or os.cpu_count() or 1
