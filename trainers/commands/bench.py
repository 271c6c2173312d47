"""Benchmark: our trainer and inference against a straightforward eager implementation, in one run; each solver
against the classical algorithm on the same instances (running parity, breadth-first search, exact search) at
its card's budget and with auto-halting (accuracy and share of iterations beside); the Sudoku generator; the chess
miner's Stockfish searches through python-chess and through a bare pipe; the miner's game sources in puzzles per
CPU-hour.

    deepthink bench --checkpoint prefix_sums
    deepthink bench --checkpoint '' --maze-checkpoint mazes --maze-size 59 --maze-count 10
    deepthink bench --checkpoint '' --sudoku-checkpoint sudoku
    deepthink bench --checkpoint '' --miner-searches 500
    deepthink bench --checkpoint '' --miner-games 20 --miner-pgn runs/selfplay22/games.pgn
    deepthink bench --solvers-only --strings 1000 --maze-checkpoint mazes --sudoku-checkpoint sudoku
    deepthink bench --solve-paths --strings 100 --maze-checkpoint mazes --maze-count 10 --threads 1

Prints each throughput beside the baseline's as a ratio and writes ``<out>/bench.json``. Only ratios from
one run compare; absolute numbers depend on the machine and its load. ``--solve-paths`` prints instead the solve
table: the original ``Solver.solve`` path (:mod:`trainers.benchmark_solve`) against today's fixed budget and
``think='auto'`` at each ``--halt-every``, on the test split's instances (:data:`trainers.evaluation.SPLIT_SEEDS`),
at each card's budget and readout; its ratios are of CPU seconds, which a loaded machine disturbs less than wall
time (one thread: ``--threads 1``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from agents.solver import load_solver
from puzzles.storage import save_json
from trainers.benchmark import (
    evaluation_throughput,
    maze_view_training_throughput,
    solve_throughput,
    training_throughput,
)
from trainers.benchmark_classical import (
    maze_throughput,
    miner_search_throughput,
    miner_source_throughput,
    strings_throughput,
    sudoku_generator_throughput,
    sudoku_throughput,
)
from trainers.benchmark_solve import compare_solve_paths
from trainers.cli import arg, command, parse_args, threads_arg
from trainers.evaluation import split_seed


@dataclass
class Args:
    """Measure training and inference throughput against the straightforward implementation."""

    checkpoint: str = arg("prefix_sums", "shipped checkpoint name or path (a 1D DT-Recall model); '' skips it")
    train_bits: int = arg(32, "string length of training batches")
    train_batch: int = arg(100, "training batch size")
    train_batches: int = arg(10, "timed training steps per side")
    test_bits: int = arg(512, "string length at test time")
    test_samples: int = arg(1000, "test strings")
    think: int = arg(300, "iterations at test time")
    strings: int = arg(1000, "strings of test_bits bits solved at the card's budget, with and without auto-halting")
    batch_size: int = arg(500, "test batch size")
    threads: int = threads_arg()
    maze_checkpoint: str = arg("", "also time this maze solver against breadth-first search, e.g. mazes")
    maze_size: int = arg(59, "maze size for the maze timing")
    maze_count: int = arg(10, "mazes timed")
    maze_think: int = arg(0, "maze solver budget (0 = its card's recommended think)")
    sudoku_checkpoint: str = arg("", "also time the Sudoku generator, and this solver against the exact search")
    sudoku_levels: list[int] = arg([36, 24], "givens at which the generator is timed")
    sudoku_givens: int = arg(24, "givens of the puzzles the solvers are timed on")
    sudoku_count: int = arg(100, "puzzles generated per level and solved")
    sudoku_think: int = arg(0, "Sudoku solver budget (0 = its card's recommended think)")
    miner_searches: int = arg(0, "also time this many of the chess miner's searches, python-chess against the pipe")
    miner_games: int = arg(0, "also mine this many games of each of the miner's game sources (puzzles/CPU-hour)")
    miner_pgn: str = arg("", "recorded games for --miner-games, e.g. runs/selfplay22/games.pgn")
    solvers_only: bool = arg(False, "time only each solver against its classical algorithm (the halting numbers)")
    solve_paths: bool = arg(False, "time only solve() against the original solve path on the test split")
    halt_every: list[int] = arg([4], "halt_every intervals of think='auto' in the solve-paths table")
    split: str = arg("test", "the solve-paths table's instances: validation (to choose halt_every) or test")
    out: str = arg("reports", "folder for bench.json")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    console = Console()
    if args.solve_paths:
        solve_paths(args, console)
        return
    results = prefix_sums_measurements(args, console) if args.checkpoint else []
    if args.maze_checkpoint:
        maze_solver = load_solver(args.maze_checkpoint)
        if not args.solvers_only:
            config = maze_solver.net.config.to_dict()
            network = {k: v for k, v in config.items() if k in ("kind", "width", "recall", "blocks")}
            results.append(maze_view_training_throughput(network, max_iters=maze_solver.net.config.max_iters))
        results.append(maze_throughput(maze_solver, args.maze_size, args.maze_count, args.maze_think or None))
    if args.sudoku_checkpoint:
        if not args.solvers_only:
            results.append(sudoku_generator_throughput(args.sudoku_levels, args.sudoku_count))
        sudoku_solver = load_solver(args.sudoku_checkpoint)
        results.append(
            sudoku_throughput(sudoku_solver, args.sudoku_givens, args.sudoku_count, args.sudoku_think or None)
        )
    if args.miner_searches:
        results.append(miner_search_throughput(args.miner_searches))
    if args.miner_games:
        results.append(miner_source_throughput(args.miner_games, args.miner_pgn))
    for m in results:
        if m.extra:
            console.print(m.name, {k: round(v, 3) for k, v in m.extra.items()})
    table = Table(title="throughput against a baseline (each workload's first row), measured in one run")
    for column in ("workload", "variant", "throughput", "ratio"):
        table.add_column(column, justify="right" if column in ("throughput", "ratio") else "left")
    for m in results:
        for i, (name, value) in enumerate(m.variants.items()):
            table.add_row(
                m.name if i == 0 else "",
                name,
                f"{value:,.{0 if value >= 100 else 3}f} {m.unit}",
                ratio_text(m.ratios()[name]),
            )
        table.add_section()
    console.print(table)
    save_json(
        Path(args.out) / "bench.json",
        {
            "args": asdict(args),
            "threads": torch.get_num_threads(),
            "results": [
                {
                    "workload": m.name,
                    "unit": m.unit,
                    "throughput": m.variants,
                    "ratio": {k: round(v, 3) for k, v in m.ratios().items()},
                    **({"extra": m.extra} if m.extra else {}),
                }
                for m in results
            ],
        },
    )


def solve_paths(args: Args, console: Console) -> None:
    """The solve-paths table: prefix sums (``--checkpoint``, ``--test-bits``, ``--strings``) and mazes
    (``--maze-checkpoint``, ``--maze-size``, ``--maze-count``), each at its card's budget, on ``--split``."""
    workloads = []
    if args.checkpoint:
        workloads.append((args.checkpoint, args.test_bits, args.strings, "strings"))
    if args.maze_checkpoint:
        workloads.append((args.maze_checkpoint, args.maze_size, args.maze_count, "mazes"))
    seed = split_seed(args.split)
    table = Table(
        title=f"solve: the original path against today's ({args.split} split, seed {seed}), measured in one run"
    )
    for column in ("workload", "path", "wall s/instance", "CPU s/instance", "speed-up (CPU)", "exact", "iterations"):
        table.add_column(column, justify="left" if column in ("workload", "path") else "right")
    report = []
    for name, size, count, unit in workloads:
        solver = load_solver(name)
        inputs, targets = solver.problem.held_out(args.split, count, size, np.random.default_rng([seed, size]))
        paths = compare_solve_paths(solver, inputs, targets, solver.default_think, args.halt_every)
        title = f"{name}, size {size}, {count} {unit}, readout {solver.readout}"
        for i, path in enumerate(paths):
            table.add_row(
                title if i == 0 else "",
                path.name,
                f"{path.wall:.3f}",
                f"{path.cpu:.3f}",
                f"{paths[0].cpu / path.cpu:.2f}x",
                f"{path.exact:.1%}",
                f"{path.iteration_share:.1%}",
            )
        table.add_section()
        report.append({"workload": title, "think": solver.default_think, "paths": [asdict(p) for p in paths]})
    Console(width=max(console.width, 150)).print(table)
    save_json(
        Path(args.out) / "bench.json",
        {
            "args": asdict(args),
            "threads": torch.get_num_threads(),
            "split": args.split,
            "split_seed": seed,
            "solve_paths": report,
        },
    )


def ratio_text(ratio: float) -> str:
    """``1.60x``, or ``3.2e-04x`` for the tiny ratios of a network against breadth-first search."""
    return f"{ratio:.2f}x" if ratio >= 0.01 else f"{ratio:.1e}x"


def prefix_sums_measurements(args: Args, console: Console) -> list:
    """Training, per-iteration evaluation and solving of the prefix-sums model against the eager baseline."""
    solver = load_solver(args.checkpoint)
    net, problem = solver.net, solver.problem
    console.print(f"{args.checkpoint}: width {net.config.width}, {torch.get_num_threads()} threads")
    if args.solvers_only:
        return [strings_throughput(solver, args.test_bits, args.strings)]
    return [
        training_throughput(
            net,
            problem,
            args.train_bits,
            args.train_batch,
            net.config.max_iters,
            solver.card.get("recipe", {}).get("alpha", 1.0),
            args.train_batches,
        ),
        evaluation_throughput(net, problem, args.test_bits, args.test_samples, args.think, args.batch_size),
        solve_throughput(net, problem, args.test_bits, args.test_samples, args.think, args.batch_size),
        strings_throughput(solver, args.test_bits, args.strings),
    ]


if __name__ == "__main__":
    main()
