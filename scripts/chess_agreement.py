"""How a chess policy's moves agree with Stockfish's labels as it thinks longer, on held-out labelled games,
and on held-out mined puzzles by difficulty (does the player think longer where tactics are deeper?).

    python scripts/chess_agreement.py --checkpoint chess --think 200 --chunks 5
    python scripts/chess_agreement.py --checkpoint chess --think 128 --puzzles puzzles/data/chess_puzzles.csv.gz

Uses the last ``--chunks`` chunks of the labelled folder (the warm start's validation games); prints the
agreement at chosen budgets and writes ``<out>/<name>_agreement.json``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from agents.checkpoint import resolve_checkpoint  # noqa: E402
from agents.chess_policy import load_policy  # noqa: E402
from puzzles.chess_puzzles import is_held_out, read_lichess_rows  # noqa: E402
from puzzles.storage import save_json  # noqa: E402
from trainers.chess_supervised import (  # noqa: E402
    agreement_per_iteration,
    encode_positions,
    legal_masks,
    load_encoded,
)
from trainers.cli import arg, command_line, parse_args, run_main  # noqa: E402


@dataclass
class Args:
    """Agreement with Stockfish's move after each iteration, on the held-out labelled games."""

    checkpoint: str = arg("chess", "chess policy checkpoint")
    data: str = arg("data/positions", "labelled positions (scripts/label_positions.py)")
    chunks: int = arg(5, "the last chunks of the folder to use (the warm start holds out 5)")
    think: int = arg(200, "iterations")
    marks: list[int] = arg([1, 2, 4, 8, 16, 32, 64, 100, 200], "budgets to print")
    puzzles: str = arg("", "also a Lichess-format puzzle CSV: agreement with held-out first moves, per difficulty")
    per_level: int = arg(500, "held-out puzzles per difficulty, at most (a seeded sample)")
    out: str = arg("reports", "folder for the JSON")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    policy = load_policy(args.checkpoint)
    data = load_encoded(args.data)
    held_out = data["chunk"] >= data["chunk"].max() + 1 - args.chunks
    masks = legal_masks(data["fens"][held_out])
    curve = agreement_per_iteration(policy.net, data["planes"][held_out], data["actions"][held_out], masks, args.think)
    marks = [m for m in args.marks if m <= args.think]
    for mark in marks:
        print(f"think={mark}: {100 * curve[mark - 1]:.1f}% of {int(held_out.sum())} positions agree with Stockfish")
    report = {
        "command": command_line(__file__, argv),
        "positions": int(held_out.sum()),
        "agreement": [round(float(a), 5) for a in curve],
    }
    if args.puzzles:
        report["puzzles"] = puzzle_agreement(policy.net, args.puzzles, args.per_level, args.think)
        for level, result in report["puzzles"].items():
            shares = ", ".join(f"{mark}: {100 * result['agreement'][mark - 1]:.1f}%" for mark in marks)
            print(f"difficulty {level} ({result['puzzles']} held-out puzzles), think {shares}")
    stem = resolve_checkpoint(args.checkpoint)
    save_json(Path(args.out) / f"{stem.name}_agreement.json", report)


def puzzle_agreement(net, path: str, per_level: int, think: int, seed: int = 0) -> dict[int, dict]:
    """Per difficulty, the share of held-out puzzles whose first move the policy picks after each iteration."""
    levels: dict[int, list] = {}
    for row in read_lichess_rows(path):
        if is_held_out(row.puzzle_id):
            levels.setdefault(round(row.difficulty), []).append(row)
    results = {}
    for level, rows in sorted(levels.items()):
        chosen = np.random.default_rng([seed, level]).permutation(len(rows))[:per_level]
        puzzles = [rows[i].puzzle for i in sorted(chosen)]
        fens = np.array([p.fen for p in puzzles], dtype=object)
        planes, actions = encode_positions(fens, np.array([p.best_move for p in puzzles], dtype=object))
        curve = agreement_per_iteration(net, planes, actions, legal_masks(fens), think)
        results[level] = {"puzzles": len(puzzles), "agreement": [round(float(a), 5) for a in curve]}
    return results


if __name__ == "__main__":
    run_main(main)
