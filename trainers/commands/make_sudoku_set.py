"""Graded Sudoku sets: minimal puzzles (or puzzles with a number of givens) of a grade, or a sample of all grades.

    python scripts/make_sudoku_set.py --count 100 --grade any --seed 0 --out runs/sudoku_sets/minimal_any_100.npz
    python scripts/make_sudoku_set.py --count 1000 --grade any --seed 1 --workers 2
    python scripts/make_sudoku_set.py --count 1000 --grade forcing_chains --at-least --seed 2 --workers 2
    python scripts/make_sudoku_set.py --count 200 --grade fish --givens 26 --seed 3

Grades (``puzzles.sudoku_techniques.Grade``, by name or rank): naked_singles, hidden_singles, locked_candidates,
naked_subsets, hidden_subsets, fish, chains, forcing_chains, beyond_chains. Every puzzle has its own seed drawn
from ``--seed``, so ``--workers`` changes the speed, never the set. Writes the arrays of
:class:`puzzles.sudoku_generate.GradedSet` to ``--out`` (``.npz``) and a summary beside it (``.json``): the share
of each grade, puzzles drawn and seconds per puzzle kept, and, for ``--grade any``, each grade's expected seconds
per puzzle (seconds per draw over the grade's share).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from puzzles.storage import save_arrays, save_json
from puzzles.sudoku_generate import as_grade, generate_graded
from trainers.cli import arg, command, command_line, parse_args


@dataclass
class Args:
    """Generate a graded Sudoku set, or sample the grades of minimal puzzles."""

    count: int = arg(100, "puzzles in the set")
    grade: str = arg("any", "grade wanted (name or rank 1..9), or 'any' to keep every puzzle drawn (a sample)")
    at_least: bool = arg(False, "accept the grade or any harder one")
    givens: int = arg(0, "givens per puzzle (17..81); 0 for minimal puzzles")
    seed: int = arg(0, "seed of the set")
    workers: int = arg(1, "worker processes (the set does not depend on it)")
    max_tries: int = arg(100_000, "puzzles drawn per kept puzzle before giving up")
    out: str = arg("", "the .npz to write (default runs/sudoku_sets/<kind>_<grade>_<count>_seed<seed>.npz)")


def default_out(args: Args) -> Path:
    kind = "minimal" if not args.givens else f"givens{args.givens}"
    grade = args.grade.lower().replace(" ", "_") + ("_up" if args.at_least else "")
    return Path("runs/sudoku_sets") / f"{kind}_{grade}_{args.count}_seed{args.seed}.npz"


def print_summary(summary: dict, sample: bool) -> None:
    table = Table(title=f"{summary['puzzles']} puzzles, {summary['draws']} drawn, {summary['wall_seconds']:.1f} s")
    columns = ["grade", "rank", "puzzles", "share"] + (["expected s/puzzle", "expected cpu s/puzzle"] if sample else [])
    for column in columns:
        table.add_column(column, justify="left" if column == "grade" else "right")
    for name, entry in summary["grades"].items():
        row = [name, str(entry["rank"]), str(entry["puzzles"]), f"{entry['share']:.1%}"]
        if sample:
            for key in ("expected_seconds_per_puzzle", "expected_cpu_seconds_per_puzzle"):
                row.append("-" if entry[key] is None else f"{entry[key]:.2f}")
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(
        f"per puzzle drawn (generation and grading): {summary['seconds_per_draw']:.3f} s, "
        f"{summary['cpu_seconds_per_draw']:.3f} s of processor; per puzzle kept: "
        f"{summary['seconds_per_puzzle']:.3f} s, {summary['cpu_seconds_per_puzzle']:.3f} s of processor; "
        f"{summary['mean_givens']:.1f} givens on average"
    )


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.count < 1:
        raise ValueError(f"--count must be at least 1, got {args.count}")
    sample = args.grade.strip().lower() == "any"
    grade = None if sample else as_grade(args.grade)
    started = time.perf_counter()
    graded = generate_graded(
        args.count, grade, args.seed, args.givens or None, args.at_least, args.workers, args.max_tries
    )
    summary = graded.summary(time.perf_counter() - started, sample)
    print_summary(summary, sample)
    out = Path(args.out) if args.out else default_out(args)
    save_arrays(out, **graded.arrays())
    save_json(out.with_suffix(".json"), {"command": command_line(__file__, argv), "args": asdict(args), **summary})
    print(f"wrote {out} and {out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
