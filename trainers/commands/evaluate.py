"""Evaluate a checkpoint: exact-match accuracy at every iteration, per test size, in one streamed pass; or, with
``--env``, the solver as a policy in Gymnasium rollouts.

    python scripts/evaluate.py --checkpoint prefix_sums --sizes 32 48 512 --think 1000 --samples 1000
    python scripts/evaluate.py --checkpoint mazes --env DeepThink/MazeNav-v0 --sizes 13 --think 100 --episodes 1000

Prints a table, writes ``<out>/<name>_eval.json`` and ``<out>/<name>_eval.png``; ``--update-card`` also
records the results (with this command) in the checkpoint's model card.

Instances come from one of two held-out splits (:data:`trainers.evaluation.SPLIT_SEEDS`), and every table, report
and card names the split and its seed: ``test`` (the default, and the only split a card reports) or ``validation``.
``--recommend -1`` chooses the budget and readout on the validation split (drawn first, the same sizes and counts)
and then reports the test split at that choice, which nothing was tuned on. With ``--env`` every budget of
``--thinks`` (default: ``--think``) meets every difficulty of ``--sizes`` (the environment's ``size``, or
``givens`` for Sudoku), and it writes ``<out>/<name>_rollouts.json`` and, for a sweep, a PNG.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from agents.checkpoint import check_problem_fits, resolve_checkpoint
from agents.problems import card_problem
from agents.solver import load_solver
from agents.solver_policy import SolverPolicy
from puzzles.families import family_of_env
from puzzles.storage import save_json
from trainers.cards import code_version, hardware, write_card_section
from trainers.cli import arg, command, command_line, device_arg, parse_args, precision_arg, threads_arg
from trainers.evaluation import SPLIT_SEEDS, paired_difference, per_size, recommend, split_seed, summarise, sweep
from trainers.plots import plot_accuracy_curves, plot_rollout_sweep, plot_thinking
from trainers.rollouts import evaluate_rollouts, wilson_interval


@dataclass
class Args:
    """Evaluate a thinking model's accuracy against iterations on fresh test instances."""

    checkpoint: str = arg("prefix_sums", "shipped checkpoint name or path")
    sizes: list[int] = arg([32, 48, 512], "test sizes (bits for prefix sums); with --env, the difficulty levels")
    think: int = arg(1000, "evaluate iterations 1..think")
    samples: list[int] = arg([1000], "fresh test instances per size: one count, or one per size")
    split: str = arg(
        "test",
        f"held-out split of the instances: test or validation (seeds {SPLIT_SEEDS}; no training data uses them)",
    )
    batch_size: int = arg(500, "instances per forward pass")
    marks: list[int] = arg([30, 100, 200, 300, 500, 1000], "iterations to list in the table and card")
    out: str = arg("reports", "folder for the JSON and PNG")
    device: str = device_arg()
    precision: str = precision_arg()
    threads: int = threads_arg()
    pictures: list[int] = arg([], "also draw the first test instance of each size after these iterations")
    baseline: str = arg(
        "",
        "also evaluate this checkpoint (e.g. the feed-forward twin) on the same instances at its training depth, "
        "and give each size's paired difference",
    )
    gain_from: int = arg(
        0,
        "also report each size's gain in points from this iteration (e.g. the training regime) to every later "
        "mark, with its paired 95 percent interval",
    )
    update_card: bool = arg(False, "write the results into the checkpoint's model card")
    recommend: int = arg(
        0,
        "with --update-card: record this budget as the card's recommended think; -1 chooses the budget (the "
        "smallest at which every size is within 0.1 point of its peak) and the readout on the validation split, "
        "and the card reports them on the test split",
    )
    record_in: str = arg("", "also record the results as an ablation in this other checkpoint's card")
    record_as: str = arg("", "the ablation's name in that card (with --record-in)")
    problem: str = arg(
        "",
        "read the instances as this problem instead of the card's, one with the same network input and output "
        "(chess_mates: a chess_puzzles model by mate depth)",
    )
    env: str = arg("", "evaluate through rollouts of this environment id, e.g. DeepThink/Maze-v0")
    episodes: int = arg(1000, "with --env: episodes per budget and difficulty")
    num_envs: int = arg(50, "with --env: environments stepped together")
    thinks: list[int] = arg([], "with --env: budgets to sweep (default: --think)")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    seed = split_seed(args.split)
    if args.update_card and args.split != "test":
        raise ValueError("a card reports the test split: --update-card needs --split test (the default)")
    if args.update_card and args.problem:
        raise ValueError("a card reports its own problem: --problem goes with --record-in, not --update-card")
    if args.recommend and not args.update_card:
        raise ValueError("--recommend records a budget in the model card: add --update-card")
    if args.recommend > args.think:
        raise ValueError(f"--recommend {args.recommend} is past --think {args.think}: evaluate at least that far")
    console = Console()
    solver = load_solver(args.checkpoint, device=args.device, precision=args.precision)
    stem = resolve_checkpoint(args.checkpoint)
    if args.env:
        evaluate_in_env(args, solver, stem, console, command_line(__file__, argv))
        return
    baseline = load_solver(args.baseline, device=args.device, precision=args.precision) if args.baseline else None
    if baseline is not None and baseline.problem.name != solver.problem.name:
        raise ValueError(f"the baseline {args.baseline} solves {baseline.problem.name}, not {solver.problem.name}")
    for model in filter(None, (solver, baseline)) if args.problem else ():
        check_problem_fits(args.problem, model.net.config, f"--problem {args.problem}")
        model.problem = card_problem({**model.card, "problem": args.problem})
    choosing = args.recommend < 0
    started = time.perf_counter()
    with Progress(
        TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as progress:
        draws = 1 + bool(baseline) + choosing
        task = progress.add_task("instances", total=sum(per_size(args.samples, args.sizes)) * draws)

        def curves_of(model, iters: int, split: str) -> dict:
            return sweep(
                model.net,
                model.problem,
                args.sizes,
                iters,
                args.samples,
                split,  # the same split draws the same instances for both models
                args.batch_size,
                model.device,
                on_batch=lambda n: progress.advance(task, n),
                precision=model.precision,
            )

        # The choice reads the validation split only, before the reported split is drawn.
        chosen = recommend(curves_of(solver, args.think, "validation")) if choosing else None
        curves = curves_of(solver, args.think, args.split)
        baseline_curves = curves_of(baseline, baseline.net.config.max_iters, args.split) if baseline else {}
    seconds = time.perf_counter() - started
    marks = sorted({t for t in args.marks if t <= args.think} | {args.think})
    results = {str(size): summarise(curve, marks) for size, curve in curves.items()}
    where = f"the {args.split} split (seed {seed})"

    table = Table(title=f"{stem.name}: exact match (%) of the last iterate by iterations, on {where}")
    table.add_column(solver.problem.size_label, justify="right")
    table.add_column("instances", justify="right")
    table.add_column("peak (iter)", justify="right")
    for t in marks:
        table.add_column(f"t={t}", justify="right")
    for size, row in results.items():
        table.add_row(
            size,
            str(row["samples"]),
            f"{100 * row['peak']:.2f} ({row['peak_iteration']})",
            *(f"{100 * row['last_iterate'][str(t)]:.2f}" for t in marks),
        )
    console.print(table)
    if baseline is not None:
        compare_with_baseline(args, curves, baseline_curves, baseline, marks, results, console)
    if args.gain_from:
        report_gains(args.gain_from, curves, marks, results, solver.problem.size_label, console)
    if chosen is not None:
        print_choice(chosen, curves, where, console)
    console.print(f"evaluated in {seconds:.0f} s; every figure above is from {where}")

    out = Path(args.out)
    command = command_line(__file__, argv)
    report = {
        "checkpoint": str(stem),
        "command": command,
        "seconds": round(seconds, 1),
        "problem": solver.problem.name,
        "split": args.split,
        "seed": seed,
        "summary": results,
        "curves": {str(size): curve.to_dict() for size, curve in curves.items()},
    }
    if chosen is not None:
        report["recommendation"] = {"split": "validation", "seed": split_seed("validation"), **chosen}
    save_json(out / f"{stem.name}_eval.json", report)
    plot_accuracy_curves(
        curves,
        out / f"{stem.name}_eval.png",
        f"{stem.name} ({solver.problem.name}), {args.split} split",
        train_iters=solver.net.config.max_iters,
        size_label=solver.problem.size_label,
        references={
            int(size): (row["baseline"]["iterations"], row["baseline"]["accuracy"])
            for size, row in results.items()
            if "baseline" in row
        },
        reference_label=args.baseline,
    )
    console.print(f"wrote {out / f'{stem.name}_eval.json'} and {out / f'{stem.name}_eval.png'}")
    for size in args.sizes if args.pictures else []:
        draw_thinking(solver, size, args.split, sorted(args.pictures), out / f"{stem.name}_thinking_{size}.png")
    if args.update_card:
        if args.recommend:
            budget = chosen["think"] if chosen else args.recommend
            readout = chosen["readout"] if chosen else solver.readout
            write_card_section(stem, "recommended_think", budget)
            write_card_section(stem, "readout", readout)
            console.print(f"recommended think: {budget}, readout: {readout}")
            results["budget_check"] = budget_check(curves, budget, readout)
        evaluation = {
            "command": command,
            "split": args.split,
            "seed": seed,
            "seconds": round(seconds, 1),
            "hardware": hardware(),
            "code": code_version(),
            "results": results,
        }
        if chosen is not None:
            evaluation["recommendation"] = report["recommendation"]
        write_card_section(stem, "evaluation", evaluation)
        console.print(f"updated the model card {stem.with_suffix('.json')}")
    if args.record_in:
        record_ablation(args.record_in, args.record_as or stem.name, command, seconds, solver.card, results)


def print_choice(chosen: dict, curves: dict, where: str, console: Console) -> None:
    """The budget and readout chosen on validation, with their accuracy there and on the reported split."""
    think, readout = chosen["think"], chosen["readout"]
    validation = ", ".join(f"{size}: {100 * value:.2f}%" for size, value in chosen["accuracy"].items())
    reported = ", ".join(f"{size}: {100 * c.readout(readout)[think - 1]:.2f}%" for size, c in curves.items())
    seed = split_seed("validation")
    console.print(f"chosen on the validation split (seed {seed}): think {think}, readout {readout} ({validation})")
    console.print(f"at that choice on {where}: {reported}")


def budget_check(curves: dict, budget: int, readout: str) -> dict:
    """Per size, the accuracy at the recommended budget and readout, and whether the last iterate holds to 4x it."""
    return {
        str(size): {
            "think": budget,
            "readout": readout,
            "at_think": round(float(c.readout(readout)[budget - 1]), 6),
            "last_iterate_at_think": round(float(c.last[budget - 1]), 6),
            "peak": round(float(c.last.max()), 6),
            "lowest_from_think_to_4x": round(float(c.last[budget - 1 : 4 * budget].min()), 6),
            "evaluated_up_to": len(c.last),
        }
        for size, c in curves.items()
    }


def compare_with_baseline(
    args: Args, curves: dict, baseline_curves: dict, baseline, marks: list[int], results: dict, console: Console
) -> None:
    """Per size, the baseline's accuracy at its training depth (with its 95% interval) and how many points more
    of the same instances the solver gets right at every mark (paired), into ``results`` and a table."""
    depth = baseline.net.config.max_iters
    table = Table(title=f"paired points over the baseline ({baseline.net.config.kind}, {depth} iterations)")
    table.add_column(baseline.problem.size_label, justify="right")
    table.add_column("baseline % (95% CI)", justify="right")
    for t in marks:
        table.add_column(f"t={t}", justify="right")
    for size, curve in curves.items():
        reference = baseline_curves[size].solved_at(depth)
        low, high = wilson_interval(int(reference.sum()), len(reference))
        row = results[str(size)]["baseline"] = {
            "checkpoint": args.baseline,
            "kind": baseline.net.config.kind,
            "iterations": depth,
            "accuracy": round(float(reference.mean()), 6),
            "interval": [round(low, 6), round(high, 6)],
            "difference": {str(t): paired_difference(curve.solved_at(t), reference) for t in marks},
        }
        table.add_row(
            str(size),
            f"{100 * row['accuracy']:.1f} ({100 * low:.1f}-{100 * high:.1f})",
            *map(signed_points, row["difference"].values()),
        )
    console.print(table)


def report_gains(start: int, curves: dict, marks: list[int], results: dict, size_label: str, console: Console) -> None:
    """Per size, the paired gain from iteration ``start`` to every later mark, into ``results`` and a table."""
    table = Table(title=f"gain over iteration {start} in points (paired 95% interval)")
    table.add_column(size_label, justify="right")
    later = [t for t in marks if t > start]
    for t in later:
        table.add_column(f"t={t}", justify="right")
    for size, curve in curves.items():
        gains = results[str(size)]["gains"] = [curve.gain(start, t) for t in later]
        table.add_row(str(size), *map(signed_points, gains))
    console.print(table)


def signed_points(difference: dict) -> str:
    """A paired difference as ``+2.5 (+1.5, +3.5)``."""
    low, high = difference["interval"]
    return f"{difference['points']:+.1f} ({low:+.1f}, {high:+.1f})"


def evaluate_in_env(args: Args, solver, stem: Path, console: Console, command: str) -> None:
    """Rollouts of the solver as a policy over budgets and difficulties: a table, JSON, and a PNG for sweeps."""
    family = family_of_env(args.env)
    knob = family.knob
    reports = []
    for think in args.thinks or [args.think]:
        policy = SolverPolicy(solver, think=think)
        for level in args.sizes:
            kwargs = family.level_kwargs(level)  # held-out chess puzzles only: the solver trained on the others
            report = evaluate_rollouts(args.env, policy, args.episodes, args.num_envs, split_seed(args.split), **kwargs)
            reports.append({"think": think, "level": level, **report})
    where = f"the {args.split} split (seed {split_seed(args.split)})"
    table = Table(title=f"{stem.name} as a policy in {args.env}: success (95% interval), episodes of {where}")
    for column in ("think", knob, "episodes", "solved %", "95% CI", "return", "iters/ep", "ep/s"):
        table.add_column(column, justify="right")
    for r in reports:
        low, high = r["interval"]
        table.add_row(
            str(r["think"]),
            str(r["level"]),
            str(r["episodes"]),
            f"{100 * r['success_rate']:.1f}",
            f"{100 * low:.1f}-{100 * high:.1f}",
            f"{r['mean_return']:.3f}",
            f"{r['iterations_per_episode']:.0f}",
            f"{r['episodes_per_second']:.1f}",
        )
    console.print(table)
    out = Path(args.out)
    report = {"checkpoint": str(stem), "command": command, "split": args.split, "seed": split_seed(args.split)}
    save_json(out / f"{stem.name}_rollouts.json", {**report, "reports": reports})
    if len(args.thinks) > 1:
        plot_rollout_sweep(reports, knob, out / f"{stem.name}_rollouts.png", f"{stem.name} in {args.env}")
    console.print(f"wrote {out / f'{stem.name}_rollouts.json'}")


def draw_thinking(solver, size: int, split: str, iterations: list[int], path: Path) -> None:
    """Draws the first instance of ``size`` of the sweep's ``split`` after each of ``iterations``."""
    inputs, targets = solver.problem.held_out(split, 1, size, np.random.default_rng([split_seed(split), size]))
    wanted = set(iterations)
    predictions = {
        step.iteration: step.prediction[0]
        for step in solver.think_trace(inputs, think=max(iterations))
        if step.iteration in wanted
    }
    plot_thinking(
        inputs[0], targets[0], predictions, path, f"{solver.problem.name}, {solver.problem.size_label} {size}"
    )
    Console().print(f"wrote {path}")


def record_ablation(target: str, key: str, command: str, seconds: float, card: dict, results: dict) -> None:
    """Adds this evaluation to another checkpoint's card under ``ablations[key]``."""
    training = card.get("training", {})
    ablation = {
        "command": command,
        "network": card.get("network"),
        "recipe": card.get("recipe"),
        "training": {k: training.get(k) for k in ("data", "epochs", "best_epoch", "train_seconds", "hardware")},
        "seconds": round(seconds, 1),
        "results": results,
    }
    write_card_section(target, ("ablations", key), ablation)
    Console().print(f"recorded as ablation {key!r} in {resolve_checkpoint(target).with_suffix('.json')}")


if __name__ == "__main__":
    main()
