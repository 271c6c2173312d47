"""Halting rules replayed offline: trace a solver once, then ask what any (patience, confidence) rule would do.

``think="auto"`` halts a sample once its prediction has been the same for ``patience`` iterations and its least
sure position is at least ``confidence`` sure (:meth:`agents.solver.Solver.solve_auto`). Tracing the budget once
and replaying rules on the trace answers, for a whole grid of rules, what each would cost and lose, without
rerunning the network; :func:`replay` reproduces ``solve_auto`` exactly (tested): both apply the one rule,
:func:`agents.thinking.halting_step`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from agents.solver import MostConfident
from agents.thinking import halting_step, iterations, puzzle_batches


@dataclass
class HaltingTrace:
    """Per instance ``i`` and iteration ``t`` (``[i, t - 1]``): whether the readout's answer is right, whether the
    prediction equals the previous iteration's, and the least sure position's top-class probability."""

    right: np.ndarray
    same: np.ndarray
    least_confidence: np.ndarray

    @property
    def think(self) -> int:
        return self.right.shape[1]

    def floor(self) -> float:
        """The share of the budget run up to each answer's first right iteration (the whole budget for answers
        never right): the least a rule can run that stops only on a right answer and gives up on none."""
        first = np.where(self.right.any(axis=1), self.right.argmax(axis=1) + 1, self.think)
        return float(first.mean() / self.think)


def trace_halting(solver, inputs: np.ndarray, targets: np.ndarray, think: int) -> HaltingTrace:
    """Runs ``think`` iterations on every instance and records what :func:`replay` needs."""
    problem, count = solver.problem, len(inputs)
    right, same, least = (np.zeros((count, think), dtype=dtype) for dtype in (bool, bool, np.float32))
    encode = puzzle_batches(problem, inputs, targets, solver.device)
    with torch.inference_mode():
        for step in iterations(solver.net, count, think, encode, solver.batch_size):
            (x, y), (logits,), i = step.batch, step.outputs, step.number - 1
            if i == 0:
                readout, previous = MostConfident(), None
            prediction = problem.predict(logits, x)
            ok = problem.exact(prediction, y)
            if solver.readout == "max_conf":
                ok = readout.update(problem.confidence(logits, x), ok)
            right[step.rows, i] = ok.cpu().numpy()
            if previous is not None:
                same[step.rows, i] = problem.exact(prediction, previous).cpu().numpy()
            least[step.rows, i] = problem.least_confidence(logits, x).cpu().numpy()
            previous = prediction
    return HaltingTrace(right, same, least)


def replay(trace: HaltingTrace, patience: int, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Per instance, the iteration a rule halts at (the budget at the latest) and whether its answer is right."""
    stable = np.zeros(len(trace.same), dtype=np.int64)
    halts = np.zeros_like(trace.same)
    for t in range(trace.think):
        stable, halts[:, t] = halting_step(stable, trace.same[:, t], trace.least_confidence[:, t], patience, confidence)
    halts[:, -1] = True
    index = halts.argmax(axis=1)
    return index + 1, trace.right[np.arange(len(index)), index]


def rule_grid(trace: HaltingTrace, patiences: list[int], confidences: list[float]) -> list[dict]:
    """Every (patience, confidence) rule replayed on ``trace``: its exact match minus the fixed budget's (points)
    and its share of the budget's iterations."""
    fixed = float(trace.right[:, -1].mean())
    rules = []
    for patience in patiences:
        for confidence in confidences:
            iterations, right = replay(trace, patience, confidence)
            rules.append(
                {
                    "patience": patience,
                    "confidence": confidence,
                    "minus_fixed_points": round(100 * (float(right.mean()) - fixed), 2),
                    "iteration_share": round(float(iterations.mean()) / trace.think, 4),
                }
            )
    return rules
