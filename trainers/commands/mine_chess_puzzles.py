"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core.

    python scripts/mine_chess_puzzles.py --out data/mined --chunks 2200 --games-per-chunk 25 --workers 2 \
        --output puzzles/data/chess_puzzles.csv.gz --card puzzles/data/chess_puzzles.json

Chunks already in ``--out`` are kept (a killed run resumes); ``--output`` joins them sorted easy to hard, and
``--card`` writes the set's data card: the settings, the mining time and throughput, the difficulty and theme
counts, and a deeper search's verdict on a random sample of the puzzles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from puzzles.mined_sets import data_card, merge_chunks, mine
from puzzles.miner import MinerConfig
from puzzles.storage import save_json
from trainers.cli import arg, command, command_line, parse_args, run_chunks, settings_from


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
    config = settings_from(MinerConfig, args)
    done = len(list(Path(args.out).glob("chunk_*.csv"))) if Path(args.out).is_dir() else 0
    found, seconds = run_chunks(
        "mining",
        "puzzles",
        args.chunks,
        done,
        lambda on_chunk: mine(args.out, args.chunks, args.games_per_chunk, args.seed, config, args.workers, on_chunk),
    )
    hours = seconds / 3600
    if found:
        print(f"mined {found} puzzles in {hours * 60:.1f} min: {found / hours:,.0f} puzzles/hour")
    if args.output:
        print(f"wrote {merge_chunks(args.out, args.output, args.chunks)} puzzles to {args.output}")
    if args.output and args.card:
        write_card(args, config, command_line(__file__, argv))


def write_card(args: Args, config: MinerConfig, command: str) -> None:
    """Writes the data card of ``args.output`` (:func:`puzzles.mined_sets.data_card`) to ``args.card``."""
    card = data_card(
        args.output, args.out, args.chunks, config, args.reverify, args.reverify_nodes, args.seed, args.games_per_chunk
    )
    save_json(args.card, {"command": command, **card})
    checked = card["reverified"]
    print(f"data card: {args.card} ({checked['agree']}/{checked['sample']} re-verified)")


if __name__ == "__main__":
    main()
