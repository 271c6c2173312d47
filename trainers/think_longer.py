"""What thinking longer is worth in chess: the same weights at several budgets, in Elo with error bars.

Each budget plays a paired match (every opening twice, colours swapped) against a reference budget, usually
the training regime; the ratings of all budgets are then fitted jointly (Bradley-Terry, the reference at 0),
and the curve is written as JSON and drawn as a PNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chess
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from puzzles.storage import atomic_write  # noqa: E402
from trainers.arena import Match, PolicyPlayer, play_match  # noqa: E402
from trainers.elo import fit_ratings  # noqa: E402


def think_sweep(
    policy: Any,
    thinks: Sequence[int],
    reference: int,
    openings: Sequence[chess.Board],
    ply_cap: int = 300,
    progress: bool = True,
) -> tuple[dict[int, Match], dict[str, Any]]:
    """Plays ``think=t`` against ``think=reference`` for every ``t`` in ``thinks``; returns the matches and a report.

    The report holds, per budget, the match statistics (pentanomial Elo and its 95 % interval) and the jointly
    fitted rating with its 95 % interval.
    """
    others = [t for t in dict.fromkeys(thinks) if t != reference]
    if not others:
        raise ValueError(f"give at least one budget other than the reference {reference}")
    matches = {}
    for think in others:
        player = PolicyPlayer(policy, think, name=f"think={think}")
        matches[think] = play_match(
            player, PolicyPlayer(policy, reference, name=f"think={reference}"), openings, ply_cap, progress
        )
    results = [(t, reference, sum(g.score_a() for g in m.games), len(m.games)) for t, m in matches.items()]
    ratings = fit_ratings(results, anchor=reference)
    report = {
        "reference": reference,
        "pairs_per_budget": len(openings),
        "ply_cap": ply_cap,
        "budgets": {
            str(t): {
                "match": m.stats().to_dict(),
                "fitted_elo": round(ratings[t].elo, 1),
                "fitted_error": round(ratings[t].error, 1),
                "seconds": round(m.seconds, 1),
            }
            for t, m in matches.items()
        },
    }
    return matches, report


def plot_think_curve(report: dict[str, Any], path: str | Path, title: str) -> None:
    """Elo against the thinking budget (log scale) with 95 % intervals, the reference at 0."""
    budgets = sorted([report["reference"], *map(int, report["budgets"])])
    elo = [0.0 if t == report["reference"] else report["budgets"][str(t)]["fitted_elo"] for t in budgets]
    error = [0.0 if t == report["reference"] else report["budgets"][str(t)]["fitted_error"] for t in budgets]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.errorbar(budgets, elo, yerr=error, marker="o", capsize=3)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(report["reference"], color="grey", ls=":", lw=0.8, label=f"reference think={report['reference']}")
    ax.set_xscale("log")
    ax.set_xlabel("iterations at test time (think)")
    ax.set_ylabel("Elo against the reference (95% interval)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
