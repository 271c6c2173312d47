"""The solver API: a trained thinking network behind native numpy formats.

solver = load_solver("prefix_sums")
y = solver.solve(x, think=300)
for step in solver.think_trace(x, think=300):
    print(step.iteration, step.confidence.mean())
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agents.budget import MAX_THINK, check_deadline, check_iterations, deadline_after
from agents.checkpoint import CHESS_GAME, check_card, check_problem_fits, load_checkpoint
from agents.device import autocast, check_precision, resolve_device
from agents.networks import ThinkingNetwork, fast_cpu_math
from agents.problems import Problem, card_problem
from agents.thinking import halting_step, iterations, puzzle_batches


@dataclass
class ThoughtStep:
    """One iteration of thought on a batch.

    Attributes:
        iteration: 1-based iteration number.
        prediction: the answer after this iteration, in the native format.
        confidence: per-sample mean top-class probability over counted positions, in [0, 1].
        change: per-sample norm of the thought's change from the previous iteration, ||phi_n - phi_(n-1)||.
        scores: the per-position prediction before it is decoded into the native answer (for chess puzzles, each
            square's margin for being the move's origin or destination, which the watch view shades).
    """

    iteration: int
    prediction: np.ndarray
    confidence: np.ndarray
    change: np.ndarray
    scores: np.ndarray | None = None


class MostConfident:
    """Keeps, per sample, a value (a prediction, or whether it is right) from its most confident iteration so far.

    The original's ``max_conf`` readout; shared by :class:`Solver` and the evaluation curves.
    """

    def __init__(self) -> None:
        self.confidence: torch.Tensor | None = None
        self.value: torch.Tensor | None = None

    def update(self, confidence: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        """Takes this iteration's per-sample ``confidence`` and ``value``; returns the kept values."""
        if self.confidence is None or self.value is None:
            self.confidence, self.value = confidence, value
            return value
        better = confidence > self.confidence
        self.value = torch.where(better.view(-1, *[1] * (value.dim() - 1)), value, self.value)
        self.confidence = torch.where(better, confidence, self.confidence)
        return self.value

    def keep(self, rows: torch.Tensor) -> None:
        """Keeps only the samples selected by ``rows`` (a boolean mask), as a batch drops finished samples."""
        if self.confidence is not None and self.value is not None:
            self.confidence, self.value = self.confidence[rows], self.value[rows]


class Solver:
    """Solves puzzles of one family with a thinking network.

    Args:
        net: the trained network.
        problem: the puzzle family it was trained on.
        card: its model card.
        device: ``"cpu"`` (default), ``"cuda"`` or ``"mps"`` (:func:`agents.device.resolve_device`).
        batch_size: samples per forward pass (bounds memory on large inputs).
        precision: ``"fp32"`` (default) or ``"bf16"`` (bfloat16 autocast: faster on GPUs, not exact on long
            prefix sums).
    """

    def __init__(
        self,
        net: ThinkingNetwork,
        problem: Problem,
        card: dict[str, Any] | None = None,
        device: str = "cpu",
        batch_size: int = 500,
        precision: str = "fp32",
    ) -> None:
        check_problem_fits(problem.name, net.config, "this solver")
        self.card = check_card(card or {})
        fast_cpu_math()
        self.device = resolve_device(device)
        self.precision = check_precision(precision, self.device)
        self.net = net.to(self.device).eval()
        self.problem = problem
        self.batch_size = batch_size
        #: ``"last"``: the answer after the last iteration; ``"max_conf"``: the most confident iteration's answer
        #: (the original's max_conf test mode), which guards against overthinking. The card recommends one.
        self.readout = str(self.card.get("readout", "last"))
        if self.readout not in ("last", "max_conf"):
            raise ValueError(f"unknown readout {self.readout!r}; use 'last' or 'max_conf'")

    @property
    def default_think(self) -> int:
        """The budget the model card recommends, else the training regime's iterations."""
        return int(self.card.get("recommended_think") or self.net.config.max_iters)

    #: ``think="auto"``: a sample halts once its prediction has not changed for ``halt_patience`` iterations
    #: and every position's top class has at least ``halt_confidence`` probability. The thought itself need not
    #: settle: the shipped prefix-sums model's still moves 6.5% of its norm per iteration after 200, the maze
    #: model's 1.7% after 276 (measured), with their answers long fixed. Without the confidence gate the Sudoku
    #: model halts on grids it holds for a few iterations while still unsure of some cells, and loses puzzles.
    halt_patience: int = 3
    halt_confidence: float = 0.9
    #: ``think="auto"`` reads the heads every ``halt_every`` iterations (and at the cap), not after each: between
    #: two reads only the recurrent block runs, the head's cost (a third of an iteration on the shipped 1D and 2D
    #: models) is paid once per read, and a prediction that held across a read counts for ``halt_every``
    #: iterations of patience. 1 reads every iteration; ``scripts/bench.py`` measures larger ones.
    halt_every: int = 1

    def check_think(self, think: int | None) -> int:
        """``think`` (default: :attr:`default_think`) checked to be a budget this network can run: a whole number
        of iterations from 1 to :data:`agents.networks.MAX_THINK`, and no more than a feed-forward model's stages.

        Raises:
            ValueError: naming the budget and the bound it breaks.
        """
        think = check_iterations(self.default_think if think is None else think)
        if not self.net.recurrent and think > self.net.config.max_iters:
            raise ValueError(f"this feed-forward model has {self.net.config.max_iters} stages; think={think}")
        return think

    def solve(
        self,
        inputs: np.ndarray,
        think: int | str | None = None,
        cap: int | None = None,
        max_seconds: float | None = None,
    ) -> np.ndarray:
        """Answers a batch of puzzles in the native format.

        Args:
            inputs: puzzles in the family's native format.
            think: iterations of the recurrent block (default: the card's recommended budget), at most
                :data:`agents.networks.MAX_THINK`, or ``"auto"`` to halt each sample when its thought has
                converged (see :meth:`solve_auto`).
            cap: with ``think="auto"``, the most iterations any sample may run (default: 4x the default budget,
                at most ``MAX_THINK``).
            max_seconds: a wall-clock budget for the whole batch (None: none).

        Raises:
            TypeError, ValueError: puzzles the family cannot read, or a budget out of bounds.
            TimeoutError: thinking ran past ``max_seconds``.
        """
        if isinstance(think, str):
            if think != "auto":
                raise ValueError(f"think must be a number of iterations or 'auto', got {think!r}")
            return self.solve_auto(inputs, cap, max_seconds)[0]
        deadline = deadline_after(max_seconds)
        inputs = self.problem.validate(inputs)
        think = self.check_think(think)
        answers = []
        with torch.inference_mode(), autocast(self.device, self.precision):
            for chunk in self._chunks(inputs):
                x = self.problem.encode(chunk).to(self.device)
                if self.readout == "max_conf":
                    prediction = self._most_confident(x, think, deadline)
                else:
                    logits, _ = self.net(x, think, deadline=deadline)
                    prediction = self.problem.predict(logits, x)
                answers.append(self.problem.decode(prediction, chunk))
        return np.concatenate(answers)

    def _chunks(self, inputs: np.ndarray) -> Iterator[np.ndarray]:
        """Batches of at most :attr:`batch_size`; an empty batch is one empty chunk, so that its answer still has
        the family's shape (the network runs on zero samples)."""
        for start in range(0, max(len(inputs), 1), self.batch_size):
            yield inputs[start : start + self.batch_size]

    def _most_confident(self, x: torch.Tensor, think: int, deadline: float | None = None) -> torch.Tensor:
        """Per sample, the prediction of the most confident iteration among 1..think."""
        readout = MostConfident()
        for logits, _ in self.net.iterate(x, think, deadline=deadline):
            readout.update(self.problem.confidence(logits, x), self.problem.predict(logits, x))
        assert readout.value is not None
        return readout.value

    def solve_auto(
        self, inputs: np.ndarray, cap: int | None = None, max_seconds: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Answers with per-sample halting, dropping halted samples from the batch.

        A sample halts when its prediction has been the same for ``halt_patience`` iterations and every position
        is predicted with at least ``halt_confidence`` probability, or at ``cap`` (default: 4x the default budget,
        at most :data:`agents.networks.MAX_THINK`); its answer is then read out as :meth:`solve` reads it (the last
        or the most confident prediction). ``max_seconds`` bounds the wall-clock time (TimeoutError past it).

        Returns:
            ``(answers, iterations)``: native answers and the iterations each sample ran.
        """
        deadline = deadline_after(max_seconds)
        inputs = self.problem.validate(inputs)
        cap = self.check_think(cap if cap is not None else min(4 * self.default_think, MAX_THINK))
        answers, runs = [], []
        with torch.inference_mode(), autocast(self.device, self.precision):
            for chunk in self._chunks(inputs):
                prediction, used = self._halting_batch(self.problem.encode(chunk).to(self.device), cap, deadline)
                answers.append(self.problem.decode(prediction, chunk))
                runs.append(used.cpu().numpy())
        return np.concatenate(answers), np.concatenate(runs)

    def _halting_batch(
        self, x: torch.Tensor, cap: int, deadline: float | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        every = check_iterations(self.halt_every, "halt_every")
        active = torch.arange(len(x), device=x.device)
        state = self.net.initial_state(x)
        final: torch.Tensor | None = None
        used = torch.full((len(x),), cap, dtype=torch.long, device=x.device)
        previous: torch.Tensor | None = None
        stable = torch.zeros(len(x), dtype=torch.long, device=x.device)
        readout = MostConfident() if self.readout == "max_conf" else None
        done = 0
        while done < cap:
            run = min(every, cap - done)
            check_deadline(deadline, done, cap)
            logits, state = self.net(x, run, state, start=done)
            done += run
            prediction = self.problem.predict(logits, x)
            if final is None:
                final = torch.zeros_like(prediction)
            never = torch.zeros_like(stable, dtype=torch.bool)  # the first prediction equals no previous one
            same = never if previous is None else self.problem.exact(prediction, previous)
            least = self.problem.least_confidence(logits, x)
            stable, done_here = halting_step(stable, same, least, self.halt_patience, self.halt_confidence, run)
            answer = prediction if readout is None else readout.update(self.problem.confidence(logits, x), prediction)
            if done == cap:
                done_here = torch.ones_like(done_here)
            final[active[done_here]] = answer[done_here]
            used[active[done_here]] = done
            keep = ~done_here
            if not keep.any():
                break
            active, x, state, previous, stable = active[keep], x[keep], state[keep], prediction[keep], stable[keep]
            if readout is not None:
                readout.keep(keep)
        return final, used

    def think_trace(
        self, inputs: np.ndarray, think: int | None = None, max_seconds: float | None = None
    ) -> Iterator[ThoughtStep]:
        """Streams the prediction, confidence and thought change after each iteration (one batch); ``think`` and
        ``max_seconds`` bound it as they bound :meth:`solve`."""
        deadline = deadline_after(max_seconds)
        inputs = self.problem.validate(inputs)
        think = self.check_think(think)
        with torch.inference_mode(), autocast(self.device, self.precision):
            encode, everything = puzzle_batches(self.problem, inputs, device=self.device), max(len(inputs), 1)
            for step in iterations(self.net, len(inputs), think, encode, everything, changes=True, deadline=deadline):
                (x,), (logits,) = step.batch, step.outputs
                if step.number == 1:
                    mask = self.problem.loss_mask(x)
                    counted = mask.flatten(1).sum(1).clamp(min=1) if mask is not None else x.shape[2:].numel()
                scores = self.problem.predict(logits, x)
                yield ThoughtStep(
                    iteration=step.number,
                    prediction=self.problem.decode(scores, inputs),
                    confidence=(self.problem.confidence(logits, x) / counted).float().cpu().numpy(),
                    change=step.change.float().cpu().numpy(),
                    scores=scores.float().cpu().numpy(),
                )


def load_solver(
    name_or_path: str | Path, device: str = "cpu", batch_size: int = 500, precision: str = "fp32"
) -> Solver:
    """Loads a shipped solver by name (``"prefix_sums"``) or a checkpoint by path, on ``device`` in ``precision``
    (as :class:`Solver`); a card with a ``"wider"`` object gives the product Sudoku solver
    (:class:`agents.sudoku_solver.WideSudokuSolver`).

    Raises:
        FileNotFoundError: no such checkpoint.
        ValueError: the checkpoint is corrupt or names an unknown problem.
    """
    net, card = load_checkpoint(name_or_path)
    if card["problem"] == CHESS_GAME:
        raise ValueError(f"{name_or_path} is a chess game policy, not a puzzle solver: load it with load_policy")
    solver = Solver
    if "wider" in card:  # a product solver: the network, then a bounded search where its answer is wrong
        from agents.sudoku_solver import WideSudokuSolver as solver  # imports this module

    return solver(net, card_problem(card), card, device=device, batch_size=batch_size, precision=precision)
