"""Label chess positions at a ladder of Stockfish node budgets (the chess player's iteration-indexed targets).

    python scripts/label_ladder.py --out data/ladder --chunks 400 --games-per-chunk 10 --workers 1

Chunks already in ``--out`` are kept, so a killed run resumes; ``--out/card.json`` records the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from puzzles.chess_ladder import LadderConfig, chunk_name, generate_ladder
from trainers.cli import arg, command, command_line, parse_args
from trainers.commands.label_positions import label_in_chunks


@dataclass
class Args:
    """Play seeded realistic games and label every position with Stockfish at every node budget of the ladder."""

    out: str = arg("data/ladder", "folder of chunk .npz files (resumable)")
    chunks: int = arg(400, "chunks to label (each seeded by seed and its index)")
    games_per_chunk: int = arg(10, "games played per chunk")
    seed: int = arg(0, "seed of the games")
    workers: int = arg(1, "worker processes, one Stockfish each")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    label_in_chunks(args, LadderConfig(), chunk_name, generate_ladder, command_line(__file__, argv))


if __name__ == "__main__":
    main()
