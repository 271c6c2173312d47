"""How a chess policy's moves agree with Stockfish's labels as it thinks longer, on held-out labelled games,
and on held-out mined puzzles by difficulty (does the player think longer where tactics are deeper?).

    python scripts/chess_agreement.py --checkpoint chess --think 200 --chunks 5
    python scripts/chess_agreement.py --checkpoint chess --think 128 --puzzles puzzles/data/chess_puzzles.csv.gz
    python scripts/chess_agreement.py --checkpoint runs/chess_ladder/best --ladder data/ladder --chunks 60 --think 256

With ``--ladder``, the positions are the ladder's ``--split`` games among its first ``--chunks`` chunks, and each
budget's agreement is given against every rung of the ladder (Stockfish at 32 ... 8,192 nodes).

Uses the last ``--chunks`` chunks of the labelled folder (the warm start's validation games); prints the
agreement at chosen budgets and writes ``<out>/<name>_agreement.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.checkpoint import resolve_checkpoint
from agents.chess_policy import load_policy
from puzzles.chess_puzzles import is_held_out, read_lichess_rows
from puzzles.storage import save_json
from trainers.chess_supervised import (
    agreement_per_iteration,
    encode_positions,
    legal_masks,
    load_encoded,
)
from trainers.chess_thinking import ladder_agreement, load_split
from trainers.cli import arg, command, command_line, parse_args


@dataclass
class Args:
    """Agreement with Stockfish's move after each iteration, on the held-out labelled games."""

    checkpoint: str = arg("chess", "chess policy checkpoint")
    data: str = arg("data/positions", "labelled positions (scripts/label_positions.py)")
    chunks: int = arg(5, "the last chunks of the folder to use (the warm start holds out 5)")
    think: int = arg(200, "iterations")
    marks: list[int] = arg([1, 2, 4, 8, 16, 32, 64, 128, 200, 256], "budgets to print")
    ladder: str = arg("", "a ladder folder (scripts/label_ladder.py) to use instead of --data")
    split: str = arg("validation", "with --ladder: validation or test")
    puzzles: str = arg("", "also a Lichess-format puzzle CSV: agreement with held-out first moves, per difficulty")
    per_level: int = arg(500, "held-out puzzles per difficulty, at most (a seeded sample)")
    out: str = arg("reports", "folder for the JSON")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    policy = load_policy(args.checkpoint)
    if args.ladder:
        report = ladder_report(policy.net, args)
        stem = resolve_checkpoint(args.checkpoint)
        save_json(Path(args.out) / f"{stem.name}_{args.split}_ladder_agreement.json", report)
        return
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


def ladder_report(net, args: Args) -> dict:
    """Agreement with every rung of the ladder after each iteration, on one split of the ladder's games."""
    split = load_split(args.ladder, args.chunks, args.split, result_weight=0.5)
    agree, value_mse = ladder_agreement(net, split, np.arange(len(split)), args.think)
    for mark in (m for m in args.marks if m <= args.think):
        rungs = " ".join(f"{100 * a:5.1f}%" for a in agree[mark - 1])
        print(f"think={mark:4d}: agreement with each rung {rungs}; value mse {value_mse[mark - 1]:.3f}")
    return {
        "command": command_line(__file__, argv=None),
        "split": args.split,
        "positions": len(split),
        "agreement": [[round(float(a), 5) for a in row] for row in agree],
        "value_mse": [round(float(v), 5) for v in value_mse],
    }


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
    main()
