"""Evaluation: exact-match accuracy at every iteration in one streamed pass.

Two readouts per iteration t (as the original's ``default`` and ``max_conf`` test modes):

- ``last``: the prediction after iteration t;
- ``max_conf``: the most confident prediction among iterations 1..t (confidence = summed top-class
  probability over the counted positions).

Nothing keeps all iterations' outputs: each batch streams through :func:`agents.thinking.iterations` and only per-sample
running statistics are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from agents.device import autocast
from agents.networks import ThinkingNetwork
from agents.problems import Problem
from agents.solver import MostConfident
from agents.thinking import iterations, puzzle_batches
from trainers.progressive import masked_cross_entropy

#: The evaluation protocol's held-out draws, one seed each: the recommended budget and readout are chosen on
#: ``validation`` and a card reports ``test``, on which nothing is chosen. Each size is drawn with the seed
#: ``[seed, size]`` (:func:`sweep`). No training draw uses them: recipes draw their data from ``split_seed`` (42)
#: and fresh data from ``[seed, epoch, 0]`` with seeds 0 and 1 (tests/test_evaluation.py checks every recipe).
#: 1234 was the only evaluation seed before the protocol, so cards measured before it were measured on validation.
SPLIT_SEEDS = {"validation": 1234, "test": 2027}
#: The readouts a recommendation chooses between: the last iterate, or the most confident one so far.
READOUTS = ("last", "max_conf")


def split_seed(split: str) -> int:
    """The seed of the held-out ``split`` (``"validation"`` or ``"test"``)."""
    try:
        return SPLIT_SEEDS[split]
    except KeyError:
        raise ValueError(f"split is one of {sorted(SPLIT_SEEDS)}, got {split!r}") from None


@dataclass
class IterationCurve:
    """Accuracy (fraction in [0, 1]) after each iteration 1..T, for both readouts, and which instance the last
    iterate solves at each iteration (``solved[i, t - 1]``, for paired comparisons of two iterations)."""

    last: np.ndarray
    max_conf: np.ndarray
    samples: int
    solved: np.ndarray | None = None

    def solved_at(self, iteration: int) -> np.ndarray:
        """Which instances the last iterate solves after ``iteration`` iterations (bool per instance)."""
        if self.solved is None:
            raise ValueError("this curve kept no per-instance results")
        return self.solved[:, iteration - 1]

    def gain(self, start: int, end: int) -> dict:
        """The last iterate's accuracy change from iteration ``start`` to ``end`` over the same instances."""
        return {"from": start, "to": end, **paired_difference(self.solved_at(end), self.solved_at(start))}

    def best(self) -> tuple[int, float]:
        """``(iteration, accuracy)`` of the peak of the last-iterate curve (earliest on ties)."""
        index = int(np.argmax(self.last))
        return index + 1, float(self.last[index])

    def readout(self, name: str) -> np.ndarray:
        """The accuracy curve of readout ``name`` (one of :data:`READOUTS`)."""
        if name not in READOUTS:
            raise ValueError(f"readout is one of {READOUTS}, got {name!r}")
        return self.last if name == "last" else self.max_conf

    def to_dict(self) -> dict:
        return {
            "samples": self.samples,
            "last": self.last.round(6).tolist(),
            "max_conf": self.max_conf.round(6).tolist(),
        }


def paired_difference(solved: np.ndarray, reference: np.ndarray) -> dict:
    """How many points more of the same instances ``solved`` gets right than ``reference``, with a 95% interval
    (normal approximation of the mean per-instance difference)."""
    difference = solved.astype(np.float64) - reference.astype(np.float64)
    mean = float(difference.mean())
    half = 1.96 * float(difference.std(ddof=1)) / np.sqrt(len(difference)) if len(difference) > 1 else np.nan
    return {"points": round(100 * mean, 2), "interval": [round(100 * (mean - half), 2), round(100 * (mean + half), 2)]}


def accuracy_per_iteration(
    net: ThinkingNetwork,
    problem: Problem,
    inputs: np.ndarray,
    targets: np.ndarray,
    iters: int,
    batch_size: int = 500,
    device: str | torch.device = "cpu",
    on_batch: Callable[[int], None] | None = None,
    precision: str = "fp32",
) -> IterationCurve:
    """Exact-match accuracy after each of ``iters`` iterations, streamed batch by batch, the network on ``device``
    in ``precision`` (:func:`agents.device.autocast`).

    ``on_batch(n)`` is called after each batch of ``n`` instances (for progress bars).
    """
    if iters < 1:
        raise ValueError(f"iters must be at least 1, got {iters}")
    net.eval()
    solved = np.zeros((len(inputs), iters), dtype=bool)
    correct_conf = np.zeros(iters, dtype=np.int64)
    device = torch.device(device)
    encode = puzzle_batches(problem, inputs, targets, device)
    with torch.inference_mode(), autocast(device, precision):
        for step in iterations(net, len(inputs), iters, encode, batch_size):
            (x, y), logits = step.batch, step.outputs[0].float()
            if step.number == 1:
                readout = MostConfident()
            ok = problem.exact(problem.predict(logits, x), y)
            best_ok = readout.update(problem.confidence(logits, x), ok)
            solved[step.rows, step.number - 1] = ok.cpu().numpy()
            correct_conf[step.number - 1] += int(best_ok.sum())
            if step.number == iters and on_batch is not None:
                on_batch(len(x))
    n = max(len(inputs), 1)
    return IterationCurve(solved.sum(axis=0) / n, correct_conf / n, len(inputs), solved)


def score_at(
    net: ThinkingNetwork,
    problem: Problem,
    inputs: np.ndarray,
    targets: np.ndarray,
    iters: int,
    batch_size: int = 500,
    device: str | torch.device = "cpu",
    precision: str = "fp32",
) -> tuple[float, float]:
    """``(exact-match accuracy, mean masked cross entropy)`` after exactly ``iters`` iterations, the network on
    ``device`` in ``precision`` (:func:`agents.device.autocast`)."""
    was_training = net.training
    net.eval()
    correct, loss = 0, 0.0
    with torch.inference_mode(), autocast(device, precision):
        for start in range(0, len(inputs), batch_size):
            x = problem.encode(inputs[start : start + batch_size]).to(device)
            y = problem.encode_target(targets[start : start + batch_size]).to(device)
            logits, _ = net(x, iters)
            logits = logits.float()
            correct += int(problem.exact(problem.predict(logits, x), y).sum())
            loss += float(masked_cross_entropy(logits, y, problem.loss_mask(x))) * len(x)
    net.train(was_training)
    n = max(len(inputs), 1)
    return correct / n, loss / n


def sweep(
    net: ThinkingNetwork,
    problem: Problem,
    sizes: list[int],
    iters: int,
    samples: int | list[int],
    split: str = "test",
    batch_size: int = 500,
    device: str | torch.device = "cpu",
    on_batch: Callable[[int], None] | None = None,
    precision: str = "fp32",
) -> dict[int, IterationCurve]:
    """Accuracy curves on ``samples`` instances of each size from the held-out ``split`` (seeded by ``(its seed,
    size)``, :meth:`agents.problems.Problem.held_out`); ``samples`` is one count for every size or one per size
    (fewer where instances are slow to generate)."""
    counts = per_size(samples, sizes)
    seed = split_seed(split)
    curves = {}
    for size, count in zip(sizes, counts, strict=True):
        inputs, targets = problem.held_out(split, count, size, np.random.default_rng([seed, size]))
        curves[size] = accuracy_per_iteration(
            net, problem, inputs, targets, iters, batch_size, device, on_batch, precision
        )
    return curves


def per_size(samples: int | list[int], sizes: list[int]) -> list[int]:
    """``samples`` as one count per size: a single count repeats; otherwise there must be one per size."""
    counts = [samples] if isinstance(samples, int) else list(samples)
    if len(counts) == 1:
        counts = counts * len(sizes)
    if len(counts) != len(sizes) or min(counts, default=1) < 1:
        raise ValueError(f"give one positive sample count, or one per size ({len(sizes)}), got {samples}")
    return counts


def summarise(curve: IterationCurve, marks: list[int]) -> dict:
    """Peak and accuracy at chosen iterations of one curve, for tables and model cards."""
    peak_iter, peak = curve.best()
    after_peak = curve.last[peak_iter - 1 :]
    return {
        "samples": curve.samples,
        "peak_iteration": peak_iter,
        "peak": round(peak, 6),
        "lowest_after_peak": round(float(after_peak.min()), 6),
        "last_iterate": {str(t): round(float(curve.last[t - 1]), 6) for t in marks if t <= len(curve.last)},
        "max_conf": {str(t): round(float(curve.max_conf[t - 1]), 6) for t in marks if t <= len(curve.max_conf)},
    }


def solved_when(solver, inputs: np.ndarray, targets: np.ndarray, cap: int) -> tuple[list[dict], np.ndarray]:
    """Thinks up to ``cap`` iterations on a batch and reports, per instance, the first iteration whose answer is
    exact, whether it stays exact to the cap, the wrong pixels (or bits) at the cap and at the best iteration;
    also returns the answers at the cap (last iterate).
    """
    first = np.zeros(len(inputs), dtype=np.int64)
    stays = np.ones(len(inputs), dtype=bool)
    fewest = np.full(len(inputs), np.iinfo(np.int64).max)
    wrong = np.zeros(len(inputs), dtype=np.int64)
    answers = np.zeros_like(targets)
    for step in solver.think_trace(inputs, think=cap):
        answers = step.prediction
        wrong = (step.prediction != targets).reshape(len(inputs), -1).sum(1)
        exact = wrong == 0
        first = np.where((first == 0) & exact, step.iteration, first)
        stays &= exact | (first == 0)
        fewest = np.minimum(fewest, wrong)
    reports = [
        {
            "first_exact_iteration": int(f) or None,
            "exact_at_cap": bool(w == 0),
            "stays_exact_after_first": bool(s and f > 0),
            "wrong_at_cap": int(w),
            "fewest_wrong": int(m),
        }
        for f, s, w, m in zip(first, stays, wrong, fewest, strict=True)
    ]
    return reports, answers


def settled_budget(curves: dict, tolerance: float, readout: str = "last") -> int:
    """The smallest iteration count at which every curve's ``readout`` is within ``tolerance`` of its peak."""
    budgets = []
    for curve in curves.values():
        accuracy = curve.readout(readout)
        budgets.append(int(np.argmax(accuracy >= accuracy.max() - tolerance)) + 1)
    return max(budgets)


def recommend(validation: dict[int, IterationCurve], tolerance: float = 0.001) -> dict:
    """The budget and readout chosen on validation curves (one per size): per readout, the smallest budget at which
    every size is within ``tolerance`` of its peak; then the readout with the higher mean accuracy there (the last
    iterate on ties: it is cheaper and shows overthinking rather than hiding it). Reads nothing but ``validation``.
    """
    options = []
    for readout in READOUTS:
        think = settled_budget(validation, tolerance, readout)
        accuracy = {size: float(curve.readout(readout)[think - 1]) for size, curve in validation.items()}
        options.append((np.mean(list(accuracy.values())), readout == "last", readout, think, accuracy))
    _, _, readout, think, accuracy = max(options)
    return {"think": think, "readout": readout, "accuracy": {str(k): round(v, 6) for k, v in accuracy.items()}}
