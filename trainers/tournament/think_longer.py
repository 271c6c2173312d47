"""What thinking longer is worth in chess: the same weights at several budgets, in Elo with error bars.

Each budget plays a paired match (every opening twice, colours swapped) against a reference budget, usually
the training regime; the ratings of all budgets are then fitted jointly (Bradley-Terry, the reference at 0),
and the curve is written as JSON and drawn as a PNG. Searching is a budget of its own: ``searches`` adds
players that think ``reference`` iterations and search that many simulations, and the plot puts both kinds
against the network block evaluations they spend a move (``think`` for thinking, ``think * (search + 1)``
for searching: the root and one leaf a simulation), so more iterations and more search compare at equal
compute on the same weights. ``deepthink think-longer`` (``python scripts/think_longer.py``) runs it:

    deepthink think-longer --checkpoint chess --thinks 1 2 4 16 32 64 200 --reference 8 --pairs 100
    deepthink think-longer --checkpoint chess --thinks 16 32 64 128 256 --searches 1 3 7 15 31 --reference 8
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
    searches: Sequence[int] = (),
) -> tuple[dict[Any, Match], dict[str, Any]]:
    """Plays ``think=t`` against ``think=reference`` for every ``t`` in ``thinks``, and ``think=reference`` with
    ``search=s`` simulations against it for every ``s`` in ``searches``; returns the matches and a report.

    Matches are keyed by the budget (``t``) and by ``("search", s)``. The report holds, per budget (under
    ``budgets`` and ``searches``), the match statistics (pentanomial Elo and its 95 % interval), the jointly
    fitted rating with its 95 % interval and the block evaluations a move.
    """
    if any(s < 0 for s in searches):
        raise ValueError(f"search budgets are simulations (0 or more), got {list(searches)}")
    others = [t for t in dict.fromkeys(thinks) if t != reference]
    searched = [s for s in dict.fromkeys(searches) if s > 0]
    if not others and not searched:
        raise ValueError(f"give at least one budget other than the reference {reference}")
    opponent = PolicyPlayer(policy, reference, name=f"think={reference}")
    players: dict[Any, PolicyPlayer] = {t: PolicyPlayer(policy, t, name=f"think={t}") for t in others}
    for s in searched:
        players["search", s] = PolicyPlayer(policy, reference, name=f"think={reference}:search={s}", search=s)
    matches = {key: play_match(player, opponent, openings, ply_cap, progress) for key, player in players.items()}
    results = [(key, reference, sum(g.score_a() for g in m.games), len(m.games)) for key, m in matches.items()]
    ratings = fit_ratings(results, anchor=reference)

    def row(key: Any, evaluations: int) -> dict[str, Any]:
        return {
            "match": matches[key].stats().to_dict(),
            "fitted_elo": round(ratings[key].elo, 1),
            "fitted_error": round(ratings[key].error, 1),
            "block_evaluations": evaluations,
            "seconds": round(matches[key].seconds, 1),
        }

    report = {
        "reference": reference,
        "pairs_per_budget": len(openings),
        "ply_cap": ply_cap,
        "budgets": {str(t): row(t, t) for t in others},
    }
    if searched:
        report["searches"] = {str(s): row(("search", s), reference * (s + 1)) for s in searched}
    return matches, report


def plot_think_curve(report: dict[str, Any], path: str | Path, title: str) -> None:
    """Elo against the block evaluations a move (log scale) with 95 % intervals, the reference at 0: one curve
    for thinking longer and, if the report has searches, one for searching at the reference's think."""
    reference = report["reference"]
    curves = {
        "more iterations (think)": {int(t): r for t, r in report["budgets"].items()},
        "more search": {r["block_evaluations"]: r for r in report.get("searches", {}).values()},
    }
    fig, ax = plt.subplots(figsize=(6, 4))
    for (label, rows), marker in zip(curves.items(), "os", strict=True):
        if rows:
            rated = ((x, r["fitted_elo"], r["fitted_error"]) for x, r in rows.items())
            points = sorted([(reference, 0.0, 0.0), *rated])
            x, elo, error = zip(*points, strict=True)
            ax.errorbar(x, elo, yerr=error, marker=marker, capsize=3, label=label)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(reference, color="grey", ls=":", lw=0.8, label=f"reference think={reference}")
    ax.set_xscale("log")
    ax.set_xlabel("network block evaluations a move (think x searched positions)")
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
    searches: list[int] = arg([], "search simulations to rate at the reference's think (a budget of its own)")
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
    _, report = think_sweep(policy, args.thinks, reference, openings, args.ply_cap, searches=args.searches)
    report["command"] = command_line("think_longer.py", argv)
    report["seconds"] = round(time.perf_counter() - started, 1)
    table = Table(title=f"think longer: Elo against think={reference}, {len(openings)} paired openings")
    for column in ("budget", "block evals", "W/D/L", "score", "match Elo (95%)", "fitted Elo (95%)"):
        table.add_column(column, justify="right")
    rows = [(f"think={t}", r) for t, r in report["budgets"].items()]
    rows += [(f"think={reference}:search={s}", r) for s, r in report.get("searches", {}).items()]
    for name, row in sorted(rows, key=lambda item: item[1]["block_evaluations"]):
        m = row["match"]
        table.add_row(
            name,
            str(row["block_evaluations"]),
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
