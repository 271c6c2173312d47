"""Recurrence against depth (the dissertation's chapter 3; Savarese & Maire 2019) in one command.

    deepthink recurrence --sizes 9 13 --samples 500

Models of equal effective depth (30 stages of two residual blocks) trained alike on 9x9 mazes: a feed-forward
net (separate weights per stage), a soft-sharing net (every convolution a learned mix of 4 shared templates)
and DT-Recall (one stage looped), by ``python scripts/train.py --recipe mazes_ff`` (``mazes_soft``,
``mazes_recall``). For each: parameters, accuracy at its depth per size, and for a recurrent model the best
accuracy when it may think up to ``--think`` iterations. The soft-sharing net's layer similarity matrix is
plotted, with its loop score: the mean similarity of convolutions in the same place of different stages minus
that of convolutions in different places (1: folded into a loop exactly; about 0: no loop).
Writes ``<out>/recurrence.md``, ``recurrence.json`` and ``layer_similarity.png``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from agents.checkpoint import load_labelled_checkpoints
from agents.problems import card_problem
from puzzles.storage import atomic_write, save_json
from trainers.cli import arg, command, command_line, parse_args, threads_arg
from trainers.plots import plot_layer_similarity
from trainers.recurrence import depth_row

DEFAULT_MODELS = [
    "feed-forward=runs/mazes_ff/best",
    "soft sharing, 4 templates=runs/mazes_soft/best",
    "DT-Recall=runs/mazes_recall/best",
]


@dataclass
class Args:
    """Feed-forward, soft-sharing and recurrent models of equal depth, and whether soft sharing becomes a loop."""

    models: list[str] = arg(DEFAULT_MODELS, "LABEL=CHECKPOINT pairs (a shipped name or a path)")
    sizes: list[int] = arg([9, 13], "puzzle sizes")
    samples: int = arg(500, "fresh puzzles per size, the same for every model")
    think: int = arg(100, "most iterations a recurrent model may think")
    seed: int = arg(0, "seed of the puzzles")
    threads: int = threads_arg()
    out: str = arg("reports/recurrence", "folder for the report")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    console = Console()
    models, notes = load_labelled_checkpoints(args.models)
    rows, out = {}, Path(args.out)
    for label, (net, card) in models.items():
        problem = card_problem(card)
        rows[label] = depth_row(net, problem, args.sizes, args.samples, args.think, args.seed)
        if net.config.kind == "soft":
            similarity = net.layer_similarity().numpy()
            plot_layer_similarity(similarity, out / "layer_similarity.png", f"{label}: layer similarity")
        console.print(label, rows[label])
    report = {"command": command_line(__file__, argv), "args": asdict(args), "notes": notes, "models": rows}
    save_json(out / "recurrence.json", report)
    markdown = report_markdown(report, args)
    atomic_write(out / "recurrence.md", lambda tmp: Path(tmp).write_text(markdown))
    console.print(markdown)


def report_markdown(report: dict, args: Args) -> str:
    sizes = args.sizes
    header = "| model | parameters | accuracy at its depth (" + ", ".join(f"size {s}" for s in sizes) + ") | "
    header += f"best within {args.think} iterations | loop score |\n|---|---|---|---|---|"
    lines = []
    for label, row in report["models"].items():
        at_depth = ", ".join(f"{100 * row[f'at_depth_{s}']:.1f}%" for s in sizes)
        best = (
            ", ".join(f"{100 * row[f'best_within_{args.think}_{s}']:.1f}%" for s in sizes)
            if (f"best_within_{args.think}_{sizes[0]}" in row)
            else "n/a (fixed depth)"
        )
        score = f"{row['loop_score']:.2f}" if "loop_score" in row else ""
        lines.append(f"| {label} | {row['parameters']:,} | {at_depth} | {best} | {score} |")
    return "\n".join(
        [
            f"# Recurrence against depth ({args.samples} fresh puzzles per size)",
            "",
            f"`{report['command']}`",
            "",
            header,
            *lines,
            "",
            *[f"- {note}" for note in report["notes"]],
            "",
        ]
    )


if __name__ == "__main__":
    main()
