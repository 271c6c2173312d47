"""Plots of evaluation results (matplotlib, written headless to PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from puzzles.storage import atomic_write  # noqa: E402
from trainers.evaluation import IterationCurve  # noqa: E402


def plot_accuracy_curves(
    curves: dict[int, IterationCurve],
    path: str | Path,
    title: str,
    train_iters: int | None = None,
    size_label: str = "size",
) -> None:
    """Accuracy against iterations, one solid (last iterate) and one dashed (max confidence) curve per size."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for size, curve in curves.items():
        steps = np.arange(1, len(curve.last) + 1)
        (line,) = ax.plot(steps, 100 * curve.last, label=f"{size_label} {size}")
        ax.plot(steps, 100 * curve.max_conf, linestyle="--", color=line.get_color(), alpha=0.6)
    if train_iters:
        ax.axvspan(0, train_iters, color="grey", alpha=0.15, label="training regime")
    ax.set_xlabel("iterations (think)")
    ax.set_ylabel("exact match (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title + "\nsolid: last iterate, dashed: most confident so far")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
