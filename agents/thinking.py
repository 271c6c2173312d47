"""The thinking loop, in one place: every recurrent network runs it, and every reader of thought streams it.

- :func:`recurrence`: the loop itself, ``state = step(x, state, index)`` once per iteration, checking the
  wall-clock deadline before each; :func:`final_thought` runs it to the end.
- :class:`ThinkingLoop`: ``iterate`` and ``forward`` of a recurrent network (the puzzle networks, the chess
  network) over a few hooks each network defines: how an input enters, what one iteration does, what the heads
  read from a thought.
- :func:`iterations`: runs a network over a set of samples in batches, iteration by iteration, and streams every
  iteration's outputs and thought: evaluation curves, halting traces, the overthinking study, the solver's
  ``think_trace``, chess agreement and the benchmarks read a network through it.
- :func:`halting_step`: the rule of ``think="auto"`` as one pure function, shared by the solver that halts and
  the replay that asks what any rule would have done.

Contract of every network::

    *outputs, state = net(x, iters, state=None, start=0)      # run `iters` iterations from `state`
    for *outputs, state in net.iterate(x, iters):             # the same, streamed one iteration at a time

``outputs`` is ``(logits,)`` for a puzzle network and ``(policy, value)`` for the chess network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from agents.budget import check_deadline, check_iterations

#: One iteration of a network: ``(input, thought, iteration index from 0) -> next thought``.
Step = Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]


def recurrence(
    step: Step, x: torch.Tensor, state: torch.Tensor, iters: int, start: int = 0, deadline: float | None = None
) -> Iterator[torch.Tensor]:
    """Yields the thought after each of ``iters`` applications of ``step`` from ``state`` (indices ``start`` on).

    Raises:
        TimeoutError: ``deadline`` (a ``time.monotonic()`` value) passed before an iteration began.
    """
    for i in range(iters):
        check_deadline(deadline, i, iters)
        state = step(x, state, start + i)
        yield state


def final_thought(
    step: Step, x: torch.Tensor, state: torch.Tensor, iters: int, start: int = 0, deadline: float | None = None
) -> torch.Tensor:
    """The thought after ``iters`` applications of ``step`` (``state`` itself for none), keeping no other."""
    for thought in recurrence(step, x, state, iters, start, deadline):
        state = thought
    return state


class ThinkingLoop(nn.Module):
    """``iterate`` and ``forward`` of a recurrent network, over the hooks a subclass defines.

    A subclass has a ``projection`` (input to the first thought) and defines :meth:`_step` and :meth:`read`;
    it may override :meth:`_enter` / :meth:`_resume` / :meth:`_leave` (how inputs and given thoughts enter the
    network's internal layout, and how a thought leaves it) and :meth:`_check_budget`. Holds no parameters, so
    the subclass's state dict is its own.
    """

    projection: nn.Module
    #: True when iterations share weights, so any number of them can be run.
    recurrent: bool = True

    def _step(self, x: torch.Tensor, state: torch.Tensor, index: int) -> torch.Tensor:
        raise NotImplementedError

    def read(self, state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The heads' outputs read from an internal thought."""
        raise NotImplementedError

    def _enter(self, x: torch.Tensor) -> torch.Tensor:
        """An input in the internal layout (checked)."""
        return x

    def _resume(self, state: torch.Tensor) -> torch.Tensor:
        """A given thought in the internal layout."""
        return state

    def _leave(self, state: torch.Tensor) -> torch.Tensor:
        """An internal thought as callers see it."""
        return state

    def _check_budget(self, start: int, iters: int) -> int:
        return check_iterations(iters, "iters", minimum=0)

    def initial_state(self, x: torch.Tensor) -> torch.Tensor:
        """The thought before the first iteration: the projected input."""
        return self._leave(self.projection(self._enter(x)))

    def _begin(self, x: torch.Tensor, iters: int, state: torch.Tensor | None, start: int):
        iters = self._check_budget(start, iters)
        x = self._enter(x)
        return x, iters, self.projection(x) if state is None else self._resume(state)

    def iterate(
        self,
        x: torch.Tensor,
        iters: int,
        state: torch.Tensor | None = None,
        start: int = 0,
        deadline: float | None = None,
    ) -> Iterator[tuple[torch.Tensor, ...]]:
        """Yields ``(*outputs, state)`` after each of ``iters`` iterations, keeping none of them.

        Args:
            x: input batch.
            iters: iterations to run, at most :data:`agents.budget.MAX_THINK`.
            state: thought to continue from; ``None`` starts from the projected input.
            start: iterations already run (selects feed-forward stages; ignored by recurrent networks).
            deadline: a ``time.monotonic()`` value (see :func:`agents.budget.deadline_after`) after which no
                iteration starts: TimeoutError instead.
        """
        x, iters, state = self._begin(x, iters, state, start)
        for thought in recurrence(self._step, x, state, iters, start, deadline):
            yield *self.read(thought), self._leave(thought)

    def forward(
        self,
        x: torch.Tensor,
        iters: int,
        state: torch.Tensor | None = None,
        start: int = 0,
        deadline: float | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """Runs ``iters`` iterations and returns ``(*outputs, state)`` of the last one (the heads applied to the
        starting thought for ``iters=0``); arguments as :meth:`iterate`."""
        x, iters, state = self._begin(x, iters, state, start)
        state = final_thought(self._step, x, state, iters, start, deadline)
        return *self.read(state), self._leave(state)


@dataclass
class Iteration:
    """One iteration of a network on one batch, as :func:`iterations` streams it.

    Attributes:
        rows: the batch's place in the whole set.
        number: the iteration, from 1.
        batch: what ``encode`` gave for the batch: the network's input first (after an intervention, the new one).
        outputs: the heads' outputs, ``(logits,)`` or ``(policy, value)``.
        state: the thought after this iteration.
        previous: the thought before it (None for the first iteration unless ``changes`` was asked for).
    """

    rows: slice
    number: int
    batch: tuple
    outputs: tuple[torch.Tensor, ...]
    state: torch.Tensor
    previous: torch.Tensor | None

    @property
    def change(self) -> torch.Tensor:
        """Per sample, the norm of the thought's change in this iteration, ``||phi_n - phi_(n-1)||``."""
        if self.previous is None:
            raise ValueError("the thought before the first iteration was not kept: ask iterations() for changes")
        return (self.state - self.previous).flatten(1).norm(dim=1)


#: An intervention: ``(batch, thought) -> (batch, thought)``, applied once between two iterations.
Intervention = Callable[[tuple, torch.Tensor], tuple[tuple, torch.Tensor]]


def iterations(
    net: ThinkingLoop,
    count: int,
    iters: int,
    encode: Callable[[slice], tuple],
    batch_size: int = 500,
    changes: bool = False,
    deadline: float | None = None,
    intervene: tuple[int, Intervention] | None = None,
) -> Iterator[Iteration]:
    """Runs ``net`` for ``iters`` iterations over ``count`` samples, ``batch_size`` at a time (an empty set is one
    empty batch), and yields every iteration of every batch, keeping none. Run it under ``torch.inference_mode()``.

    Args:
        encode: ``rows -> (input, *rest)``: a batch's network input, then whatever the reader compares with.
        changes: start from the projected input as a thought, so the first iteration's change can be read.
        deadline: as :meth:`ThinkingLoop.iterate`.
        intervene: ``(at, intervention)``: after iteration ``at``, the batch and the thought are replaced by what
            ``intervention`` makes of them (the overthinking study's noise, swaps and moved goals).
    """
    at, intervention = intervene if intervene is not None else (iters, None)
    for begin in range(0, max(count, 1), batch_size):
        rows = slice(begin, min(begin + batch_size, count))
        batch = encode(rows)
        state = net.initial_state(batch[0]) if changes else None
        done = 0
        while done < iters:
            run = at - done if done < at else iters - done
            for *outputs, thought in net.iterate(batch[0], run, state, start=done, deadline=deadline):
                done += 1
                yield Iteration(rows, done, batch, tuple(outputs), thought, state)
                state = thought
            if intervention is not None and done == at:
                batch, state = intervention(batch, state)


def puzzle_batches(problem: Any, inputs: Any, targets: Any = None, device: Any = "cpu") -> Callable[[slice], tuple]:
    """The ``encode`` of :func:`iterations` for puzzles in a family's native format: ``rows -> (x,)``, or
    ``(x, y)`` with the encoded targets."""

    def encode(rows: slice) -> tuple:
        x = problem.encode(inputs[rows]).to(device)
        return (x,) if targets is None else (x, problem.encode_target(targets[rows]).to(device))

    return encode


def halting_step(
    stable: Any, same: Any, least_confidence: Any, patience: int, confidence: float, iterations: int = 1
) -> tuple[Any, Any]:
    """One read of the halting rule of ``think="auto"``, on numpy arrays or torch tensors alike.

    A sample halts once its prediction has been the same for ``patience`` iterations and its least sure position
    is at least ``confidence`` sure.

    Args:
        stable: per sample, for how many iterations the prediction has stayed the same so far.
        same: per sample, whether this read's prediction equals the previous read's (False on the first).
        least_confidence: per sample, the top-class probability of its least sure position.
        iterations: iterations since the previous read (a prediction the same across them counts for all).

    Returns:
        ``(stable, halts)``: the updated counts, and which samples halt after this iteration.
    """
    stable = (stable + iterations) * same
    return stable, (stable >= patience) & (least_confidence >= confidence)
