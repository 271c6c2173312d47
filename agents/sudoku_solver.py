"""The product Sudoku solver: the thinking network alone first, then thinking wider where that is not enough.

    solver = load_solver("sudoku")                 # a card with a "wider" section gives this solver
    answers = solver.solve(grids)                  # (B, 9, 9), every given kept
    result = solver.solve_wide(grids)              # answers, and how each was found
    print(result.how(0), result.branches[0], result.iterations[0])

Thinking wider is a best-first search whose every step is the network. A puzzle whose network answer is not a
valid solution keeping its givens is branched on the answer's least certain blank cell: one child per top
candidate the rules allow there (a digit no peer holds), each child the puzzle with that digit fixed as a given,
and the network run again on it, continuing from the thought its parent ended with (``branch_think`` more
iterations; a fixed digit changes the input the recall reads every iteration). The frontier is ordered by the
summed log-probability the network gave the fixed digits; a branch whose grid leaves some blank without an allowed
digit is dropped. Optional ``restarts`` run the puzzle again from perturbed starting thoughts before branching.
Every candidate grid is checked against the rules, so an answer marked solved is the solution. The search stops at
``max_calls`` network runs per puzzle and reports what it used; a puzzle it does not crack keeps the network's
first answer.

A card marks this solver with a ``"wider"`` object of :class:`WideSettings` fields; ``agents.solver.load_solver``
dispatches on it.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import torch

from agents.budget import check_iterations, deadline_after
from agents.device import autocast
from agents.networks import ThinkingNetwork
from agents.problems import Problem
from agents.solver import Solver
from puzzles import sudoku

#: ``_PEERS[i, j]``: cells ``i`` and ``j`` share a row, column or box (``i != j``).
_PEERS = np.zeros((81, 81), dtype=np.float32)
for _cell, _peers in enumerate(sudoku.PEERS):
    _PEERS[_cell, list(_peers)] = 1


@dataclass(frozen=True)
class WideSettings:
    """How far the product solver may think wider (the card's ``"wider"`` object).

    Attributes:
        branch_think: iterations each branch runs, continuing its parent's thought.
        max_calls: network runs per puzzle after the first (branches and restarts together); 0: the network alone.
        top: candidates per branching cell, the network's most likely digits among those the rules allow.
        per_round: search nodes per puzzle run together in one batched round.
        restarts: runs from perturbed starting thoughts (at the first run's budget) before branching.
        noise: the perturbation's scale, relative to the starting thought's standard deviation.
    """

    branch_think: int = 20
    max_calls: int = 32
    top: int = 3
    per_round: int = 2
    restarts: int = 0
    noise: float = 0.5

    def __post_init__(self) -> None:
        check_iterations(self.branch_think, "wider.branch_think")
        for name, least in (("max_calls", 0), ("top", 1), ("per_round", 1), ("restarts", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"wider.{name} must be an integer of at least {least}, got {value!r}")
        if self.top > 9:
            raise ValueError(f"wider.top is at most 9 (the digits), got {self.top}")
        if self.restarts > self.max_calls:
            raise ValueError(f"wider.restarts ({self.restarts}) cannot exceed wider.max_calls ({self.max_calls})")
        if isinstance(self.noise, bool) or not isinstance(self.noise, int | float) or not 0 <= self.noise <= 10:
            raise ValueError(f"wider.noise must be a number from 0 to 10, got {self.noise!r}")

    @classmethod
    def from_card(cls, values: Any) -> WideSettings:
        """The settings of a card's ``"wider"`` object; ValueError for anything else or an unknown key."""
        if not isinstance(values, dict):
            raise ValueError(f"the card's wider must be an object of settings, got {type(values).__name__}")
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown wider settings {sorted(unknown)}; known: {[f.name for f in fields(cls)]}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WideResult:
    """Answers of :meth:`WideSudokuSolver.solve_wide` and how each was found.

    Attributes:
        answers: int8 ``(B, 9, 9)``, every given kept; the solution where ``solved``, else the network's first answer.
        solved: per puzzle, whether the answer is a valid solution (checked against the rules).
        branches: per puzzle, network runs after the first (0: the network alone found it).
        iterations: per puzzle, the network iterations run in all.
    """

    answers: np.ndarray
    solved: np.ndarray
    branches: np.ndarray
    iterations: np.ndarray

    def how(self, index: int) -> str:
        """How puzzle ``index`` was answered, in words."""
        runs = int(self.branches[index])
        if not self.solved[index]:
            return f"not solved within {runs} extra network runs ({self.iterations[index]} iterations)"
        if runs == 0:
            return f"network alone ({self.iterations[index]} iterations)"
        return f"after {runs} extra network runs ({self.iterations[index]} iterations)"


def allowed_digits(grids: np.ndarray) -> np.ndarray:
    """``(B, 81, 9)`` bool: digit ``d + 1`` may go in a blank cell, no peer holding it (givens: all False)."""
    flat = grids.reshape(len(grids), 81).astype(np.int64)
    present = np.eye(10, dtype=np.float32)[flat][:, :, 1:]  # (B, 81, 9) one-hot digits, blanks all zero
    seen = np.einsum("ij,bjd->bid", _PEERS, present) > 0
    return (flat == 0)[:, :, None] & ~seen


def is_solution(answers: np.ndarray, puzzles: np.ndarray) -> np.ndarray:
    """``(B,)`` bool: each answer is a complete grid with every digit once per unit, keeping the puzzle's givens."""
    answers, puzzles = np.asarray(answers), np.asarray(puzzles)
    flat = answers.reshape(len(answers), 81)
    units = flat[:, np.array(sudoku.UNITS)]  # (B, 27, 9)
    complete = (np.sort(units, axis=2) == np.arange(1, 10)).all(axis=(1, 2))
    givens = puzzles.reshape(len(puzzles), 81)
    return complete & ((givens == 0) | (givens == flat)).all(axis=1)


@dataclass(order=True)
class _Node:
    """A search node: a grid (givens and fixed digits) waiting for a network run from ``state``."""

    cost: float  # minus the summed log-probability of the fixed digits: the frontier pops the lowest
    order: int  # ties go to the older node
    grid: np.ndarray = field(compare=False)
    state: torch.Tensor | None = field(default=None, compare=False)  # the parent's final thought (None: afresh)
    restart: int = field(default=0, compare=False)  # >0: a fresh start perturbed with this seed


#: A network run's outcome on one node: its answer ``(9, 9)``, digit probabilities ``(81, 9)`` and final thought.
_Outcome = tuple[np.ndarray, np.ndarray, torch.Tensor]
#: A puzzle's search root, with the first run's outcome (None: not run yet).
_Root = tuple[_Node, _Outcome | None]


class WideSudokuSolver(Solver):
    """A :class:`agents.solver.Solver` of Sudoku whose answers are checked and, where wrong, searched wider.

    Args:
        net, problem, card, device, batch_size: as :class:`agents.solver.Solver`.
        settings: how far to search (default: the card's ``"wider"`` object).
    """

    def __init__(
        self,
        net: ThinkingNetwork,
        problem: Problem,
        card: dict[str, Any] | None = None,
        device: str = "cpu",
        batch_size: int = 500,
        precision: str = "fp32",
        settings: WideSettings | None = None,
    ) -> None:
        super().__init__(net, problem, card, device, batch_size, precision)
        if problem.name != "sudoku":
            raise ValueError(f"thinking wider is for Sudoku; this card's problem is {problem.name!r}")
        if not self.net.recurrent:
            raise ValueError("thinking wider continues a thought: it needs a recurrent network")
        self.settings = settings or WideSettings.from_card(self.card.get("wider", {}))

    def solve(
        self,
        inputs: np.ndarray,
        think: int | str | None = None,
        cap: int | None = None,
        max_seconds: float | None = None,
    ) -> np.ndarray:
        """The network's answers (arguments as :meth:`agents.solver.Solver.solve`), each one that is not a valid
        solution searched wider (:meth:`solve_wide`)."""
        return self.solve_wide(inputs, think, cap, max_seconds).answers

    def solve_wide(
        self,
        inputs: np.ndarray,
        think: int | str | None = None,
        cap: int | None = None,
        max_seconds: float | None = None,
    ) -> WideResult:
        """Answers a batch: the network alone at ``think`` (or ``"auto"`` with ``cap``), then, for every answer
        that is not a valid solution, the bounded wider search. ``max_seconds`` bounds the whole call.

        Raises:
            TypeError, ValueError: a malformed grid, a contradiction, no solution or several (one clear error).
            TimeoutError: past ``max_seconds``.
        """
        deadline = deadline_after(max_seconds)
        puzzles = self.problem.validate(inputs)
        count = len(puzzles)
        if think == "auto":
            answers, used = self.solve_auto(puzzles, cap, max_seconds)
            think = self.default_think
            roots: list[_Root] = [(_Node(0.0, 0, grid), None) for grid in puzzles]  # searched afresh at the default
        else:
            think = self.check_think(think)
            answers, roots = self._first_run(puzzles, think, deadline)
            used = np.full(count, think, dtype=np.int64)
        solved = is_solution(answers, puzzles)
        result = WideResult(answers, solved, np.zeros(count, np.int64), used.astype(np.int64))
        wrong = np.flatnonzero(~solved)
        if len(wrong) and self.settings.max_calls:
            group = max(1, self.batch_size // self.settings.per_round)
            for start in range(0, len(wrong), group):
                self._search([int(i) for i in wrong[start : start + group]], roots, think, result, deadline)
        return result

    # ----------------------------------------------------------------------------------------------- internals
    def _first_run(self, puzzles: np.ndarray, think: int, deadline: float | None) -> tuple[np.ndarray, list[_Root]]:
        """The network alone: its answers, and per puzzle the root of its search (with the run's outcome where the
        answer is wrong, to branch from)."""
        if not len(puzzles):
            return np.zeros((0, 9, 9), np.int8), []
        outcomes = self._run([_Node(0.0, 0, grid) for grid in puzzles], think, deadline)
        answers = np.stack([outcome[0] for outcome in outcomes])
        wrong = ~is_solution(answers, puzzles)
        roots: list[_Root] = [
            (_Node(0.0, 0, grid, outcome[2]), outcome) if bad else (_Node(0.0, 0, grid), None)
            for grid, outcome, bad in zip(puzzles, outcomes, wrong, strict=True)
        ]
        return answers, roots

    def _search(
        self, puzzles: list[int], roots: list[_Root], think: int, result: WideResult, deadline: float | None
    ) -> None:
        """Best-first search on each of ``puzzles`` (indices into ``result``), in batched rounds."""
        settings, order = self.settings, itertools.count(1)
        frontiers: dict[int, list[_Node]] = {}
        for index in puzzles:
            root, outcome = roots[index]
            restarts = [_Node(0.0, next(order), root.grid, None, seed) for seed in range(1, settings.restarts + 1)]
            children = [root] if outcome is None else self._children(root, outcome[0], outcome[1], order)
            frontiers[index] = restarts + children
            heapq.heapify(frontiers[index])
        while frontiers:
            batch: list[_Node] = []
            owners: list[int] = []
            for index, frontier in list(frontiers.items()):
                room = settings.max_calls - int(result.branches[index])
                popped = min(settings.per_round, room, len(frontier))
                batch += [heapq.heappop(frontier) for _ in range(popped)]
                owners += [index] * popped
                if not popped:
                    del frontiers[index]  # out of calls or of branches: not solved
            for index, node, (grid, probabilities, state) in zip(
                owners, batch, self._run(batch, think, deadline), strict=True
            ):
                result.branches[index] += 1  # every run counts, also one whose sibling solved the puzzle this round
                result.iterations[index] += think if node.state is None else settings.branch_think
                if index not in frontiers:
                    continue
                if is_solution(grid[None], node.grid[None])[0]:
                    result.answers[index], result.solved[index] = grid, True
                    del frontiers[index]
                    continue
                for child in self._children(_Node(node.cost, 0, node.grid, state), grid, probabilities, order):
                    heapq.heappush(frontiers[index], child)

    def _run(self, batch: list[_Node], think: int, deadline: float | None) -> list[_Outcome]:
        """Runs the network on each node (fresh starts at ``think``, branches ``branch_think`` on from their
        parent's thought); per node its answer, digit probabilities ``(81, 9)`` and final thought."""
        out: list[_Outcome | None] = [None] * len(batch)
        fresh = [i for i, node in enumerate(batch) if node.state is None]
        branches = [i for i, node in enumerate(batch) if node.state is not None]
        with torch.inference_mode(), autocast(self.device, self.precision):
            for members, iters in ((fresh, think), (branches, self.settings.branch_think)):
                for start in range(0, len(members), self.batch_size):
                    chunk = members[start : start + self.batch_size]
                    grids = np.stack([batch[i].grid for i in chunk])
                    x = self.problem.encode(grids).to(self.device)
                    if members is fresh:
                        state = self._starting_thought(x, [batch[i].restart for i in chunk])
                    else:
                        state = torch.stack([batch[i].state for i in chunk]).to(self.device)
                    logits, state = self.net(x, iters, state, deadline=deadline)
                    answers = self.problem.decode(self.problem.predict(logits, x), grids)
                    probabilities = logits.softmax(dim=1).flatten(2).transpose(1, 2).cpu().numpy()
                    for j, i in enumerate(chunk):
                        out[i] = (answers[j], probabilities[j], state[j].cpu())
        return out  # type: ignore[return-value]

    def _starting_thought(self, x: torch.Tensor, restarts: list[int]) -> torch.Tensor:
        """The projected input, perturbed by seeded Gaussian noise where ``restarts`` gives a seed (0: none)."""
        state = self.net.initial_state(x)
        for j, seed in enumerate(restarts):
            if seed:
                noise = torch.randn(state[j].shape, generator=torch.Generator().manual_seed(seed))
                state[j] += self.settings.noise * float(state[j].std()) * noise.to(state.device)
        return state

    def _children(self, node: _Node, answer: np.ndarray, probabilities: np.ndarray, order) -> list[_Node]:
        """Branches on the answer's least certain blank cell: one child per top allowed digit, fixed as a given,
        each continuing from ``node.state``; none when some blank has no allowed digit (a dead end)."""
        allowed = allowed_digits(node.grid[None])[0]  # (81, 9)
        blank = node.grid.reshape(81) == 0
        if not blank.any() or not allowed[blank].any(axis=1).all():
            return []
        mass = np.where(allowed, probabilities, 0.0)
        mass = mass / np.maximum(mass.sum(axis=1, keepdims=True), 1e-12)
        certainty = np.where(blank, mass.max(axis=1), np.inf)
        cell = int(np.argmin(certainty))
        digits = [d for d in np.argsort(-mass[cell])[: self.settings.top] if allowed[cell, d]]
        children = []
        for digit in digits:
            grid = node.grid.copy()
            grid.reshape(81)[cell] = digit + 1
            cost = node.cost - float(np.log(max(mass[cell, digit], 1e-12)))
            children.append(_Node(cost, next(order), grid, node.state))
        return children
