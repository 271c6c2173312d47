"""Train a thinking network from a named recipe; resumes the run folder if it exists.

python scripts/train.py --recipe prefix_sums --run-dir runs/prefix_sums --export checkpoints/prefix_sums
torchrun --nproc-per-node 2 scripts/train.py --recipe prefix_sums ...   # data-parallel (gloo)
python scripts/train.py --recipe prefix_sums --device cuda --precision bf16   # on a GPU, bfloat16 autocast
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from trainers.cli import arg, command, device_arg, parse_args, precision_arg, threads_arg
from trainers.recipes import RECIPES, SMOKE_TESTS, get_recipe
from trainers.supervised import Trainer


@dataclass
class Args:
    """Train a deep-thinking network on easy instances with the progressive loss."""

    recipe: str = arg("prefix_sums", f"named recipe, one of {sorted(RECIPES)}")
    run_dir: str = arg("", "run folder (state, best checkpoint, metrics); default runs/<recipe>")
    export: str = arg("", "copy the best-on-validation checkpoint to this stem when done, e.g. checkpoints/prefix_sums")
    epochs: int | None = arg(None, "override the recipe's epochs")
    width: int | None = arg(None, "override the network width")
    seed: int | None = arg(None, "override the seed of weights, shuffling and progressive draws")
    fresh_data: bool | None = arg(None, "override: fresh training instances every epoch, or the fixed 80%% split")
    set: list[str] = arg([], "more overrides as key=value (JSON values), e.g. alpha=0.5 network.blocks=1")
    threads: int = threads_arg()
    device: str = device_arg()
    precision: str = precision_arg()
    progress: bool = arg(True, "show a progress bar")


def parse_value(text: str):
    """A JSON value (number, bool, list, null), or the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)

    overrides: dict = {}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.width is not None:
        overrides["network"] = {"width": args.width}
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.fresh_data is not None:
        overrides["fresh_data"] = args.fresh_data
    for item in args.set:
        key, _, value = item.partition("=")
        parsed = parse_value(value)
        if key.startswith("network."):
            overrides.setdefault("network", {})[key.removeprefix("network.")] = parsed
        else:
            overrides[key] = parsed
    config = get_recipe(args.recipe, **overrides)
    if args.recipe in SMOKE_TESTS:
        print(f"note: {args.recipe} is {SMOKE_TESTS[args.recipe]}; expect its accuracy near 0")
    trainer = Trainer(
        config,
        args.run_dir or f"runs/{args.recipe}",
        progress=args.progress,
        name=args.recipe,
        device=args.device,
        precision=args.precision,
    )
    progress = trainer.run()
    if args.export and trainer.rank == 0:
        stem = trainer.export(args.export)
        print(f"exported best checkpoint (epoch {progress['best_epoch']}, val {progress['best_val']:.4f}) to {stem}")


if __name__ == "__main__":
    main()
