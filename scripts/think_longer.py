"""The think-longer curve: the chess policy at several budgets against its training regime, in Elo.

    python scripts/think_longer.py --checkpoint chess --thinks 1 2 4 16 32 64 200 --reference 8 --pairs 100

Writes ``<out>/think_longer.json`` (every match's statistics and the jointly fitted ratings) and
``<out>/think_longer.png``; ``--update-card`` records the result in the checkpoint's model card.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agents.checkpoint import resolve_checkpoint, save_checkpoint  # noqa: E402
from agents.chess_policy import load_policy  # noqa: E402
from puzzles.chess_game import OPENINGS_FILE, read_openings  # noqa: E402
from puzzles.storage import save_json  # noqa: E402
from trainers.cli import arg, command_line, parse_args, run_main  # noqa: E402
from trainers.think_longer import plot_think_curve, think_sweep  # noqa: E402


@dataclass
class Args:
    """Play the same weights at several thinking budgets against a reference budget over paired openings."""

    checkpoint: str = arg("chess", "chess policy checkpoint (shipped name or path)")
    thinks: list[int] = arg([1, 2, 4, 16, 32, 64, 200], "budgets to rate")
    reference: int = arg(0, "the reference budget (0 = the training regime's iterations)")
    pairs: int = arg(100, "openings played (each twice, colours swapped)")
    openings: str = arg(str(OPENINGS_FILE), "EPD opening file")
    ply_cap: int = arg(300, "plies after which a game is adjudicated a draw")
    threads: int = arg(0, "torch threads (0 = torch's default)")
    out: str = arg("reports", "folder for the JSON and PNG")
    update_card: bool = arg(False, "record the result in the checkpoint's model card")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    policy = load_policy(args.checkpoint)
    reference = args.reference or int(policy.card.get("recipe", {}).get("max_iters", policy.default_think))
    openings = read_openings(args.openings)[: args.pairs]
    started = time.perf_counter()
    _, report = think_sweep(policy, args.thinks, reference, openings, args.ply_cap)
    report["command"] = command_line(__file__, argv)
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
        stem = resolve_checkpoint(args.checkpoint)
        save_checkpoint(stem, policy.net, {**policy.card, "think_longer": report})


if __name__ == "__main__":
    run_main(main)
