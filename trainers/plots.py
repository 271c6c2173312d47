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
    references: dict[int, tuple[int, float]] | None = None,
    reference_label: str = "baseline",
) -> None:
    """Accuracy against iterations, one solid (last iterate) and one dashed (max confidence) curve per size;
    ``references`` marks another model's ``(iterations, accuracy)`` per size with a cross in the size's colour."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    references = references or {}
    for size, curve in curves.items():
        steps = np.arange(1, len(curve.last) + 1)
        (line,) = ax.plot(steps, 100 * curve.last, label=f"{size_label} {size}")
        ax.plot(steps, 100 * curve.max_conf, linestyle="--", color=line.get_color(), alpha=0.6)
        if size in references:
            iterations, accuracy = references[size]
            ax.scatter([iterations], [100 * accuracy], marker="x", s=60, color=line.get_color(), zorder=3)
    if references:
        ax.scatter([], [], marker="x", color="black", label=reference_label)
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


def plot_rollout_sweep(reports: list[dict], knob: str, path: str | Path, title: str) -> None:
    """Rollout success rate (with its 95% interval) against the thinking budget, one line per difficulty
    (each report's ``level``)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for level in sorted({r["level"] for r in reports}):
        rows = sorted((r for r in reports if r["level"] == level), key=lambda r: r["think"])
        thinks = [r["think"] for r in rows]
        rates = np.array([100 * r["success_rate"] for r in rows])
        low, high = (np.array([100 * r["interval"][i] for r in rows]) for i in (0, 1))
        ax.errorbar(thinks, rates, yerr=[rates - low, high - rates], marker="o", capsize=3, label=f"{knob} {level}")
    ax.set_xscale("log")
    ax.set_xlabel("thinking budget (iterations)")
    ax.set_ylabel("episodes solved (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def plot_thinking(
    inputs: np.ndarray, target: np.ndarray, predictions: dict[int, np.ndarray], path: str | Path, title: str
) -> None:
    """One instance: its input, target and the prediction after chosen iterations (the dissertation's Fig. 4.4).

    Args:
        inputs: one native input: bits ``(n,)``, a maze image ``(3, H, W)`` or a Sudoku grid ``(9, 9)``.
        target: its answer: ``(n,)``, ``(H, W)`` or ``(9, 9)``.
        predictions: iteration -> predicted answer of the same shape as ``target``.
        path: PNG to write.
        title: figure title.
    """
    if target.ndim == 1:  # a string: one row per panel, stacked
        rows = [("input", inputs), ("target", target)] + [(f"t={t}", p) for t, p in predictions.items()]
        fig, axes = plt.subplots(len(rows), 1, figsize=(10, 0.5 * len(rows) + 1), squeeze=False)
        for ax, (label, row) in zip(axes[:, 0], rows, strict=True):
            wrong = label.startswith("t=") and not np.array_equal(row, target)
            ax.imshow(row[None, :], cmap="Reds" if wrong else "Greys", vmin=0, vmax=1, aspect="auto")
            ax.set_yticks([])
            ax.set_xticks([])
            ax.set_ylabel(label, rotation=0, ha="right", va="center")
    elif inputs.ndim == 2:  # a Sudoku: digits on a board, side-by-side panels
        panels = [("input", inputs), ("target", target)]
        panels += [(f"t={t}, {int((p != target).sum())} wrong", p) for t, p in predictions.items()]
        fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.9), squeeze=False)
        for ax, (label, grid) in zip(axes[0], panels, strict=True):
            _draw_sudoku(ax, grid, inputs, target)
            ax.set_title(label, fontsize=9)
    else:  # a maze image: side-by-side panels
        panels = [("input", inputs.transpose(1, 2, 0)), ("target", target)]
        panels += [(f"t={t}" + ("" if np.array_equal(p, target) else " (wrong)"), p) for t, p in predictions.items()]
        fig, axes = plt.subplots(1, len(panels), figsize=(2.4 * len(panels), 2.8), squeeze=False)
        for ax, (label, image) in zip(axes[0], panels, strict=True):
            ax.imshow(image, cmap="Greys_r" if image.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(label, fontsize=9)
            ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def _draw_sudoku(ax: plt.Axes, grid: np.ndarray, puzzle: np.ndarray, target: np.ndarray) -> None:
    """Givens in black; other digits green where they match the target, red where they do not."""
    for k in range(10):
        width = 2.0 if k % 3 == 0 else 0.5
        ax.plot([k, k], [0, 9], color="black", linewidth=width)
        ax.plot([0, 9], [k, k], color="black", linewidth=width)
    for (r, c), digit in np.ndenumerate(grid):
        if digit:
            colour = "black" if puzzle[r, c] else ("tab:green" if digit == target[r, c] else "tab:red")
            ax.text(c + 0.5, 8.5 - r, str(digit), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xlim(0, 9)
    ax.set_ylim(0, 9)
    ax.set_aspect("equal")
    ax.axis("off")


def plot_overthinking(
    accuracy: dict[str, dict[str, list[float]]],
    change: dict[str, list[float]],
    folder: str | Path,
    title: str,
    early: int,
    late: int,
) -> None:
    """The overthinking study's figures (``scripts/overthinking.py``), one colour per model throughout:
    ``overthinking_accuracy.png`` (clean runs), ``overthinking_interventions.png`` (a panel per intervention)
    and ``overthinking_change.png`` (the thought's mean change per iteration, log scale).

    Args:
        accuracy: model -> intervention (``"clean"``, ``"noise"``, ...) -> exact-match fraction per iteration.
        change: model -> mean ``||phi_n - phi_(n-1)||`` per iteration of the clean run.
    """
    folder = Path(folder)
    when = {"noise": early, "zeros": early, "swap": late, "input": late}
    panels = [kind for kind in when if any(kind in kinds for kinds in accuracy.values())]
    figures = {
        "accuracy": plt.subplots(figsize=(7, 4.5)),
        "interventions": plt.subplots(1, max(len(panels), 1), figsize=(4 * max(len(panels), 1), 4), squeeze=False),
        "change": plt.subplots(figsize=(7, 4.5)),
    }
    for index, (label, kinds) in enumerate(accuracy.items()):
        style = {"label": label, "color": f"C{index}"}
        figures["accuracy"][1].plot(np.arange(1, len(kinds["clean"]) + 1), 100 * np.asarray(kinds["clean"]), **style)
        figures["change"][1].plot(np.arange(1, len(change[label]) + 1), change[label], **style)
        for ax, kind in zip(figures["interventions"][1][0], panels, strict=False):
            if kind in kinds:
                ax.plot(np.arange(1, len(kinds[kind]) + 1), 100 * np.asarray(kinds[kind]), **style)
    for ax, kind in zip(figures["interventions"][1][0], panels, strict=False):
        ax.axvline(when[kind], color="grey", linestyle=":")
        ax.set_title(f"{kind} after iteration {when[kind]}", fontsize=10)
    for name, (fig, axes) in figures.items():
        for ax in np.atleast_1d(axes).ravel():
            ax.set_xlabel("iterations")
            ax.set_ylabel("||phi_n - phi_(n-1)||" if name == "change" else "exact match (%)")
            ax.grid(alpha=0.3)
        first = np.atleast_1d(axes).ravel()[0]
        if name == "change":
            first.set_yscale("log")
        first.legend(fontsize=7)
        fig.suptitle(f"{title}: {name}")
        fig.tight_layout()
        atomic_write(folder / f"overthinking_{name}.png", lambda tmp, fig=fig: fig.savefig(tmp, dpi=110, format="png"))
        plt.close(fig)


def plot_layer_similarity(similarity: np.ndarray, path: str | Path, title: str) -> None:
    """A layer similarity matrix (``ThinkingNetwork.layer_similarity``) as a heat map, layers in depth order."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    image = ax.imshow(similarity, vmin=0, vmax=1, cmap="viridis")
    fig.colorbar(image, ax=ax, fraction=0.046, label="|cos| of template coefficients")
    ax.set_xlabel("convolution (depth order)")
    ax.set_ylabel("convolution (depth order)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def plot_ladder(levels: dict[str, dict], path: str | Path, title: str) -> None:
    """Elo against each opponent of a ladder (match Elo with its 95 % interval), one row per opponent, in the
    order played; ``levels`` maps an opponent's name to :meth:`trainers.tournament.elo.MatchStats.to_dict`."""
    names = list(levels)
    elo = np.array([levels[n]["elo"] for n in names])
    low = np.array([levels[n]["elo_low"] for n in names])
    high = np.array([levels[n]["elo_high"] for n in names])
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(names) + 1.5))
    y = np.arange(len(names))[::-1]
    ax.errorbar(elo, y, xerr=[elo - low, high - elo], fmt="o", capsize=3)
    for x, row, stats in zip(elo, y, levels.values(), strict=True):
        score = f"{stats['wins']}/{stats['draws']}/{stats['losses']}"
        ax.annotate(score, (x, row), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, names)
    ax.set_xlabel("Elo against the opponent (95% interval; W/D/L above)")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def plot_generations(ratings: list[dict], path: str | Path, title: str) -> None:
    """Self-play generations' fitted Elo against generation 0 (95 % intervals), from the Elo table's ratings
    (:meth:`trainers.selfplay.evaluator.EloTable.ratings`); other players (Stockfish) as labelled lines."""
    generations = sorted((int(r["player"].split()[1]), r) for r in ratings if r["player"].startswith("gen "))
    fig, ax = plt.subplots(figsize=(7, 4))
    if generations:
        x = np.array([g for g, _ in generations])
        elo, low, high = (np.array([r[key] for _, r in generations]) for key in ("elo", "low", "high"))
        ax.errorbar(x, elo, yerr=[elo - low, high - elo], marker="o", capsize=3, label="generation")
    unrated = []
    for other in (r for r in ratings if not r["player"].startswith("gen ")):
        if other["high"] - other["low"] > 1000:  # a clean sweep has no finite rating: say so, do not draw it
            unrated.append(other["player"])
            continue
        ax.axhline(other["elo"], color="tab:red", ls="--", lw=0.8)
        ax.annotate(f"{other['player']} ({other['elo']:+.0f})", (0, other["elo"]), fontsize=8, color="tab:red")
    if unrated:
        title += f"\n(no finite rating, not drawn: {', '.join(unrated)})"
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("generation")
    ax.set_ylabel("Elo against generation 0 (95% interval)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
