"""Classical Sudoku solvers timed per puzzle: dancing links (Algorithm X) beside the project's exact search, and
beside a thinking solver (``--solver``).

    python scripts/bench_sudoku_classical.py --set runs/sudoku_sets/minimal_any_1000_seed1.npz --repeats 3
    python scripts/bench_sudoku_classical.py --count 100 --seed 1
    python scripts/bench_sudoku_classical.py --set runs/sudoku_sets/test_minimal_200.npz --count 100 --solver sudoku

Times ``puzzles.dancing_links.solve`` and ``puzzles.sudoku.solve`` (each also proves the solution unique) on the
same puzzles, best of ``--repeats`` passes, and checks both answers against the set's solutions. With a set from
``scripts/make_sudoku_set.py`` the times are also split by grade. Prints the table and writes
``<out>/sudoku_classical.json`` (per-puzzle seconds included, for a later side-by-side with a network). Only
numbers from one run compare; absolute ones depend on the machine and its load.

With ``--solver`` the run also times that checkpoint's solver on the same puzzles in batches (its seconds per
puzzle are the batch's over the puzzles) and counts the answers that are valid solutions keeping the givens. A
product solver (a card with ``"wider"``, :class:`agents.sudoku_solver.WideSudokuSolver`) is timed twice: its
network alone, then thinking wider, with the extra network runs and iterations it used; ``--card-section`` writes
that report into the solver's card under ``wider_benchmark.<name>``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from puzzles import dancing_links
from puzzles.storage import load_arrays, save_json
from puzzles.sudoku_generate import generate_graded
from puzzles.sudoku_techniques import Grade
from trainers.cards import write_card_section
from trainers.cli import arg, command, command_line, parse_args


@dataclass
class Args:
    """Time dancing links and the exact search per puzzle on one batch."""

    set: str = arg("", "a .npz from make_sudoku_set.py; '' generates --count fresh minimal puzzles")
    count: int = arg(100, "puzzles (the first --count of the set, or fresh ones)")
    seed: int = arg(1, "seed of the fresh puzzles")
    repeats: int = arg(1, "passes over the batch; the fastest counts")
    out: str = arg("reports", "folder for sudoku_classical.json")
    solver: str = arg("", "also time this thinking solver (a shipped name or a checkpoint path)")
    think: int = arg(0, "the thinking solver's budget (0: its card's)")
    card_section: str = arg("", "with --solver: write its report into its card as wider_benchmark.<this name>")


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


def thinking_report(name: str, puzzles: np.ndarray, grades: np.ndarray, think: int | None) -> dict[str, dict[str, Any]]:
    """The solver ``name`` timed on the batch: solved share (valid solutions keeping the givens), seconds, and for a
    product solver its network alone beside it, with the extra network runs each puzzle took."""
    from agents.solver import load_solver
    from agents.sudoku_solver import WideSudokuSolver, is_solution

    solver = load_solver(name)
    variants: dict[str, Any] = {}
    if isinstance(solver, WideSudokuSolver):
        alone = WideSudokuSolver(
            solver.net, solver.problem, solver.card, settings=replace(solver.settings, max_calls=0)
        )
        variants[f"{name}: network alone"] = alone
        variants[f"{name}: thinking wider"] = solver
    else:
        variants[name] = solver
    report = {}
    for label, variant in variants.items():
        started = time.perf_counter()
        if isinstance(variant, WideSudokuSolver):
            result = variant.solve_wide(puzzles, think=think or None)
            answers, branches, iterations = result.answers, result.branches, result.iterations
        else:
            answers = variant.solve(puzzles, think=think or None)
            branches, iterations = (
                np.zeros(len(puzzles), np.int64),
                np.full(len(puzzles), variant.check_think(think or None)),
            )
        seconds = time.perf_counter() - started
        solved = is_solution(answers, puzzles)
        report[label] = {
            "puzzles": len(puzzles),
            "solved": float(solved.mean()),
            "seconds": round(seconds, 2),
            "ms_per_puzzle": round(1000 * seconds / len(puzzles), 1),
            "extra_network_runs": {"mean": float(branches.mean()), "max": int(branches.max())},
            "extra_runs_of_solved": {"mean": float(branches[solved].mean()) if solved.any() else None},
            "iterations_per_puzzle": float(iterations.mean()),
            "solved_by_grade": {
                Grade(int(g)).name.lower(): {
                    "puzzles": int((grades == g).sum()),
                    "solved": float(solved[grades == g].mean()),
                }
                for g in np.unique(grades)
            },
            "settings": variant.settings.to_dict() if isinstance(variant, WideSudokuSolver) else None,
        }
    return report


def _share(solved: np.ndarray, rows: np.ndarray) -> dict[str, float]:
    return {"puzzles": int(rows.sum()), "solved": float(solved[rows].mean())}


def thinking_table(report: dict[str, dict[str, Any]]) -> Table:
    table = Table(title="thinking solvers on the same puzzles (batched; ms are the batch's over its puzzles)")
    for column in ("solver", "solved", "ms/puzzle", "extra runs (mean / max)", "iterations/puzzle"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    for label, entry in report.items():
        runs = entry["extra_network_runs"]
        table.add_row(
            label,
            f"{entry['solved']:.1%}",
            f"{entry['ms_per_puzzle']:.1f}",
            f"{runs['mean']:.1f} / {runs['max']}",
            f"{entry['iterations_per_puzzle']:.0f}",
        )
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
    thinking = thinking_report(args.solver, puzzles, grades, args.think) if args.solver else {}
    if thinking:
        console.print(thinking_table(thinking))
    if args.card_section:
        if not args.solver:
            raise ValueError("--card-section needs --solver")
        classical = {name: round(1000 * timing.seconds_per_puzzle, 2) for name, timing in results.items()}
        write_card_section(
            args.solver,
            ("wider_benchmark", args.card_section),
            {"command": command_line(__file__, argv), "classical_ms_per_puzzle": classical, "thinking": thinking},
        )
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
            "thinking": thinking,
        },
    )


if __name__ == "__main__":
    main()
