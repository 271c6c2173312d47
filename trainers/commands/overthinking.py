"""The overthinking study in one command (the dissertation's Table 5.5 and Figures 5.8 to 5.15).

    deepthink overthinking --size 13 --samples 500 --iters 150

Each model thinks about the same fresh 13x13 mazes undisturbed and under four interventions (noise or zeros
after iteration 1, another maze's thought or a moved goal after iteration 50; ``trainers/overthinking.py``).
Writes ``<out>/overthinking.md`` (our table beside the original's), ``overthinking.json`` and three plots:
accuracy against iterations, accuracy under each intervention, and the thought's change per iteration.

The default models are the shipped maze model and the ablations trained by ``runs/overthinking.sh``
(``python scripts/train.py --recipe mazes_dt`` and so on); a model whose checkpoint is missing is left out
with a note, so the command runs on the shipped model alone from a fresh clone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from rich.console import Console

from agents.checkpoint import load_labelled_checkpoints
from agents.device import check_precision, resolve_device
from agents.problems import get_problem
from puzzles.storage import atomic_write, save_json
from trainers.cli import arg, command, command_line, device_arg, parse_args, precision_arg, threads_arg
from trainers.overthinking import INTERVENTIONS, study
from trainers.plots import plot_overthinking

#: The dissertation's Table 5.5 (13x13 mazes): mean iterations to solution (peak accuracy).
ORIGINAL_TABLE = (
    ("DT", "27.68 (87%)", "- (0%)", "- (0%)", "- (0%)"),
    ("DT, progressive loss", "16.87 (95%)", "- (0%)", "- (0%)", "- (0%)"),
    ("DT-Recall", "23.54 (100%)", "35.70 (100%)", "35.04 (96%)", "33.92 (97%)"),
    ("DT-Recall, progressive loss", "22.10 (100%)", "25.10 (100%)", "22.48 (100%)", "28.79 (100%)"),
)

DEFAULT_MODELS = [
    "feed-forward=runs/mazes_ff/best",
    "DT=runs/mazes_dt/best",
    "DT, progressive loss=runs/mazes_dt_progressive/best",
    "DT-Recall=runs/mazes_recall/best",
    "DT-Recall, progressive loss=runs/mazes_recall_progressive/best",
    "DT-Recall, progressive loss (36 epochs)=mazes_progressive",
    "DT-Recall, alpha 0.01 (shipped, 36 epochs)=mazes",
]


@dataclass
class Args:
    """Accuracy against iterations, interventions and feature change for models of one puzzle family."""

    models: list[str] = arg(DEFAULT_MODELS, "LABEL=CHECKPOINT pairs (a shipped name or a path)")
    size: int = arg(13, "puzzle size (maze size, bits)")
    samples: int = arg(500, "fresh puzzles, the same for every model")
    iters: int = arg(150, "iterations of every run (a feed-forward model runs its depth)")
    early: int = arg(1, "the noise and zeros interventions come after this iteration")
    late: int = arg(50, "the swap and input interventions come after this iteration")
    seed: int = arg(0, "seed of the puzzles and the noise")
    threads: int = threads_arg()
    device: str = device_arg()
    precision: str = precision_arg()
    out: str = arg("reports/overthinking", "folder for the report")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    device = resolve_device(args.device)
    precision = check_precision(args.precision, device)
    console = Console()
    models, notes = load_labelled_checkpoints(args.models)
    problems = {card.get("problem") for _, card in models.values()}
    if len(problems) != 1:
        raise ValueError(f"the models must share one puzzle family, got {sorted(map(str, problems))}")
    problem = get_problem(problems.pop())
    inputs, targets = problem.generate(args.samples, args.size, np.random.default_rng(args.seed))

    traces, table = {}, {}
    for label, (net, _) in models.items():
        iters = args.iters if net.recurrent else net.config.max_iters
        net.to(device)
        traces[label] = study(net, problem, inputs, targets, iters, args.early, args.late, args.seed, device, precision)
        table[label] = {kind: trace.summary() for kind, trace in traces[label].items()}
        for kind, trace in traces[label].items():
            console.print(f"{label}, {kind}: {format_cell(table[label][kind])}, last {trace.accuracy()[-1]:.1%}")

    out = Path(args.out)
    report = {
        "command": command_line(__file__, argv),
        "args": asdict(args),
        "problem": problem.name,
        "threads": torch.get_num_threads(),
        "notes": notes,
        "summary": table,
        "accuracy": {m: {k: t.accuracy().round(4).tolist() for k, t in kinds.items()} for m, kinds in traces.items()},
        "mean_change": {m: kinds["clean"].change.mean(axis=1).round(5).tolist() for m, kinds in traces.items()},
    }
    save_json(out / "overthinking.json", report)
    title = f"{problem.size_label} {args.size}, {args.samples} puzzles"
    plot_overthinking(report["accuracy"], report["mean_change"], out, title, args.early, args.late)
    markdown = report_markdown(report, args)
    atomic_write(out / "overthinking.md", lambda tmp: Path(tmp).write_text(markdown))
    console.print(markdown)


def format_cell(summary: dict) -> str:
    """Table 5.5's cell: ``22.10 (100%)``, or ``- (0%)`` when nothing is solved."""
    steps = summary["iterations_to_solution"]
    return f"{'-' if steps is None else f'{steps:.2f}'} ({100 * summary['peak']:.0f}%)"


def report_markdown(report: dict, args: Args) -> str:
    """Our table (with the accuracy at the last iteration), the original's, and the notes."""
    header = "| model | clean | noise | zeros | swapped | input changed |\n|---|---|---|---|---|---|"
    rows = []
    for label, cells in report["summary"].items():
        rows.append(
            f"| {label} | "
            + " | ".join(
                f"{format_cell(cells[k])}, last {100 * cells[k]['final']:.0f}%" if k in cells else "n/a"
                for k in INTERVENTIONS
            )
            + " |"
        )
    original = ["| model | clean | noise | zeros | swapped |", "|---|---|---|---|---|"]
    original += ["| " + " | ".join(row) + " |" for row in ORIGINAL_TABLE]
    return "\n".join(
        [
            f"# Overthinking study ({report['problem']}, size {args.size}, {args.samples} puzzles)",
            "",
            f"`{report['command']}`",
            "",
            f"Mean iterations to solution (peak accuracy), and the accuracy after iteration {args.iters}. Noise "
            f"and zeros come after iteration {args.early}; the swap and the input change after iteration "
            f"{args.late}.",
            "",
            header,
            *rows,
            "",
            "The dissertation's Table 5.5 (13x13 mazes; no input-change column there):",
            "",
            *original,
            "",
            *[f"- {note}" for note in report["notes"]],
            "",
        ]
    )


if __name__ == "__main__":
    main()
