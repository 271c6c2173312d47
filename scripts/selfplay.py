"""Self-play for the chess policy: the same weights on both sides, learning from the outcomes; resumable.

    python scripts/selfplay.py --start runs/chess/best --run-dir runs/selfplay --rounds 20 --export runs/selfplay/final

Compare the result with its start in the arena before shipping it:

    python scripts/arena.py --a policy:runs/selfplay/final:think=8 --b policy:runs/chess/best:think=8 --pairs 100
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainers.cli import arg, parse_args, run_main  # noqa: E402
from trainers.selfplay import SelfPlayConfig, SelfPlayTrainer  # noqa: E402

RECIPE = SelfPlayConfig()


@dataclass
class Args:
    """Play the policy against itself and train it on the games (REINFORCE with a value baseline)."""

    start: str = arg(RECIPE.start, "checkpoint to start from (the supervised warm start)")
    run_dir: str = arg("runs/selfplay", "run folder (state with the replay buffer, metrics)")
    export: str = arg("", "write the final weights to this checkpoint stem")
    rounds: int = arg(RECIPE.rounds, "rounds of play-then-train")
    games: int = arg(RECIPE.games, "games per round")
    steps: int = arg(RECIPE.steps, "training batches per round")
    think_schedule: str = arg(json.dumps(RECIPE.think_schedule), "JSON [[round, think], ...]: budget from each round")
    anchor_weight: float = arg(RECIPE.anchor_weight, "weight of the Stockfish-move anchor (0 = pure self-play)")
    anchor_data: str = arg(RECIPE.anchor_data, "labelled positions for the anchor")
    seed: int = arg(RECIPE.seed, "seed of the games and batches")
    threads: int | None = arg(None, "torch intra-op threads (default: torch's choice)")
    progress: bool = arg(True, "show progress bars")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        schedule = json.loads(args.think_schedule)
    except json.JSONDecodeError as error:
        raise ValueError(f"--think-schedule must be JSON like [[0, 8], [10, 16]]: {error}") from None
    config = replace(
        RECIPE,
        start=args.start,
        rounds=args.rounds,
        games=args.games,
        steps=args.steps,
        think_schedule=schedule,
        anchor_weight=args.anchor_weight,
        anchor_data=args.anchor_data,
        seed=args.seed,
    )
    trainer = SelfPlayTrainer(config, args.run_dir, progress=args.progress)
    progress = trainer.run()
    print(f"self-play: {progress['round']} rounds, {progress['games']} games, {progress['positions']} positions")
    if args.export:
        print(f"exported to {trainer.export(args.export)}")


if __name__ == "__main__":
    run_main(main, resumable=True)
