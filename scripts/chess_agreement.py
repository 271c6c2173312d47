"""How a chess policy's moves agree with Stockfish's labels as it thinks longer, on held-out labelled games.

    python scripts/chess_agreement.py --checkpoint chess --think 200 --chunks 5

Uses the last ``--chunks`` chunks of the labelled folder (the warm start's validation games); prints the
agreement at chosen budgets and writes ``<out>/<name>_agreement.json``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chess  # noqa: E402
import numpy as np  # noqa: E402

from agents.checkpoint import resolve_checkpoint  # noqa: E402
from agents.chess_policy import load_policy  # noqa: E402
from puzzles.chess_encoding import legal_action_mask  # noqa: E402
from puzzles.storage import save_json  # noqa: E402
from trainers.chess_supervised import agreement_per_iteration, load_encoded  # noqa: E402
from trainers.cli import arg, command_line, parse_args, run_main  # noqa: E402


@dataclass
class Args:
    """Agreement with Stockfish's move after each iteration, on the held-out labelled games."""

    checkpoint: str = arg("chess", "chess policy checkpoint")
    data: str = arg("data/positions", "labelled positions (scripts/label_positions.py)")
    chunks: int = arg(5, "the last chunks of the folder to use (the warm start holds out 5)")
    think: int = arg(200, "iterations")
    marks: list[int] = arg([1, 2, 4, 8, 16, 32, 64, 100, 200], "budgets to print")
    out: str = arg("reports", "folder for the JSON")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    policy = load_policy(args.checkpoint)
    data = load_encoded(args.data)
    held_out = data["chunk"] >= data["chunk"].max() + 1 - args.chunks
    masks = np.stack([legal_action_mask(chess.Board(str(f))) for f in data["fens"][held_out]]).astype(bool)
    curve = agreement_per_iteration(policy.net, data["planes"][held_out], data["actions"][held_out], masks, args.think)
    marks = [m for m in args.marks if m <= args.think]
    for mark in marks:
        print(f"think={mark}: {100 * curve[mark - 1]:.1f}% of {int(held_out.sum())} positions agree with Stockfish")
    stem = resolve_checkpoint(args.checkpoint)
    save_json(
        Path(args.out) / f"{stem.name}_agreement.json",
        {
            "command": command_line(__file__, argv),
            "positions": int(held_out.sum()),
            "agreement": [round(float(a), 5) for a in curve],
        },
    )


if __name__ == "__main__":
    run_main(main)
