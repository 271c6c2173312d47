"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core.

    python scripts/mine_chess_puzzles.py --out data/mined --chunks 200 --games-per-chunk 50 \
        --output puzzles.csv.gz

Chunks already in ``--out`` are kept (a killed run resumes); ``--output`` joins them sorted easy to hard.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from puzzles.miner import MinerConfig, merge_chunks, mine  # noqa: E402
from trainers.cli import arg, chunk_progress, parse_args, run_main  # noqa: E402


@dataclass
class Args:
    """Mine puzzles from seeded engine-and-random games with Stockfish."""

    out: str = arg("data/mined", "folder of chunk CSVs (resumable)")
    output: str = arg("", "join the chunks into this gzipped CSV, sorted easy to hard")
    chunks: int = arg(20, "chunks to mine (each seeded by seed and its index)")
    games_per_chunk: int = arg(25, "games played per chunk")
    seed: int = arg(0, "seed of the games")
    workers: int = arg(2, "worker processes, one Stockfish each")
    screen_nodes: int = arg(MinerConfig.screen_nodes, "nodes of the screening search")
    verify_nodes: int = arg(MinerConfig.verify_nodes, "nodes of the verifying search")
    random_move_rate: float = arg(MinerConfig.random_move_rate, "chance of a random move in the games")
    sidelines: int = arg(MinerConfig.sidelines, "random moves screened at every ply besides the one played")


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
        print(f"wrote {merge_chunks(args.out, args.output)} puzzles to {args.output}")


if __name__ == "__main__":
    run_main(main)
