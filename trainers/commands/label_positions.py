"""Label chess positions with Stockfish for the policy's warm start, resumably, on every core.

    python scripts/label_positions.py --out data/positions --chunks 300 --games-per-chunk 10

Chunks already in ``--out`` are kept, so a killed run resumes; ``data/positions/card.json`` records the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from puzzles.chess_positions import PositionConfig, chunk_name, generate_positions
from puzzles.storage import save_json
from trainers.cli import arg, command, command_line, parse_args, run_chunks, settings_from


@dataclass
class Args:
    """Play seeded engine and random games and label every position with Stockfish's best move and score."""

    out: str = arg("data/positions", "folder of chunk .npz files (resumable)")
    chunks: int = arg(300, "chunks to label (each seeded by seed and its index)")
    games_per_chunk: int = arg(10, "games played per chunk")
    seed: int = arg(0, "seed of the games")
    workers: int = arg(2, "worker processes, one Stockfish each")
    label_nodes: int = arg(PositionConfig.label_nodes, "Stockfish nodes per labelled position")
    random_side_rate: float = arg(PositionConfig.random_side_rate, "chance that one side plays at random")
    random_move_rate: float = arg(PositionConfig.random_move_rate, "chance of a random move otherwise")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    label_in_chunks(
        args, settings_from(PositionConfig, args), chunk_name, generate_positions, command_line(__file__, argv)
    )


def label_in_chunks(args: Any, config: Any, chunk_name: Callable, generate: Callable, command: str) -> None:
    """Writes ``<args.out>/card.json`` (the command and settings), then labels the chunks ``args.out`` lacks with
    ``generate`` (:func:`puzzles.chess_positions.generate_positions` or :func:`puzzles.chess_ladder.generate_ladder`)
    under a progress bar, and says how fast it went."""
    card = {
        "command": command,
        "seed": args.seed,
        "chunks": args.chunks,
        "games_per_chunk": args.games_per_chunk,
        "config": config.to_dict(),
    }
    save_json(Path(args.out) / "card.json", card)
    done = sum((Path(args.out) / chunk_name(i)).exists() for i in range(args.chunks))
    labelled, seconds = run_chunks(
        "labelling",
        "positions",
        args.chunks,
        done,
        lambda on_chunk: generate(
            args.out, args.chunks, args.games_per_chunk, args.seed, config, args.workers, on_chunk
        ),
    )
    if labelled:
        print(f"labelled {labelled} positions in {seconds / 60:.1f} min: {labelled / seconds:.1f} positions/s")


if __name__ == "__main__":
    main()
