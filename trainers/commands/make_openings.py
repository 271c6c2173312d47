"""Make the shipped opening file of balanced positions for paired matches.

python scripts/make_openings.py --count 250 --out puzzles/data/openings.epd
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from puzzles.chess_game import OPENINGS_FILE
from puzzles.openings import make_openings, write_openings
from trainers.cli import arg, command, parse_args


@dataclass
class Args:
    """Seeded Stockfish walks of 6-10 plies, kept when a 50,000-node search scores them within 60 cp."""

    count: int = arg(250, "openings to make")
    seed: int = arg(0, "seed of the walks")
    out: str = arg(str(OPENINGS_FILE), "EPD file to write")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    started = time.perf_counter()
    openings = make_openings(args.count, args.seed)
    header = (
        f"{len(openings)} balanced openings (|Stockfish 50k-node score| <= 60 cp), seed {args.seed}\n"
        f"made by: python scripts/make_openings.py --count {args.count} --seed {args.seed}"
    )
    write_openings(args.out, openings, header)
    print(f"wrote {len(openings)} openings to {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
