"""Check training and solving on a device (a GPU) against the CPU: a minute's run that a user with a GPU starts.

    python scripts/check_device.py --device cuda                    # float32
    python scripts/check_device.py --device cuda --precision bf16   # bfloat16 autocast
    python scripts/check_device.py --device cpu                     # the same path on the CPU (what the tests run)

For each family (1D prefix sums, 2D mazes) it trains the family's tiny smoke recipe a few dozen steps on the device
through the supervised trainer, then solves one batch of fresh instances with the family's shipped model on the
device and on the CPU in float32, and compares the answers instance by instance (the shipped model is trained, so
its answers are confident and a rounding difference flips few of them; a tiny net's near-chance answers would flip
at any rounding). It prints timings and one last line, ``PASS`` or ``FAIL`` (exit status 1): training must end with
a finite loss, and the device's answers must agree with the CPU's on at least ``--min-agreement`` of the instances.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from agents.device import check_precision, resolve_device
from agents.solver import load_solver
from trainers.cli import arg, command, device_arg, parse_args, precision_arg, threads_arg
from trainers.recipes import get_recipe
from trainers.supervised import Trainer

#: Per family checked: the smoke recipe trained, the shipped model that solves, and the instance size it solves
#: (beyond training, so the solve thinks).
CHECKS = {"prefix_sums": ("prefix_sums_tiny", "prefix_sums", 48), "mazes": ("mazes_tiny", "mazes", 13)}
#: The seed of the solved instances (a smoke check: no figure from it is reported anywhere).
SOLVE_SEED = 7


@dataclass
class Args:
    """Train a tiny network and solve a batch on a device, and compare the answers with the CPU's."""

    device: str = device_arg()
    precision: str = precision_arg()
    steps: int = arg(40, "training steps per recipe")
    samples: int = arg(200, "instances solved per recipe")
    think: int = arg(50, "iterations of each solve")
    min_agreement: float = arg(0.98, "share of instances whose device and CPU answers must be equal")
    families: list[str] = arg(list(CHECKS), "families to check")
    threads: int = threads_arg()


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    device = resolve_device(args.device)
    precision = check_precision(args.precision, device)
    unknown = set(args.families) - set(CHECKS)
    if unknown:
        raise ValueError(f"check-device knows the families {sorted(CHECKS)}, got {sorted(unknown)}")
    if args.steps < 1 or args.samples < 1 or args.think < 1 or not 0 <= args.min_agreement <= 1:
        raise ValueError("steps, samples and think must be positive, and min-agreement between 0 and 1")
    console = Console()
    table = Table(title=f"training and solving on {device} ({precision}) against the CPU (fp32)")
    columns = ("family", "steps", "final loss", "train s", "solve s", "CPU solve s", "exact %", "CPU exact %")
    for column in (*columns, "agree %", "ok"):
        table.add_column(column, justify="right")
    passed = True
    for family in args.families:
        result = check_family(family, str(device), precision, args)
        passed &= result["ok"]
        table.add_row(
            family,
            str(result["steps"]),
            f"{result['loss']:.4f}",
            f"{result['train_seconds']:.1f}",
            f"{result['solve_seconds']:.2f}",
            f"{result['cpu_solve_seconds']:.2f}",
            f"{100 * result['exact']:.1f}",
            f"{100 * result['cpu_exact']:.1f}",
            f"{100 * result['agreement']:.1f}",
            "yes" if result["ok"] else "NO",
        )
    console.print(table)
    verdict = "PASS" if passed else "FAIL"
    console.print(f"check-device: {verdict} on {device} ({precision}): training ran and the answers agree with the CPU")
    if not passed:
        raise SystemExit(1)


def check_family(family: str, device: str, precision: str, args: Args) -> dict:
    """Trains the family's smoke recipe about ``args.steps`` steps on ``device``, and solves a batch with its
    shipped model there and on the CPU; the figures."""
    recipe_name, shipped, size = CHECKS[family]
    recipe = get_recipe(recipe_name)
    per_epoch = int(round(recipe.dataset_size * (1 - recipe.val_fraction))) // recipe.batch_size
    config = get_recipe(recipe_name, epochs=math.ceil(args.steps / per_epoch))
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(config, Path(folder), progress=False, name=recipe_name, device=device, precision=precision)
        started = time.perf_counter()
        trainer.run()
        train_seconds = time.perf_counter() - started
        loss = last_loss(Path(folder))
    solver = load_solver(shipped, device=device, precision=precision)
    reference = load_solver(shipped, device="cpu")
    inputs, targets = solver.problem.generate(args.samples, size, np.random.default_rng(SOLVE_SEED))
    solver.solve(inputs[:1], think=1)  # the first call on a GPU pays for its set-up; not timed
    answers, solve_seconds = timed(lambda: solver.solve(inputs, think=args.think))
    expected, cpu_seconds = timed(lambda: reference.solve(inputs, think=args.think))
    return {
        "steps": config.epochs * per_epoch,
        "loss": loss,
        "train_seconds": train_seconds,
        "solve_seconds": solve_seconds,
        "cpu_solve_seconds": cpu_seconds,
        "exact": exact_share(answers, targets),
        "cpu_exact": exact_share(expected, targets),
        "agreement": (agreement := exact_share(answers, expected)),
        "ok": math.isfinite(loss) and agreement >= args.min_agreement,
    }


def exact_share(answers: np.ndarray, expected: np.ndarray) -> float:
    """The share of instances whose whole answer equals the expected one."""
    return float((answers == expected).reshape(len(answers), -1).all(axis=1).mean())


def last_loss(run_dir: Path) -> float:
    """The training loss of the run's last epoch (from its metrics log)."""
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return float(json.loads(lines[-1])["loss"]) if lines else math.nan


def timed(work):
    """``(work(), seconds)``."""
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


if __name__ == "__main__":
    main()
