"""Train the chess player on ladder-labelled positions so that its iterations count; resumes the run folder.

    python scripts/label_ladder.py --out data/ladder --chunks 400                     # the data (resumable)
    python scripts/train_chess_ladder.py --run-dir runs/chess_ladder --chunks 200 --threads 1
    python scripts/train_chess_ladder.py --run-dir runs/chess_top --targets top        # ablation: one target
    python scripts/train_chess_ladder.py --run-dir runs/chess_prog --depth progressive # ablation: 8 iterations

Every flag left out keeps the recipe's value (:class:`trainers.chess_thinking.ThinkingChessConfig`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trainers.chess_thinking import ThinkingChessConfig, ThinkingChessTrainer
from trainers.cli import arg, command, parse_args, threads_arg

RECIPE = ThinkingChessConfig()


@dataclass
class Args:
    """Train the DT-Recall chess policy-value network at random depths against a ladder of Stockfish targets."""

    data: str = arg(RECIPE.data, "folder of ladder chunks (scripts/label_ladder.py)")
    chunks: int = arg(RECIPE.chunks, "read the first CHUNKS chunks (their training and validation games)")
    run_dir: str = arg("runs/chess_ladder", "run folder (state, best checkpoint, metrics)")
    export: str = arg("", "copy the best-on-validation checkpoint to this stem when done, e.g. checkpoints/chess")
    steps: int = arg(RECIPE.steps, "optimiser steps")
    width: int = arg(RECIPE.network["width"], "channels of the thought")
    blocks: int = arg(RECIPE.network["blocks"], "residual blocks per iteration")
    depth: str = arg(RECIPE.depth, "random (log-uniform 1..max-depth, truncated backpropagation) or progressive")
    max_depth: int = arg(RECIPE.max_depth, "the longest unroll drawn")
    bptt: int = arg(RECIPE.bptt, "iterations backpropagated through (and scored) at the end of an unroll")
    targets: str = arg(RECIPE.targets, "ladder (deeper searches for later iterations) or top (the deepest for all)")
    lr: float = arg(RECIPE.lr, "peak learning rate (AdamW; cosine decay to the last step)")
    warmup_steps: int = arg(RECIPE.warmup_steps, "steps of linear warm-up")
    batch_size: int = arg(RECIPE.batch_size, "positions per step")
    max_iters: int = arg(RECIPE.max_iters, "progressive depth: the training regime's iterations")
    eval_every: int = arg(RECIPE.eval_every, "steps between validations")
    seed: int = arg(RECIPE.seed, "seed of weights, batches and depths")
    device: str = arg("cpu", "cpu, cuda (bfloat16 autocast) or mps")
    max_minutes: float | None = arg(None, "stop after this many minutes of training (saved; rerun to resume)")
    threads: int = threads_arg()
    progress: bool = arg(True, "show a progress bar")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)

    network = {**RECIPE.network, "width": args.width, "blocks": args.blocks}
    names = ("data", "chunks", "steps", "depth", "max_depth", "bptt", "targets", "lr", "warmup_steps", "batch_size")
    chosen = {name: getattr(args, name) for name in (*names, "max_iters", "eval_every", "seed")}
    config = replace(RECIPE, network=network, **chosen)
    max_seconds = None if args.max_minutes is None else 60 * args.max_minutes
    trainer = ThinkingChessTrainer(config, args.run_dir, args.progress, args.device, max_seconds)
    progress = trainer.run()
    if progress["step"] < config.steps:
        print(f"stopped at step {progress['step']} of {config.steps}; the same command resumes the run")
        return
    if args.export:
        stem = trainer.export(args.export)
        print(f"exported the best checkpoint (step {progress['best_step']}, {progress['best']:.4f}) to {stem}")


if __name__ == "__main__":
    main()
