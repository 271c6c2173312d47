"""Throughput of our trainer and inference against a straightforward eager implementation, side by side.

The baseline is the original code's way of doing the same work with the same weights: plain ``Conv1d``
layers, a training step that always runs the full ``max_iters`` forward and builds a graph for the
warm-up iterations, and a test pass that stores every iteration's logits before scoring them. Only
ratios measured in one run mean anything; ``scripts/bench.py`` prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from agents.networks import ThinkingNetwork
from agents.problems import Problem
from trainers.evaluation import accuracy_per_iteration
from trainers.progressive import sample_progressive, thinking_loss


class _EagerBlock(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(width, width, 3, padding=1, bias=False)
        self.conv2 = nn.Conv1d(width, width, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv2(F.relu(self.conv1(x))) + x)


class EagerDTRecall1D(nn.Module):
    """The original ``DTNet1D`` with recall, written plainly; loads a 1D DT-Recall network's weights."""

    def __init__(self, net: ThinkingNetwork) -> None:
        super().__init__()
        cfg = net.config
        if cfg.dims != 1 or cfg.kind != "dt" or not cfg.recall:
            raise ValueError("the eager baseline covers 1D DT-Recall networks")
        w, c = cfg.width, cfg.in_channels
        self.projection = nn.Sequential(nn.Conv1d(c, w, 3, padding=1, bias=False), nn.ReLU())
        self.recall = nn.Sequential(nn.Conv1d(w + c, w, 3, padding=1, bias=False), nn.ReLU())
        self.stages = nn.ModuleList([nn.Sequential(*(_EagerBlock(w) for _ in range(cfg.blocks)))])
        hidden = cfg.head_widths()
        layers: list[nn.Module] = []
        for c_prev, c_next in zip((w, *hidden), hidden, strict=False):
            layers += [nn.Conv1d(c_prev, c_next, 3, padding=1, bias=False), nn.ReLU()]
        layers.append(nn.Conv1d(hidden[-1], cfg.out_channels, 3, padding=1, bias=False))
        self.head = nn.Sequential(*layers)
        self.load_state_dict(net.state_dict())

    def forward(self, x: torch.Tensor, iters: int, state: torch.Tensor | None = None):
        """As the original: projection always computed, every iteration's logits stored."""
        initial = self.projection(x)
        state = initial if state is None else state
        all_outputs = torch.zeros(x.size(0), iters, 2, x.size(2))
        for i in range(iters):
            state = self.stages[0](self.recall(torch.cat([state, x], dim=1)))
            all_outputs[:, i] = self.head(state)
        return all_outputs, state


@dataclass
class Measurement:
    """One side-by-side comparison: work units per second of ours and of the baseline."""

    name: str
    unit: str
    ours: float
    baseline: float

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline


def _timed(fn: Callable[[], None], repeats: int) -> float:
    fn()  # warm-up: allocator, oneDNN primitive caches
    started = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - started) / repeats


def training_throughput(
    net: ThinkingNetwork,
    problem: Problem,
    length: int,
    batch_size: int,
    max_iters: int,
    alpha: float,
    batches: int,
    seed: int = 0,
) -> Measurement:
    """Training samples/s of one progressive-loss step: ours against the original loop."""
    eager = EagerDTRecall1D(net)
    inputs, targets = problem.generate(batch_size, length, np.random.default_rng(seed))
    x, y = problem.encode(inputs), problem.encode_target(targets)
    net.train()

    def ours() -> None:
        loss, _ = thinking_loss(net, x, y, None, alpha, max_iters, rng_ours)
        net.zero_grad(set_to_none=True)
        loss.backward()

    def baseline() -> None:
        # The original always runs the full forward with autograd and builds the warm-up's graph.
        outputs, _ = eager(x, max_iters)
        loss = (1 - alpha) * F.cross_entropy(outputs[:, -1], y)
        n, k = sample_progressive(max_iters, rng_base)
        state = eager(x, n)[1].detach() if n > 0 else None
        outputs, _ = eager(x, k, state)
        loss = loss + alpha * F.cross_entropy(outputs[:, -1], y)
        eager.zero_grad(set_to_none=True)
        loss.backward()

    rng_ours, rng_base = np.random.default_rng(seed), np.random.default_rng(seed)
    t_ours = _timed(ours, batches)
    t_base = _timed(baseline, batches)
    return Measurement(
        f"training step ({length} bits, batch {batch_size}, m={max_iters})",
        "samples/s",
        batch_size / t_ours,
        batch_size / t_base,
    )


def evaluation_throughput(
    net: ThinkingNetwork, problem: Problem, length: int, samples: int, iters: int, batch_size: int, seed: int = 0
) -> Measurement:
    """(iterations x samples)/s of per-iteration accuracy curves: streamed against store-everything."""
    eager = EagerDTRecall1D(net).eval()
    inputs, targets = problem.generate(samples, length, np.random.default_rng(seed))

    def ours() -> None:
        accuracy_per_iteration(net, problem, inputs, targets, iters, batch_size)

    def baseline() -> None:
        with torch.no_grad():
            for start in range(0, samples, batch_size):
                x = problem.encode(inputs[start : start + batch_size])
                y = problem.encode_target(targets[start : start + batch_size])
                outputs, _ = eager(x, iters)
                # both readouts, as the original's default and max_conf test modes
                correct = (outputs.argmax(dim=2) == y[:, None]).all(dim=2)
                confidence = outputs.softmax(dim=2).amax(dim=2).sum(dim=2)
                best = confidence.cummax(dim=1).indices
                correct.sum(dim=0), correct.gather(1, best).sum(dim=0)

    work = samples * iters
    return Measurement(
        f"accuracy per iteration ({length} bits, {iters} iters)",
        "iter x samples/s",
        work / _timed(ours, 1),
        work / _timed(baseline, 1),
    )


def solve_throughput(
    net: ThinkingNetwork, problem: Problem, length: int, samples: int, iters: int, batch_size: int, seed: int = 0
) -> Measurement:
    """(iterations x samples)/s of answering at a fixed budget: ``solve`` against the original test pass."""
    from agents.solver import Solver

    solver = Solver(net, problem, batch_size=batch_size)
    eager = EagerDTRecall1D(net).eval()
    inputs, _ = problem.generate(samples, length, np.random.default_rng(seed))

    def baseline() -> None:
        with torch.no_grad():
            for start in range(0, samples, batch_size):
                outputs, _ = eager(problem.encode(inputs[start : start + batch_size]), iters)
                outputs[:, -1].argmax(dim=1)

    work = samples * iters
    return Measurement(
        f"solve ({length} bits, think={iters})",
        "iter x samples/s",
        work / _timed(lambda: solver.solve(inputs, think=iters), 1),
        work / _timed(baseline, 1),
    )
