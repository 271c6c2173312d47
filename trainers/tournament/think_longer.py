"""What thinking longer is worth in chess: the same weights at several budgets, in Elo with error bars.

Each budget plays a paired match (every opening twice, colours swapped) against a reference budget, usually
the training regime; the ratings of all budgets are then fitted jointly (Bradley-Terry, the reference at 0),
and the curve is written as JSON and drawn as a PNG. ``deepthink think-longer`` (``python scripts/think_longer.py``)
runs it on a checkpoint:

    deepthink think-longer --checkpoint chess --thinks 1 2 4 16 32 64 200 --reference 8 --pairs 100
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chess
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agents.checkpoint import resolve_checkpoint  # noqa: E402
from puzzles.chess_game import OPENINGS_FILE, read_openings  # noqa: E402
from puzzles.storage import atomic_write, save_json  # noqa: E402
from trainers.cards import write_card_section  # noqa: E402
from trainers.cli import arg, command, command_line, parse_args, threads_arg  # noqa: E402
from trainers.tournament.elo import fit_ratings  # noqa: E402
from trainers.tournament.match import Match, play_match  # noqa: E402
from trainers.tournament.players import PolicyPlayer  # noqa: E402


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


@dataclass
class ThinkLongerArgs:
    """Play the same weights at several thinking budgets against a reference budget over paired openings."""

    checkpoint: str = arg("chess", "chess policy checkpoint (shipped name or path)")
    thinks: list[int] = arg([1, 2, 4, 16, 32, 64, 200], "budgets to rate")
    reference: int = arg(0, "the reference budget (0 = the training regime's iterations)")
    pairs: int = arg(100, "openings played (each twice, colours swapped)")
    openings: str = arg(str(OPENINGS_FILE), "EPD opening file")
    ply_cap: int = arg(300, "plies after which a game is adjudicated a draw")
    threads: int = threads_arg()
    out: str = arg("reports", "folder for the JSON and PNG")
    update_card: bool = arg(False, "record the result in the checkpoint's model card")


@command()
def main(argv: list[str] | None = None) -> None:
    """``deepthink think-longer``: sweeps the budgets, prints the table, writes the JSON and the PNG."""
    args = parse_args(ThinkLongerArgs, argv)

    from agents.chess_policy import load_policy  # lazy: torch loads once the arguments are good

    policy = load_policy(args.checkpoint)
    reference = args.reference or int(policy.card.get("recipe", {}).get("max_iters", policy.default_think))
    openings = read_openings(args.openings)[: args.pairs]
    started = time.perf_counter()
    _, report = think_sweep(policy, args.thinks, reference, openings, args.ply_cap)
    report["command"] = command_line("think_longer.py", argv)
    report["seconds"] = round(time.perf_counter() - started, 1)
    table = Table(title=f"think longer: Elo against think={reference}, {len(openings)} paired openings")
    for column in ("think", "W/D/L", "score", "match Elo (95%)", "fitted Elo (95%)"):
        table.add_column(column, justify="right")
    for think, row in sorted(report["budgets"].items(), key=lambda item: int(item[0])):
        m = row["match"]
        table.add_row(
            think,
            f"{m['wins']}/{m['draws']}/{m['losses']}",
            f"{m['score']:.3f}",
            f"{m['elo']:+.0f} ± {m['elo_error']:.0f}",
            f"{row['fitted_elo']:+.0f} ± {row['fitted_error']:.0f}",
        )
    Console().print(table)
    out = Path(args.out)
    save_json(out / "think_longer.json", report)
    plot_think_curve(report, out / "think_longer.png", f"{resolve_checkpoint(args.checkpoint).name}: thinking longer")
    print(f"wrote {out / 'think_longer.json'} and {out / 'think_longer.png'} in {report['seconds']:.0f} s")
    if args.update_card:
        write_card_section(args.checkpoint, "think_longer", report)


if __name__ == "__main__":
    main()
