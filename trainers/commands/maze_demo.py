"""Large mazes: how many iterations a maze solver needs, the wall time and the wrong pixels, per maze.

    deepthink maze-demo --checkpoint mazes --size 201 --count 3 --cap 4000 --update-card

Writes ``<out>/<name>_demo_<size>.json`` and a picture of the first maze (input, target, answer at the cap).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.checkpoint import resolve_checkpoint
from agents.solver import load_solver
from puzzles.storage import save_json
from trainers.cards import hardware, write_card_section
from trainers.cli import arg, command, command_line, parse_args, threads_arg
from trainers.evaluation import solved_when
from trainers.plots import plot_thinking


@dataclass
class Args:
    """Solve a few large fresh mazes, thinking up to a cap, and report what it took."""

    checkpoint: str = arg("mazes", "maze solver checkpoint (shipped name or path)")
    size: int = arg(201, "maze size")
    count: int = arg(3, "fresh mazes")
    cap: int = arg(4000, "iterations at most")
    seed: int = arg(2024, "seed of the mazes")
    threads: int = threads_arg()
    out: str = arg("reports", "folder for the JSON and the picture")
    update_card: bool = arg(False, "record the result in the checkpoint's model card")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    import torch

    solver = load_solver(args.checkpoint)
    started = time.perf_counter()
    inputs, targets = solver.problem.generate(args.count, args.size, np.random.default_rng(args.seed))
    generated = time.perf_counter() - started
    started = time.perf_counter()
    mazes, answers = solved_when(solver, inputs, targets, args.cap)
    seconds = time.perf_counter() - started
    stem = resolve_checkpoint(args.checkpoint)
    report = {
        "command": command_line(__file__, argv),
        "size": args.size,
        "cap": args.cap,
        "generation_seconds": round(generated, 2),
        "thinking_seconds": round(seconds, 1),
        "seconds_per_maze": round(seconds / args.count, 1),
        "hardware": hardware(),
        "threads": torch.get_num_threads(),
        "mazes": mazes,
    }
    for number, maze in enumerate(mazes, start=1):
        print(f"maze {number}: {maze}")
    print(f"{args.count} mazes of {args.size}x{args.size}, {args.cap} iterations: {seconds:.0f} s")
    out = Path(args.out)
    save_json(out / f"{stem.name}_demo_{args.size}.json", report)
    answer = solver.solve(inputs[:1], think=args.cap)[0]
    plot_thinking(
        inputs[0],
        targets[0],
        {args.cap: answer},
        out / f"{stem.name}_demo_{args.size}.png",
        f"{stem.name}: a fresh {args.size}x{args.size} maze",
    )
    if args.update_card:
        write_card_section(stem, ("demonstrations", str(args.size)), report)


if __name__ == "__main__":
    main()
