"""The overthinking study (the dissertation's section 5.5): what recall and progressive loss do to a thought.

Each model thinks about the same fresh puzzles while, per iteration and per sample, the study records whether
the answer is exactly right and how far the thought moved, ``||phi_n - phi_(n-1)||``. Besides the clean run,
it intervenes once (:data:`INTERVENTIONS`):

- ``noise``: Gaussian noise N(0, 1) added to the thought after iteration ``early``;
- ``zeros``: the thought replaced by zeros after iteration ``early``;
- ``swap``: after iteration ``late``, the thought replaced by another puzzle's thought of as many iterations
  (the next puzzle in the batch), so the network holds puzzle A beside a half-solved puzzle B;
- ``input``: after iteration ``late``, the puzzle itself changed (:data:`INPUT_CHANGES`: a maze's goal moved
  two cells towards the start, one prefix-sum bit flipped); from then on the new puzzle's answer is right.

Summaries follow the dissertation's Table 5.5: the mean iterations to solution (the first iteration, counted
from the start and after the intervention, whose answer is exactly right, over the samples that get there)
and the peak accuracy after the intervention, plus the accuracy at the last iteration (kept or recovered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from agents.device import autocast
from agents.networks import ThinkingNetwork
from agents.problems import Problem
from agents.thinking import iterations
from puzzles import mazes, prefix_sums

INTERVENTIONS = ("clean", "noise", "zeros", "swap", "input")


def move_maze_goal(images: np.ndarray, targets: np.ndarray, rng: np.random.Generator, cells: int = 2):
    """Mazes with the goal moved ``cells`` cells back along the path towards the start (fewer if the path is
    shorter; a goal next to the start stays), and their new path masks (native image views)."""
    compact, paths = mazes.image_to_compact(images).copy(), mazes.image_to_compact(targets).copy()
    for maze, path in zip(compact, paths, strict=True):
        goal = tuple(np.argwhere((maze[0] == 1) & (maze[1] == 0))[0])
        walk = _walk_path(path, goal)  # goal, gap, cell, gap, ..., start
        # One cell back is two elements back; the cell before the start is the farthest the goal may move.
        new_goal = walk[max(0, min(2 * cells, len(walk) - 3))]
        maze[:, goal[0], goal[1]] = mazes.COLOURS[mazes.OPEN]
        maze[:, new_goal[0], new_goal[1]] = mazes.COLOURS[mazes.GOAL]
        path[:] = 0
        for node in walk[walk.index(new_goal) :]:
            path[node] = 1
    return mazes.compact_to_image(compact), mazes.compact_to_image(paths)


def _walk_path(path: np.ndarray, goal: tuple[int, int]) -> list[tuple[int, int]]:
    """The elements of a path mask in order, from ``goal`` to the other end."""
    walk, previous = [goal], None
    while True:
        r, c = walk[-1]
        following = [
            (r + dr, c + dc)
            for dr, dc in mazes.MOVES
            if 0 <= r + dr < path.shape[0] and 0 <= c + dc < path.shape[1] and path[r + dr, c + dc]
        ]
        following = [n for n in following if n != previous]
        if not following:
            return walk
        previous = walk[-1]
        walk.append(following[0])


def flip_prefix_bit(bits: np.ndarray, targets: np.ndarray, rng: np.random.Generator):
    """Strings with one random bit flipped each, and their new running parities."""
    bits = bits.copy()
    bits[np.arange(len(bits)), rng.integers(0, bits.shape[1], len(bits))] ^= 1
    return bits, prefix_sums.solve(bits)


#: How the ``input`` intervention changes a puzzle of each family: ``(inputs, targets, rng) -> (inputs, targets)``.
INPUT_CHANGES: dict[str, Callable] = {"mazes": move_maze_goal, "prefix_sums": flip_prefix_bit}


@dataclass
class Trace:
    """Per iteration (rows, 1..T) and sample (columns): exact match, and the thought's change from the previous
    iteration. ``at`` is the iteration after which the intervention came (0 for the clean run)."""

    correct: np.ndarray
    change: np.ndarray
    at: int = 0

    def accuracy(self) -> np.ndarray:
        """Exact-match fraction after each iteration."""
        return self.correct.mean(axis=1)

    def summary(self) -> dict[str, float | None]:
        """Table 5.5's cell and the last iteration's accuracy (fractions in [0, 1])."""
        after = self.correct[self.at :]
        solved = after.any(axis=0)
        first = self.at + after.argmax(axis=0) + 1
        return {
            "iterations_to_solution": float(first[solved].mean()) if solved.any() else None,
            "peak": float(after.mean(axis=1).max()),
            "final": float(self.correct[-1].mean()),
        }


def trace_thought(
    net: ThinkingNetwork,
    problem: Problem,
    inputs: np.ndarray,
    targets: np.ndarray,
    iters: int,
    intervention: str = "clean",
    at: int = 0,
    seed: int = 0,
    batch_size: int = 500,
    device: str | torch.device = "cpu",
    precision: str = "fp32",
) -> Trace:
    """Runs ``iters`` iterations on every puzzle, intervening after iteration ``at`` (see the module doc), the
    network (already on ``device``) in ``precision``; the noise is drawn on the CPU, so every device sees the same.

    Raises:
        ValueError: an unknown intervention, ``at`` outside 1..iters-1 for one, or an ``input`` change for a
            family without one in :data:`INPUT_CHANGES`.
    """
    if intervention not in INTERVENTIONS:
        raise ValueError(f"unknown intervention {intervention!r}; known: {INTERVENTIONS}")
    if intervention == "clean":
        at = 0
    elif not 1 <= at < iters:
        raise ValueError(f"an intervention comes after iteration 1..{iters - 1}, got {at}")
    if intervention == "input" and problem.name not in INPUT_CHANGES:
        raise ValueError(f"no input change is defined for {problem.name}; known: {sorted(INPUT_CHANGES)}")
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    correct = np.zeros((iters, len(inputs)), dtype=bool)
    change = np.zeros((iters, len(inputs)), dtype=np.float32)

    def encode(rows: slice) -> tuple:
        return problem.encode(inputs[rows]).to(device), problem.encode_target(targets[rows]).to(device), rows

    def intervene(batch: tuple, state: torch.Tensor) -> tuple[tuple, torch.Tensor]:
        x, y, rows = batch
        state, x, y = _intervene(intervention, problem, state, x, y, inputs[rows], targets[rows], rng, generator)
        return (x.to(device), y.to(device), rows), state

    net.eval()
    with torch.inference_mode(), autocast(device, precision):
        after = None if at == 0 else (at, intervene)
        for step in iterations(net, len(inputs), iters, encode, batch_size, changes=True, intervene=after):
            (x, y, _), (logits,), i = step.batch, step.outputs, step.number - 1
            correct[i, step.rows] = problem.exact(problem.predict(logits, x), y).cpu().numpy()
            change[i, step.rows] = step.change.float().cpu().numpy()
    return Trace(correct, change, at)


def study(
    net: ThinkingNetwork,
    problem: Problem,
    inputs: np.ndarray,
    targets: np.ndarray,
    iters: int,
    early: int,
    late: int,
    seed: int = 0,
    device: str | torch.device = "cpu",
    precision: str = "fp32",
) -> dict[str, Trace]:
    """One model's clean run and every intervention (noise and zeros after iteration ``early``, the swap and the
    input change after ``late``) that comes before its last iteration, by name; the network on ``device`` in
    ``precision``."""
    traces = {}
    for kind in INTERVENTIONS:
        at = {"noise": early, "zeros": early, "swap": late, "input": late}.get(kind, 0)
        if at < iters:
            traces[kind] = trace_thought(
                net, problem, inputs, targets, iters, kind, at, seed, device=device, precision=precision
            )
    return traces


def _intervene(kind, problem, state, x, y, inputs, targets, rng, generator):
    """The intervened ``(state, x, y)``."""
    if kind == "noise":
        return state + torch.randn(state.shape, generator=generator).to(state.device), x, y
    if kind == "zeros":
        return torch.zeros_like(state), x, y
    if kind == "swap":
        return state.roll(1, dims=0), x, y
    changed, changed_targets = INPUT_CHANGES[problem.name](inputs, targets, rng)
    return state, problem.encode(changed), problem.encode_target(changed_targets)
