"""``Solver.solve`` as it ran before its speed-ups, against the public API today, on the same held-out instances.

Today's fixed-budget path (:meth:`agents.solver.Solver.solve` at a card's budget and readout) differs from the
old one in how it computes, not in what: the residual blocks and ReLUs work in place on the convolutions' fresh
outputs (half the allocations; on CPU every large allocation costs page faults). ``think="auto"`` further drops
halted samples from the batch and, with :attr:`agents.solver.Solver.halt_every`, reads the heads only every few
iterations. :func:`original_solve` is the old path, kept here only (as :class:`trainers.benchmark.EagerDTRecall1D`
keeps the original network), so that ``deepthink bench`` can time both in one run; the tests hold it to today's
answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from agents.networks import ThinkingNetwork
from agents.solver import MostConfident, Solver


def _original_step(net: ThinkingNetwork, x: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
    """One iteration as the network ran it before: every ReLU and residual sum out of place."""
    state = net.recall[0](torch.cat([state, x], dim=1))
    if len(net.recall) > 1:
        state = torch.relu(state)
    for block in net.stages[0]:
        out = torch.relu(block.conv1(state))
        state = torch.relu(block.conv2(out) + state)
    return state


def _original_head(net: ThinkingNetwork, state: torch.Tensor) -> torch.Tensor:
    for layer in net.head:
        state = torch.relu(state) if isinstance(layer, nn.ReLU) else layer(state)
    return net._leave(state)


def original_solve(solver: Solver, inputs: np.ndarray, think: int) -> np.ndarray:
    """What ``solver.solve(inputs, think=think)`` answered before its speed-ups, computed as it computed it: in
    batches of ``solver.batch_size``, with the heads read after every iteration for the max-confidence readout.
    Covers the grid DT-Recall networks of the puzzle solvers, in float32.

    Raises:
        ValueError: another kind of network.
    """
    net, problem = solver.net, solver.problem
    cfg = net.config
    if cfg.kind != "dt" or cfg.geometry != "grid" or not cfg.recall or cfg.state_norm:
        raise ValueError("the original solve path covers grid DT-Recall networks without state_norm")
    inputs = problem.validate(inputs)
    answers = []
    with torch.inference_mode():
        for start in range(0, max(len(inputs), 1), solver.batch_size):
            chunk = inputs[start : start + solver.batch_size]
            x = problem.encode(chunk).to(solver.device)
            entered = net._enter(x)
            state = torch.relu(net.projection[0](entered))
            readout = MostConfident()
            for _ in range(think):
                state = _original_step(net, entered, state)
                if solver.readout == "max_conf":
                    logits = _original_head(net, state)
                    readout.update(problem.confidence(logits, x), problem.predict(logits, x))
            if solver.readout == "max_conf":
                prediction = readout.value
            else:
                prediction = problem.predict(_original_head(net, state), x)
            answers.append(problem.decode(prediction, chunk))
    return np.concatenate(answers)


@dataclass
class SolvePath:
    """One way of answering, timed on the instances: wall and CPU seconds per instance, exact-match rate, and the
    share of the budget's iterations run (1 for a fixed budget)."""

    name: str
    wall: float
    cpu: float
    exact: float
    iteration_share: float


def compare_solve_paths(
    solver: Solver, inputs: np.ndarray, targets: np.ndarray, think: int, halt_every: list[int]
) -> list[SolvePath]:
    """The original path (first), today's ``solve`` at the same budget, and ``think='auto'`` capped there at each
    interval of ``halt_every``, each run once on the same instances (one untimed warm-up instance first)."""

    def fixed() -> tuple[np.ndarray, None]:
        return solver.solve(inputs, think=think), None

    def auto(every: int) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
        def run() -> tuple[np.ndarray, np.ndarray]:
            solver.halt_every = every
            return solver.solve_auto(inputs, cap=think)

        return run

    paths: list[tuple[str, Callable[[], tuple[np.ndarray, np.ndarray | None]]]] = [
        (f"original solve, think={think}", lambda: (original_solve(solver, inputs, think), None)),
        (f"solve(think={think})", fixed),
        *((f"solve(think='auto', cap={think}), every {k}", auto(k)) for k in halt_every),
    ]
    kept = solver.halt_every
    original_solve(solver, inputs[:1], 2)  # allocator and oneDNN caches
    results = []
    try:
        for name, run in paths:
            wall, cpu = time.perf_counter(), time.process_time()
            answers, used = run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            exact = float(np.mean([np.array_equal(a, t) for a, t in zip(answers, targets, strict=True)]))
            share = 1.0 if used is None else float(used.mean() / think)
            results.append(SolvePath(name, wall / len(inputs), cpu / len(inputs), exact, share))
    finally:
        solver.halt_every = kept
    return results
