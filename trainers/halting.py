"""Halting rules replayed offline: trace a solver once, then ask what any (patience, confidence) rule would do.

``think="auto"`` halts a sample once its prediction has been the same for ``patience`` iterations and its least
sure position is at least ``confidence`` sure (:meth:`agents.solver.Solver.solve_auto`). Tracing the budget once
and replaying rules on the trace answers, for a whole grid of rules, what each would cost and lose, without
rerunning the network; :func:`replay` reproduces ``solve_auto`` exactly (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from agents.solver import MostConfident


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
    with torch.inference_mode():
        for start in range(0, count, solver.batch_size):
            rows = slice(start, start + solver.batch_size)
            x = problem.encode(inputs[rows]).to(solver.device)
            y = problem.encode_target(targets[rows]).to(solver.device)
            readout, previous = MostConfident(), None
            for i, (logits, _) in enumerate(solver.net.iterate(x, think)):
                prediction = problem.predict(logits, x)
                ok = problem.exact(prediction, y)
                if solver.readout == "max_conf":
                    ok = readout.update(problem.confidence(logits, x), ok)
                right[rows, i] = ok.cpu().numpy()
                if previous is not None:
                    same[rows, i] = problem.exact(prediction, previous).cpu().numpy()
                least[rows, i] = problem.least_confidence(logits, x).cpu().numpy()
                previous = prediction
    return HaltingTrace(right, same, least)


def replay(trace: HaltingTrace, patience: int, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Per instance, the iteration a rule halts at (the budget at the latest) and whether its answer is right."""
    stable = np.zeros(trace.same.shape, dtype=np.int64)
    for t in range(1, trace.think):
        stable[:, t] = np.where(trace.same[:, t], stable[:, t - 1] + 1, 0)
    halts = (stable >= patience) & (trace.least_confidence >= confidence)
    halts[:, -1] = True
    index = halts.argmax(axis=1)
    return index + 1, trace.right[np.arange(len(index)), index]
