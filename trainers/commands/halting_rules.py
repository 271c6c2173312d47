"""Halting rules replayed on a validation draw: what each (patience, confidence) rule would cost and lose.

    deepthink halting-rules --checkpoint prefix_sums --size 512 --count 1000 --seed 100
    deepthink halting-rules --checkpoint sudoku --size 24 --count 200 --seed 100

Traces the card's budget once on fresh instances (a seed other than the bench's, so that a rule chosen here is
measured there on other instances), then replays every rule of the grid (``trainers/halting.py``). Prints and
writes ``<out>/halting_rules.json``: per rule, its exact match minus the fixed budget's and its share of the
budget's iterations, beside the floor no rule that waits for a right answer can go under.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from agents.solver import load_solver
from puzzles.storage import save_json
from trainers.cli import arg, command, command_line, parse_args, threads_arg
from trainers.halting import rule_grid, trace_halting


@dataclass
class Args:
    """Replay halting rules on a traced validation draw."""

    checkpoint: str = arg("prefix_sums", "shipped solver name or checkpoint path")
    size: int = arg(512, "difficulty of the instances (bits, maze size, Sudoku givens)")
    count: int = arg(1000, "fresh instances")
    seed: int = arg(100, "seed of the draw (the bench uses 0 to 2)")
    think: int = arg(0, "budget traced (0 = the card's recommended think)")
    patience: list[int] = arg([1, 2, 3, 4], "patiences of the grid")
    confidence: list[float] = arg([0.0, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999], "confidence gates of the grid")
    threads: int = threads_arg()
    out: str = arg("reports", "folder for halting_rules.json")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.count < 1:
        raise ValueError(f"--count must be at least 1, got {args.count}")
    solver = load_solver(args.checkpoint)
    think = solver.check_think(args.think or None)
    inputs, targets = solver.problem.generate(args.count, args.size, np.random.default_rng(args.seed))
    trace = trace_halting(solver, inputs, targets, think)
    fixed, floor = float(trace.right[:, -1].mean()), trace.floor()
    rules = rule_grid(trace, args.patience, args.confidence)
    table = Table(title=f"{args.checkpoint}, {args.count} instances of size {args.size}, think {think}")
    for column in ("patience", "confidence", "minus fixed (points)", "share of iterations"):
        table.add_column(column, justify="right")
    for rule in rules:
        table.add_row(
            *(str(rule[k]) for k in ("patience", "confidence", "minus_fixed_points")), f"{rule['iteration_share']:.1%}"
        )
    console = Console()
    console.print(table)
    console.print(f"fixed budget: {fixed:.1%} exact; floor: {floor:.1%} of the iterations")
    save_json(
        Path(args.out) / "halting_rules.json",
        {
            "command": command_line(__file__, argv),
            "args": asdict(args),
            "think": think,
            "fixed_exact_match": fixed,
            "floor": floor,
            "rules": rules,
        },
    )


if __name__ == "__main__":
    main()
