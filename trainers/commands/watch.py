"""Watch a solver think: one fresh puzzle, its answer redrawn in the terminal after every iteration.

    deepthink watch --checkpoint mazes --size 13 --think 100 --seed 0
    deepthink watch --checkpoint prefix_sums --size 128 --think 300 --every 5 --fps 20
    deepthink watch --checkpoint mazes --size 25 --think 300 --no-live --save maze.gif maze.png
    deepthink watch --checkpoint chess_puzzles --size 3 --think 60 --seed 4

The live view shows the predicted answer against the target and a status line (iteration, wrong bits or
cells, confidence, the thought's change ``||phi_n - phi_(n-1)||``, and "solved" once exact), one shown
iteration per ``1/fps`` seconds. ``--no-live`` (or output that is not a terminal) prints only the last frame
and a summary. ``--save`` writes an animated GIF of the shown iterations (``.gif``) or a strip of a handful of
iterations (``.png``).
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from rich.console import Console
from rich.live import Live
from rich.panel import Panel

from agents.solver import ThoughtStep, load_solver
from trainers.cli import arg, command, device_arg, parse_args, precision_arg, threads_arg
from trainers.plots import plot_thinking
from trainers.viewers.frames import frame_image, render_frame, save_gif, save_strip, wrong_count

#: The difficulty watched when ``--size`` is not given: a little beyond each family's training size.
DEFAULT_SIZES = {"prefix_sums": 64, "mazes": 13, "mazes_image": 13, "sudoku": 30, "chess_puzzles": 3}


@dataclass
class Args:
    """Watch a thinking model solve one fresh puzzle, iteration by iteration."""

    checkpoint: str = arg("mazes", "shipped checkpoint name or path")
    size: int = arg(0, "difficulty: bits, maze size, Sudoku givens or chess difficulty (0 = a little beyond training)")
    think: int = arg(0, "iterations (0 = the model card's recommended budget)")
    seed: int = arg(0, "seed of the puzzle")
    fps: float = arg(10.0, "shown iterations per second at most (0 = as fast as it thinks)")
    every: int = arg(1, "show every N-th iteration (the first and last are always shown)")
    live: bool = arg(True, "redraw in the terminal; --no-live prints only the last frame and a summary")
    save: list[str] = arg([], "write an animated .gif of the shown iterations and/or a .png strip")
    strip: int = arg(5, "iterations in a .png strip (spaced geometrically, plus the first exact one)")
    threads: int = threads_arg()
    device: str = device_arg()
    precision: str = precision_arg()


@command()
def main(argv: list[str] | None = None) -> None:
    watch(parse_args(Args, argv))


def watch(args: Args, console: Console | None = None) -> None:
    """Thinks about one fresh puzzle as ``args`` say, drawing it on ``console`` (default: the terminal)."""
    console = console or Console()
    check(args)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    solver = load_solver(args.checkpoint, device=args.device, precision=args.precision)
    name = solver.problem.name
    size = args.size or DEFAULT_SIZES.get(name, 0)
    think = args.think or solver.default_think
    inputs, targets = solver.problem.generate(1, size, np.random.default_rng(args.seed))
    title = f"{args.checkpoint}: {solver.problem.size_label} {size}, seed {args.seed}"

    strip_at = strip_iterations(think, args.strip)
    strip: dict[int, ThoughtStep] = {}
    frames: list[Image.Image] = []
    first_exact: int | None = None
    live = args.live and console.is_terminal
    started = last_shown = time.perf_counter()
    with Live(console=console, auto_refresh=False, transient=False) if live else nullcontext() as view:
        for step in solver.think_trace(inputs, think):
            prediction = step.prediction[0]
            if first_exact is None and np.array_equal(prediction, targets[0]):
                first_exact = step.iteration
                strip[step.iteration] = step
            if step.iteration in strip_at:
                strip[step.iteration] = step
            if not (step.iteration == 1 or step.iteration % args.every == 0 or step.iteration == think):
                continue
            if any(path.endswith(".gif") for path in args.save):
                frames.append(sample_image(name, inputs[0], targets[0], step))
            if view is not None:
                if args.fps > 0:
                    time.sleep(max(0.0, last_shown + 1 / args.fps - time.perf_counter()))
                    last_shown = time.perf_counter()
                frame = render_frame(name, inputs[0], targets[0], prediction, step)
                view.update(Panel(frame, title=title, expand=False), refresh=True)
    seconds = time.perf_counter() - started

    if view is None:
        console.print(Panel(render_frame(name, inputs[0], targets[0], prediction, step), title=title, expand=False))
    wrong = wrong_count(name, targets[0], prediction)
    outcome = "solved" if wrong == 0 else f"not solved ({wrong} wrong)"
    exact = f"first exact at iteration {first_exact}" if first_exact else "never exact"
    console.print(f"{outcome} after {think} iterations; {exact}; {seconds:.1f} s")

    for path in args.save:
        if path.endswith(".gif"):
            save_gif(path, frames, args.fps)
        elif name == "chess_puzzles":  # a row of board frames: the figure's panels are for grids and strings
            save_strip(path, [sample_image(name, inputs[0], targets[0], strip[t]) for t in sorted(strip)])
        else:
            caption = f"{title}: answer after t iterations"
            predictions = {t: strip[t].prediction[0] for t in sorted(strip)}
            plot_thinking(inputs[0], targets[0], predictions, path, caption)
        console.print(f"wrote {path}")


def check(args: Args) -> None:
    """Raises ValueError for arguments that cannot work, before any thinking."""
    if args.think < 0 or args.size < 0:
        raise ValueError("--think and --size must not be negative")
    if args.every < 1 or args.fps < 0 or args.strip < 1:
        raise ValueError("--every and --strip must be at least 1, --fps at least 0")
    for path in args.save:
        if Path(path).suffix not in (".gif", ".png"):
            raise ValueError(f"--save writes .gif or .png files, got {path!r}")


def sample_image(name: str, inputs, target, step: ThoughtStep):
    """The frame image of the batch's one sample after ``step``."""
    scores = None if step.scores is None else step.scores[0]
    return frame_image(name, inputs, target, step.prediction[0], step.iteration, scores)


def strip_iterations(think: int, count: int) -> set[int]:
    """About ``count`` iterations from 1 to ``think``, spaced geometrically (thinking changes most early)."""
    return {int(t) for t in np.unique(np.geomspace(1, think, count).round())}


if __name__ == "__main__":
    main()
