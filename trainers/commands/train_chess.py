"""Warm-start the chess policy on Stockfish-labelled positions; resumes the run folder if it exists.

python scripts/label_positions.py --out data/positions --chunks 300      # the data (resumable)
python scripts/train_chess.py --run-dir runs/chess --export checkpoints/chess
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trainers.chess_supervised import ChessTrainConfig, ChessTrainer
from trainers.cli import arg, command, parse_args, threads_arg

RECIPE = ChessTrainConfig()


@dataclass
class Args:
    """Train the DT-Recall chess policy-value network with the progressive loss."""

    data: str = arg(RECIPE.data, "folder of labelled position chunks")
    run_dir: str = arg("runs/chess", "run folder (state, best checkpoint, metrics)")
    export: str = arg("", "copy the best-on-validation checkpoint to this stem when done, e.g. checkpoints/chess")
    epochs: int = arg(RECIPE.epochs, "passes over the training positions")
    width: int = arg(RECIPE.network["width"], "channels of the thought")
    max_iters: int = arg(RECIPE.max_iters, "iterations of the training regime")
    threads: int = threads_arg()
    progress: bool = arg(True, "show a progress bar")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)

    network = {**RECIPE.network, "width": args.width}
    config = replace(RECIPE, data=args.data, epochs=args.epochs, network=network, max_iters=args.max_iters)
    trainer = ChessTrainer(config, args.run_dir, progress=args.progress)
    progress = trainer.run()
    if args.export:
        stem = trainer.export(args.export)
        print(f"exported best checkpoint (epoch {progress['best_epoch']}, agreement {progress['best']:.4f}) to {stem}")


if __name__ == "__main__":
    main()
