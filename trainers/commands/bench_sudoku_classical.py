"""Classical Sudoku solvers timed per puzzle: dancing links (Algorithm X) beside the project's exact search.

    python scripts/bench_sudoku_classical.py --set runs/sudoku_sets/minimal_any_1000_seed1.npz --repeats 3
    python scripts/bench_sudoku_classical.py --count 100 --seed 1

Times ``puzzles.dancing_links.solve`` and ``puzzles.sudoku.solve`` (each also proves the solution unique) on the
same puzzles, best of ``--repeats`` passes, and checks both answers against the set's solutions. With a set from
``scripts/make_sudoku_set.py`` the times are also split by grade. Prints the table and writes
``<out>/sudoku_classical.json`` (per-puzzle seconds included, for a later side-by-side with a network). Only
numbers from one run compare; absolute ones depend on the machine and its load.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from puzzles import dancing_links
from puzzles.storage import load_arrays, save_json
from puzzles.sudoku_generate import generate_graded
from trainers.cli import arg, command, command_line, parse_args


@dataclass
class Args:
    """Time dancing links and the exact search per puzzle on one batch."""

    set: str = arg("", "a .npz from make_sudoku_set.py; '' generates --count fresh minimal puzzles")
    count: int = arg(100, "puzzles (the first --count of the set, or fresh ones)")
    seed: int = arg(1, "seed of the fresh puzzles")
    repeats: int = arg(1, "passes over the batch; the fastest counts")
    out: str = arg("reports", "folder for sudoku_classical.json")


def load_batch(args: Args) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Puzzles, solutions and grades: from the set, or freshly generated minimal puzzles."""
    if args.set:
        arrays = load_arrays(args.set, ["puzzles", "solutions", "grades"])
        return arrays["puzzles"][: args.count], arrays["solutions"][: args.count], arrays["grades"][: args.count]
    graded = generate_graded(args.count, None, args.seed)
    return graded.puzzles, graded.solutions, graded.grades


def grade_table(results: dict[str, dancing_links.Timing], grades: np.ndarray) -> Table:
    """Milliseconds per puzzle of each solver, one row per grade present."""
    table = Table(title="ms per puzzle by grade")
    table.add_column("grade")
    table.add_column("puzzles", justify="right")
    for name in results:
        table.add_column(name.split(" (")[0], justify="right")
    splits = [timing.by_grade(grades) for timing in results.values()]
    for grade, entry in splits[0].items():
        table.add_row(grade, str(entry["puzzles"]), *(f"{split[grade]['ms_per_puzzle']:.2f}" for split in splits))
    return table


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.count < 1 or args.repeats < 1:
        raise ValueError(f"--count and --repeats must be at least 1, got {args.count} and {args.repeats}")
    puzzles, solutions, grades = load_batch(args)
    results = dancing_links.compare_classical(puzzles, solutions, args.repeats)
    table = Table(title=f"{len(puzzles)} Sudoku puzzles, best of {args.repeats}")
    for column in ("solver", "ms/puzzle", "puzzles/s", "slowest ms"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    for name, timing in results.items():
        slowest = 1000 * float(timing.per_puzzle.max())
        table.add_row(
            name, f"{1000 * timing.seconds_per_puzzle:.2f}", f"{timing.puzzles_per_second:.1f}", f"{slowest:.1f}"
        )
    console = Console()
    console.print(table)
    console.print(grade_table(results, grades))
    save_json(
        Path(args.out) / "sudoku_classical.json",
        {
            "command": command_line(__file__, argv),
            "args": asdict(args),
            "puzzles": len(puzzles),
            "solvers": {
                name: {
                    "seconds": timing.seconds,
                    "ms_per_puzzle": 1000 * timing.seconds_per_puzzle,
                    "puzzles_per_second": timing.puzzles_per_second,
                    "by_grade": timing.by_grade(grades),
                    "seconds_each": timing.per_puzzle.round(6).tolist(),
                }
                for name, timing in results.items()
            },
            "grades": grades.astype(int).tolist(),
        },
    )


if __name__ == "__main__":
    main()
