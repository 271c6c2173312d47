"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core.

    python scripts/mine_chess_puzzles.py --out data/mined --chunks 2200 --games-per-chunk 25 --workers 2 \
        --output puzzles/data/chess_puzzles.csv.gz --card puzzles/data/chess_puzzles.json

Chunks already in ``--out`` are kept (a killed run resumes); ``--output`` joins them sorted easy to hard, and
``--card`` writes the set's data card: the settings, the mining time and throughput, the difficulty and theme
counts, and a deeper search's verdict on a random sample of the puzzles.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from puzzles.chess_puzzles import read_lichess_csv
from puzzles.miner import MinerConfig, merge_chunks, mine, mining_summary, reverify
from puzzles.storage import save_json
from trainers.cli import arg, chunk_progress, command, parse_args


@dataclass
class Args:
    """Mine puzzles from seeded engine-and-random games with Stockfish."""

    out: str = arg("data/mined", "folder of chunk CSVs (resumable)")
    output: str = arg("", "join the chunks into this gzipped CSV, sorted easy to hard")
    chunks: int = arg(20, "chunks to mine (each seeded by seed and its index); --output joins these first chunks")
    games_per_chunk: int = arg(25, "games played per chunk")
    seed: int = arg(0, "seed of the games")
    workers: int = arg(2, "worker processes, one Stockfish each")
    screen_nodes: int = arg(MinerConfig.screen_nodes, "nodes of the screening search")
    verify_nodes: int = arg(MinerConfig.verify_nodes, "nodes of the verifying search")
    random_move_rate: float = arg(MinerConfig.random_move_rate, "chance of a random move in the games")
    card: str = arg("", "with --output: write the set's data card (JSON) here")
    reverify: int = arg(1000, "puzzles of the set re-checked by a deeper search for the card")
    reverify_nodes: int = arg(200_000, "nodes of that deeper search")
    sidelines: int = arg(MinerConfig.sidelines, "random moves screened at every ply besides the one played")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    config = MinerConfig(**{f.name: getattr(args, f.name) for f in fields(MinerConfig) if hasattr(args, f.name)})
    started = time.perf_counter()
    done = len(list(Path(args.out).glob("chunk_*.csv"))) if Path(args.out).is_dir() else 0
    with chunk_progress("mining", args.chunks, done, "puzzles") as counter:
        mine(args.out, args.chunks, args.games_per_chunk, args.seed, config, args.workers, counter)
    hours, found = (time.perf_counter() - started) / 3600, counter.items
    if found:
        print(f"mined {found} puzzles in {hours * 60:.1f} min: {found / hours:,.0f} puzzles/hour")
    if args.output:
        print(f"wrote {merge_chunks(args.out, args.output, args.chunks)} puzzles to {args.output}")
    if args.output and args.card:
        write_card(args, config)


def write_card(args: Args, config: MinerConfig) -> None:
    """The data card of ``args.output``: how it was made, how long it took, what is in it, and whether a deeper
    search agrees with a random sample of its best moves."""
    puzzles = read_lichess_csv(args.output)
    totals = mining_summary(args.out, args.chunks)
    sample = np.random.default_rng(args.seed).choice(len(puzzles), min(args.reverify, len(puzzles)), replace=False)
    started = time.perf_counter()
    disagreements = reverify([puzzles[i] for i in sample], args.reverify_nodes)
    hours_on_two_cores = totals["worker_seconds"] / 3600 / 2
    save_json(
        args.card,
        {
            "command": "python scripts/mine_chess_puzzles.py " + " ".join(sys.argv[1:]),
            "miner": asdict(config),
            "seed": args.seed,
            "games_per_chunk": args.games_per_chunk,
            **totals,
            "puzzles_per_hour_on_two_cores": round(totals["puzzles"] / hours_on_two_cores) if totals["chunks"] else 0,
            "difficulty": "plies a material-only search needs to find the first move (puzzles.lookahead)",
            "difficulty_counts": dict(sorted(Counter(int(p.difficulty) for p in puzzles).items())),
            "solver_moves_counts": dict(sorted(Counter((len(p.line) + 1) // 2 for p in puzzles).items())),
            "theme_counts": dict(Counter(t for p in puzzles for t in p.themes).most_common()),
            "reverified": {
                "sample": len(sample),
                "nodes": args.reverify_nodes,
                "agree": len(sample) - len(disagreements),
                "disagreements": disagreements,
                "seconds": round(time.perf_counter() - started, 1),
            },
        },
    )
    print(f"data card: {args.card} ({len(sample) - len(disagreements)}/{len(sample)} re-verified)")


if __name__ == "__main__":
    main()
