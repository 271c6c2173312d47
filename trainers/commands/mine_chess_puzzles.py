"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core.

The shipped set: seeded games from the start position with uniformly random mistakes:

    python scripts/mine_chess_puzzles.py --out data/mined --chunks 2200 --games-per-chunk 25 --workers 2 \
        --output puzzles/data/chess_puzzles.csv.gz --card puzzles/data/chess_puzzles.json

Realistic games: engine games from the balanced openings with plausible mistakes (drawn among the screening
search's best four moves, the likelier the nearer the best), or every position of recorded games (a PGN file,
e.g. self-play; a chunk is then a slice of --games-per-chunk games in file order, and --chunks 0 takes them all):

    python scripts/mine_chess_puzzles.py --out data/mined_engine --openings puzzles/data/openings.epd \
        --mistakes plausible --chunks 126 --workers 2 --unique --output puzzles/data/chess_puzzles_engine.csv.gz \
        --card puzzles/data/chess_puzzles_engine.json
    python scripts/mine_chess_puzzles.py --out data/mined_selfplay --pgn runs/selfplay22/games.pgn \
        --games-per-chunk 20 --workers 2 --unique --output puzzles/data/chess_puzzles_selfplay.csv.gz \
        --card puzzles/data/chess_puzzles_selfplay.json

Chunks already in ``--out`` are kept (a killed run resumes); ``--output`` joins them sorted easy to hard, and
``--card`` writes the set's data card: where the games came from, the settings, the mining time and throughput,
the difficulty and theme counts, and a deeper search's verdict on a random sample of the puzzles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from puzzles.chess_game import read_openings
from puzzles.mined_sets import (
    data_card,
    join_sets,
    joined_card,
    merge_chunks,
    mine,
    mine_recorded,
    read_pgn_games,
    recorded_chunks,
)
from puzzles.miner import MISTAKE_KINDS, MinerConfig
from puzzles.storage import save_json
from trainers.cli import arg, command, command_line, parse_args, run_chunks, settings_from

#: Seeded chunks mined when --chunks is 0 and there is no --pgn.
SEEDED_CHUNKS = 20


@dataclass
class Args:
    """Mine puzzles with Stockfish from seeded engine games with mistakes, or from the games of a PGN file."""

    out: str = arg("data/mined", "folder of chunk CSVs (resumable)")
    output: str = arg("", "join the chunks into this gzipped CSV, sorted easy to hard")
    chunks: int = arg(
        0,
        f"chunks to mine (seeded games: each seeded by seed and its index; 0 = {SEEDED_CHUNKS}; --pgn: slices of "
        "--games-per-chunk games in file order, 0 = all); --output joins these first chunks",
    )
    games_per_chunk: int = arg(25, "games per chunk")
    seed: int = arg(0, "seed of the games (and of the card's re-verified sample)")
    workers: int = arg(2, "worker processes, one Stockfish each")
    pgn: str = arg("", "mine every position of this PGN file's games instead of seeded games")
    openings: str = arg("", "EPD file the seeded games start from (one position drawn per game); empty: start position")
    mistakes: str = arg("random", f"the seeded games' mistakes: {' or '.join(MISTAKE_KINDS)} (see puzzles.miner)")
    mistake_lines: int = arg(MinerConfig.mistake_lines, "plausible mistakes: the screening search's lines drawn from")
    temperature_cp: float = arg(MinerConfig.temperature_cp, "plausible mistakes: a line's weight is exp(-loss/this)")
    screen_nodes: int = arg(MinerConfig.screen_nodes, "nodes of the screening search")
    verify_nodes: int = arg(MinerConfig.verify_nodes, "nodes of the verifying search")
    random_move_rate: float = arg(MinerConfig.random_move_rate, "chance of a mistake in the seeded games")
    sidelines: int = arg(MinerConfig.sidelines, "mistakes screened at every ply besides the move played")
    unique: bool = arg(False, "with --output: keep one puzzle per position and line (recorded games repeat)")
    join: list[str] = arg([], "instead of mining: join these finished sets into --output (and its --card)")
    card: str = arg("", "with --output: write the set's data card (JSON) here")
    reverify: int = arg(1000, "puzzles of the set re-checked by a deeper search for the card")
    reverify_nodes: int = arg(200_000, "nodes of that deeper search")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.join:
        join(args, command_line(__file__, argv))
        return
    config = settings_from(MinerConfig, args)
    if args.games_per_chunk < 1:
        raise ValueError(f"--games-per-chunk must be at least 1, got {args.games_per_chunk}")
    if args.pgn and (args.openings or args.mistakes != "random"):
        raise ValueError("--openings and --mistakes shape seeded games; --pgn mines recorded games instead")
    if args.pgn:
        games = read_pgn_games(args.pgn)
        total = recorded_chunks(len(games), args.games_per_chunk)
        chunks = min(args.chunks, total) if args.chunks else total
        mined = min(len(games), chunks * args.games_per_chunk)
        source = {"pgn": args.pgn, "pgn_games": len(games), "games_mined": mined}
        work = lambda on_chunk: mine_recorded(  # noqa: E731
            args.out, games, args.games_per_chunk, config, args.workers, on_chunk, chunks
        )
    else:
        chunks = args.chunks or SEEDED_CHUNKS
        start = f"one of the {len(read_openings(args.openings))} positions of {args.openings}" if args.openings else ""
        source = {"seeded_games_from": start or "the start position", "mistakes": args.mistakes}
        work = lambda on_chunk: mine(  # noqa: E731
            args.out, chunks, args.games_per_chunk, args.seed, config, args.workers, on_chunk
        )
    done = len(list(Path(args.out).glob("chunk_*.csv"))) if Path(args.out).is_dir() else 0
    found, seconds = run_chunks("mining", "puzzles", chunks, done, work)
    hours = seconds / 3600
    if found:
        print(f"mined {found} puzzles in {hours * 60:.1f} min: {found / hours:,.0f} puzzles/hour")
    if args.output:
        print(f"wrote {merge_chunks(args.out, args.output, chunks, args.unique)} puzzles to {args.output}")
    if args.output and args.card:
        write_card(args, config, chunks, {**source, "unique": args.unique}, command_line(__file__, argv))


def join(args: Args, command: str) -> None:
    """Joins finished sets (``--join``) into ``--output``, with a card that keeps each part's."""
    if not args.output:
        raise ValueError("--join needs --output, the joined set's file")
    print(f"wrote {join_sets(args.join, args.output, args.unique)} puzzles to {args.output}")
    if args.card:
        save_json(args.card, {"command": command, **joined_card(args.join, args.output)})
        print(f"data card: {args.card}")


def write_card(args: Args, config: MinerConfig, chunks: int, source: dict, command: str) -> None:
    """Writes the data card of ``args.output`` (:func:`puzzles.mined_sets.data_card`) to ``args.card``."""
    card = data_card(
        args.output,
        args.out,
        chunks,
        config,
        args.reverify,
        args.reverify_nodes,
        args.seed,
        args.games_per_chunk,
        source,
    )
    save_json(args.card, {"command": command, **card})
    checked = card["reverified"]
    print(f"data card: {args.card} ({checked['agree']}/{checked['sample']} re-verified)")


if __name__ == "__main__":
    main()
