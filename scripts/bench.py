"""Benchmark: our trainer and inference against a straightforward eager implementation, in one run.

    python scripts/bench.py --checkpoint prefix_sums

Prints each throughput beside the baseline's as a ratio and writes ``<out>/bench.json``. Only ratios from
one run compare; absolute numbers depend on the machine and its load.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agents.solver import load_solver  # noqa: E402
from puzzles.storage import save_json  # noqa: E402
from trainers.benchmark import evaluation_throughput, solve_throughput, training_throughput  # noqa: E402
from trainers.cli import arg, parse_args, run_main  # noqa: E402


@dataclass
class Args:
    """Measure training and inference throughput against the straightforward implementation."""

    checkpoint: str = arg("prefix_sums", "shipped checkpoint name or path (a 1D DT-Recall model)")
    train_bits: int = arg(32, "string length of training batches")
    train_batch: int = arg(100, "training batch size")
    train_batches: int = arg(10, "timed training steps per side")
    test_bits: int = arg(512, "string length at test time")
    test_samples: int = arg(1000, "test strings")
    think: int = arg(300, "iterations at test time")
    batch_size: int = arg(500, "test batch size")
    threads: int = arg(0, "torch threads (0 = torch's default)")
    out: str = arg("reports", "folder for bench.json")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console()
    solver = load_solver(args.checkpoint)
    net, problem = solver.net, solver.problem
    console.print(f"{args.checkpoint}: width {net.config.width}, {torch.get_num_threads()} threads")
    results = [
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
    ]
    table = Table(title="throughput against the original's eager implementation, measured in one run")
    for column in ("workload", "variant", "throughput", "ratio"):
        table.add_column(column, justify="right" if column in ("throughput", "ratio") else "left")
    for m in results:
        for i, (name, value) in enumerate(m.variants.items()):
            table.add_row(m.name if i == 0 else "", name, f"{value:,.0f} {m.unit}", f"{m.ratios()[name]:.2f}x")
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
                }
                for m in results
            ],
        },
    )


if __name__ == "__main__":
    run_main(main)
