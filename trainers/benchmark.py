"""Throughput of our trainer and inference against a straightforward eager implementation, side by side.

The baseline is the original code's way of doing the same work with the same weights: plain ``Conv1d``
layers, a training step that always runs the full ``max_iters`` forward and builds a graph for the
warm-up iterations, and a test pass that stores every iteration's logits before scoring them. Only
ratios measured in one run mean anything; ``deepthink bench`` prints them. The solvers against classical
algorithms are timed in :mod:`trainers.benchmark_classical`. Denormal floats are flushed in
every variant but the first (a trained network's tiny activations halve CPU throughput otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from agents.networks import ThinkingNetwork
from agents.problems import Problem
from agents.thinking import ThinkingLoop, recurrence
from trainers.evaluation import accuracy_per_iteration
from trainers.progressive import sample_progressive, thinking_loss


class _EagerBlock(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(width, width, 3, padding=1, bias=False)
        self.conv2 = nn.Conv1d(width, width, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv2(F.relu(self.conv1(x))) + x)


class EagerDTRecall1D(ThinkingLoop):
    """The original ``DTNet1D`` with recall, on plain ``Conv1d`` layers; loads a 1D DT-Recall network's weights.

    It runs our thinking loop (:class:`agents.thinking.ThinkingLoop`), so our evaluation can run on plain layers
    too; :meth:`original_forward` is the original's way (projection always computed, every output stored).
    """

    def __init__(self, net: ThinkingNetwork) -> None:
        super().__init__()
        cfg = net.config
        if cfg.dims != 1 or cfg.kind != "dt" or not cfg.recall:
            raise ValueError("the eager baseline covers 1D DT-Recall networks")
        self.config = cfg
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

    def _step(self, x: torch.Tensor, state: torch.Tensor, index: int) -> torch.Tensor:
        return self.stages[0](self.recall(torch.cat([state, x], dim=1)))

    def read(self, state: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.head(state),)

    def original_forward(self, x: torch.Tensor, iters: int, state: torch.Tensor | None = None):
        """As the original: projection always computed, every iteration's logits stored."""
        initial = self.projection(x)
        state = initial if state is None else state
        all_outputs = torch.zeros(x.size(0), iters, 2, x.size(2))
        for i, thought in enumerate(recurrence(self._step, x, state, iters)):
            all_outputs[:, i] = self.head(thought)
            state = thought
        return all_outputs, state


@dataclass
class Measurement:
    """One workload timed three ways: the original's eager code, our loop on plain layers, and ours in full.

    ``variants`` maps a variant's name to its throughput in ``unit``; the first is the baseline.
    """

    name: str
    unit: str
    variants: dict[str, float]
    extra: dict[str, float] = field(default_factory=dict)

    def ratios(self) -> dict[str, float]:
        """Each variant's throughput over the baseline's."""
        baseline = next(iter(self.variants.values()))
        return {name: value / baseline for name, value in self.variants.items()}


def timed(fn: Callable[[], None], repeats: int) -> float:
    """Seconds per call after one warm-up call (allocator, oneDNN caches); ``repeats=0`` times that one call."""
    started = time.perf_counter()
    fn()
    if repeats == 0:
        return time.perf_counter() - started
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
    """Training samples/s of one progressive-loss step."""
    eager = EagerDTRecall1D(net)
    inputs, targets = problem.generate(batch_size, length, np.random.default_rng(seed))
    x, y = problem.encode(inputs), problem.encode_target(targets)
    net.train()
    eager.train()

    def original() -> None:
        # The original always runs the full forward with autograd and builds the warm-up's graph.
        outputs, _ = eager.original_forward(x, max_iters)
        loss = (1 - alpha) * F.cross_entropy(outputs[:, -1], y)
        n, k = sample_progressive(max_iters, rng)
        state = eager.original_forward(x, n)[1].detach() if n > 0 else None
        outputs, _ = eager.original_forward(x, k, state)
        loss = loss + alpha * F.cross_entropy(outputs[:, -1], y)
        eager.zero_grad(set_to_none=True)
        loss.backward()

    def our_loop(model: nn.Module) -> Callable[[], None]:
        def step() -> None:
            loss, _ = thinking_loss(model, x, y, None, alpha, max_iters, rng)
            model.zero_grad(set_to_none=True)
            loss.backward()

        return step

    variants = {}
    for name, fn, flush in (
        ("original loop, Conv1d, denormals kept", original, False),
        ("original loop, Conv1d", original, True),
        ("our loop, Conv1d", our_loop(eager), True),
        ("ours (channels-last)", our_loop(net), True),
    ):
        rng = np.random.default_rng(seed)  # the same (n, k) draws for every variant
        torch.set_flush_denormal(flush)
        variants[name] = batch_size / timed(fn, batches)
    torch.set_flush_denormal(True)
    return Measurement(f"training step ({length} bits, batch {batch_size}, m={max_iters})", "samples/s", variants)


def evaluation_throughput(
    net: ThinkingNetwork, problem: Problem, length: int, samples: int, iters: int, batch_size: int, seed: int = 0
) -> Measurement:
    """(iterations x samples)/s of per-iteration accuracy curves (both readouts)."""
    eager = EagerDTRecall1D(net).eval()
    inputs, targets = problem.generate(samples, length, np.random.default_rng(seed))

    def store_everything() -> None:
        with torch.no_grad():
            for start in range(0, samples, batch_size):
                x = problem.encode(inputs[start : start + batch_size])
                y = problem.encode_target(targets[start : start + batch_size])
                outputs, _ = eager.original_forward(x, iters)
                # both readouts, as the original's default and max_conf test modes
                correct = (outputs.argmax(dim=2) == y[:, None]).all(dim=2)
                confidence = outputs.softmax(dim=2).amax(dim=2).sum(dim=2)
                best = confidence.cummax(dim=1).indices
                correct.sum(dim=0), correct.gather(1, best).sum(dim=0)

    def streamed(model: nn.Module) -> Callable[[], None]:
        return lambda: accuracy_per_iteration(model, problem, inputs, targets, iters, batch_size)

    work = samples * iters
    variants = {
        name: work / timed(fn, 1)
        for name, fn in (
            ("store all outputs, Conv1d", store_everything),
            ("streamed, Conv1d", streamed(eager)),
            ("ours (streamed, channels-last)", streamed(net)),
        )
    }
    return Measurement(f"accuracy per iteration ({length} bits, {iters} iters)", "iter x samples/s", variants)


def solve_throughput(
    net: ThinkingNetwork, problem: Problem, length: int, samples: int, iters: int, batch_size: int, seed: int = 0
) -> Measurement:
    """(iterations x samples)/s of answering at a fixed budget."""
    from agents.solver import Solver

    eager = EagerDTRecall1D(net).eval()
    inputs, _ = problem.generate(samples, length, np.random.default_rng(seed))

    def run(forward: Callable) -> Callable[[], None]:
        def fn() -> None:
            with torch.no_grad():
                for start in range(0, samples, batch_size):
                    forward(problem.encode(inputs[start : start + batch_size]), iters)

        return fn

    ours = Solver(net, problem, batch_size=batch_size)
    work = samples * iters
    variants = {
        name: work / timed(fn, 1)
        for name, fn in (
            ("original (all outputs), Conv1d", run(eager.original_forward)),
            ("last output only, Conv1d", run(eager)),
            ("ours: solve() (channels-last)", lambda: ours.solve(inputs, think=iters)),
            ("ours: solve(think='auto', cap=think)", lambda: ours.solve_auto(inputs, cap=iters)),
        )
    }
    return Measurement(f"solve ({length} bits, think={iters})", "iter x samples/s", variants)


def maze_view_training_throughput(
    config: dict, size: int = 9, batch_size: int = 50, max_iters: int = 30, batches: int = 3, seed: int = 0
) -> Measurement:
    """Training samples/s of one progressive-loss step on the original's image view against the compact view,
    with the same network and the same (n, k) draws."""
    from agents.networks import NetworkConfig, build_network
    from agents.problems import get_problem

    variants = {}
    for label, name in (("image view (2s+6 pixels, the original)", "mazes_image"), ("compact view (ours)", "mazes")):
        problem = get_problem(name)
        torch.manual_seed(seed)
        net = build_network(NetworkConfig(**{**config, "dims": 2, "in_channels": 3, "max_iters": max_iters}))
        inputs, targets = problem.generate(batch_size, size, np.random.default_rng(seed))
        x, y = problem.encode(inputs), problem.encode_target(targets)
        mask = problem.loss_mask(x)
        rng = np.random.default_rng(seed)

        def step(net=net, x=x, y=y, mask=mask, rng=rng) -> None:
            loss, _ = thinking_loss(net, x, y, mask, 1.0, max_iters, rng)
            net.zero_grad(set_to_none=True)
            loss.backward()

        variants[label] = batch_size / timed(step, batches)
    return Measurement(f"maze training step ({size}x{size}, batch {batch_size}, m={max_iters})", "samples/s", variants)
