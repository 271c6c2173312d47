"""Train a Stable-Baselines3 baseline on an easy puzzle level, then evaluate it at harder levels.

    python scripts/train_sb3.py --env DeepThink/MazeNav-v0 --algo ppo --extractor cnn --size 9 --timesteps 100000
    python scripts/train_sb3.py --env DeepThink/MazeNav-v0 --extractor thinker --eval-sizes 9 13 19 --eval-iters 20 60
    python scripts/train_sb3.py --env DeepThink/SudokuFill-v0 --algo maskable_ppo --size 36 --eval-sizes 36 30 24
    python scripts/train_sb3.py --env DeepThink/PrefixSums-v0 --algo ppo --extractor cnn --size 32 --eval-sizes 32 64

PPO (or MaskablePPO, which SudokuFill-v0 needs) learns at the training level (``--size``: the maze size or the
bits of a prefix-sums string, or the number of givens for Sudoku) on ``--n-envs`` vectorised environments, with
a features extractor from :mod:`trainers.sb3_baselines`; then the policy plays ``--eval-episodes`` episodes at
every level of ``--eval-sizes`` (the thinker also at every iteration count of ``--eval-iters``) through
:func:`trainers.rollouts.evaluate_rollouts`, scored as the README's table scores it (prefix sums: exact answers).

Prefix sums train with partial credit (reward = fraction of bits right) unless ``--no-partial-credit``: an
exact-match reward on 32 bits is never earned by chance. Their policy answers with a ``MultiBinary(n)`` action
head of the training length, so other lengths get a ``skipped`` result, with the reason, instead of a score.

The run folder ``--out`` (default ``runs/sb3/<env>_<algo>_<extractor>_seed<seed>``) gets ``model.safetensors``, the
policy's weights with the settings that rebuild it (nothing pickled: :func:`trainers.sb3_baselines.load_model`),
and ``card.json``: command, settings, the training environments' keywords,
timesteps, seconds, hardware, and ``results``, one entry per level (and thinker iteration count). Files are
written atomically, the card again after every evaluated level; a rerun in the same folder starts over and
replaces them, except with ``--evaluate-only``, which loads them and evaluates only what the card lacks.

Evaluation can cost more than training: an episode the policy fails runs to the step cap (MazeNav: four times
the maze's open elements, about 800 steps at size 19), and a memoryless deterministic policy that fails loops
until then. ``--no-deterministic`` samples actions instead.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gymnasium
import sb3_contrib
import stable_baselines3
from rich.console import Console
from rich.table import Table
from stable_baselines3.common.base_class import BaseAlgorithm

from puzzles.storage import save_json
from trainers.cards import code_version, hardware
from trainers.cli import arg, command, command_line, parse_args, threads_arg
from trainers.run import lock_run_dir
from trainers.sb3_baselines import (
    CARD_FILE,
    MODEL_FILE,
    SB3Policy,
    baseline_setup,
    evaluate_run,
    load_model,
    make_model,
    save_model,
)


@dataclass
class Args:
    """Train a PPO / MaskablePPO baseline at an easy puzzle level and evaluate it at harder ones."""

    env: str = arg("DeepThink/MazeNav-v0", "environment id: DeepThink/MazeNav-v0, SudokuFill-v0 or PrefixSums-v0")
    algo: str = arg("ppo", "ppo or maskable_ppo (SudokuFill-v0 needs maskable_ppo)")
    extractor: str = arg("cnn", "features extractor: cnn, or thinker (MazeNav-v0 only, a recurrent DT-Recall block)")
    size: int | None = arg(None, "training level: maze size (default 9), Sudoku givens (36) or prefix-sums bits (32)")
    partial_credit: bool | None = arg(
        None, "PrefixSums-v0: train on the fraction of bits right (default on); evaluation scores exact answers"
    )
    timesteps: int = arg(100_000, "environment steps to train for")
    n_envs: int = arg(8, "environments stepped together while training")
    n_steps: int = arg(128, "steps per environment per PPO rollout")
    batch_size: int = arg(256, "PPO minibatch size")
    n_epochs: int = arg(10, "PPO epochs per rollout")
    learning_rate: float = arg(3e-4, "Adam learning rate")
    ent_coef: float = arg(0.01, "entropy bonus coefficient")
    width: int | None = arg(None, "extractor channels (default 32 for cnn, 16 for thinker)")
    layers: int | None = arg(None, "cnn: convolutions (mazes, bits) or Sudoku blocks (default: the extractor's own)")
    iters: int | None = arg(None, "thinker: iterations while training (default: the extractor's own, 10)")
    seed: int = arg(0, "seed of the model and the training environments")
    out: str = arg("", "run folder; default runs/sb3/<env>_<algo>_<extractor>_seed<seed>")
    eval_sizes: list[int] = arg([], "levels to evaluate (default 9 13 19 mazes, 36 30 24 givens, 32 64 128 512 bits)")
    eval_iters: list[int] = arg([20, 60], "thinker: also evaluate at these iteration counts")
    eval_episodes: int = arg(200, "episodes per level (and iteration count)")
    eval_envs: int = arg(16, "environments stepped together while evaluating")
    eval_seed: int = arg(1234, "episode j of an evaluation is reset with eval_seed + j")
    deterministic: bool = arg(True, "evaluate with the most likely action (--no-deterministic samples actions)")
    device: str = arg("auto", "torch device: auto, cpu or cuda")
    threads: int = threads_arg()
    verbose: int = arg(0, "SB3 verbosity: 0 quiet, 1 training statistics")
    evaluate_only: bool = arg(
        False,
        "skip training: load the run folder's model and card and evaluate the levels (and thinker budgets of "
        "--eval-iters) the card does not have yet",
    )


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    console = Console()
    family = baseline_setup(args.env, args.algo, args.extractor)  # a clear ValueError for a bad combination
    level = family.train_level if args.size is None else args.size
    eval_levels = args.eval_sizes or list(family.baseline.eval_levels)
    extractor_kwargs = {
        key: value
        for key, value in (("width", args.width), ("layers", args.layers), ("iters", args.iters))
        if value is not None
    }
    if args.extractor == "thinker" and "layers" in extractor_kwargs:
        raise ValueError("--layers sets the cnn's depth; the thinker's depth is --iters")
    if args.extractor == "cnn" and "iters" in extractor_kwargs:
        raise ValueError("--iters sets the thinker's iterations; the cnn's depth is --layers")
    if args.timesteps < 1 or args.eval_episodes < 1 or min(args.eval_iters, default=1) < 1:
        raise ValueError("--timesteps, --eval-episodes and every --eval-iters must be positive")
    env_kwargs = dict(family.baseline.train_env_kwargs)
    if args.partial_credit is not None:
        if "partial_credit" not in env_kwargs:
            raise ValueError(f"--partial-credit is an option of DeepThink/PrefixSums-v0, not of {args.env}")
        env_kwargs["partial_credit"] = args.partial_credit
    # A bad level fails now, not after training.
    gymnasium.make(args.env, **{**family.train_kwargs(level), **env_kwargs}).close()
    for checked in eval_levels:
        gymnasium.make(args.env, **family.level_kwargs(checked)).close()
    out = Path(args.out or f"runs/sb3/{args.env.split('/')[-1]}_{args.algo}_{args.extractor}_seed{args.seed}")
    out.mkdir(parents=True, exist_ok=True)
    with lock_run_dir(out):  # two trainers never write one folder
        if args.evaluate_only:
            card = json.loads((out / CARD_FILE).read_text())
            model = load_model(out / MODEL_FILE, device=args.device)
            console.print(f"loaded {out / MODEL_FILE}, trained {card['timesteps']} steps")
        else:
            model, card = train(args, family.knob, level, extractor_kwargs, env_kwargs, out, argv, console)
        policy = SB3Policy(model, deterministic=args.deterministic)
        budgets = (args.eval_iters, args.eval_episodes, args.eval_envs, args.eval_seed)
        evaluate_run(policy, card, out / CARD_FILE, family.policy_env, eval_levels, *budgets)

    table = Table(title=f"{args.algo} + {args.extractor} on {args.env}, trained at {family.knob} {level}")
    for column in (family.knob, "iters", "episodes", "success %", "interval %", "mean return", "episodes/s"):
        table.add_column(column, justify="right")
    skipped = []
    for r in card["results"]:
        if "skipped" in r:
            skipped.append(f"{family.knob} {r['level']}: not evaluated, {r['skipped']}")
            table.add_row(str(r["level"]), str(r.get("iters", "-")), "0", "n/a", "n/a", "n/a", "n/a")
            continue
        low, high = r["interval"]
        table.add_row(
            str(r["level"]),
            str(r.get("iters", "-")),
            str(r["episodes"]),
            f"{100 * r['success_rate']:.1f}",
            f"{100 * low:.1f}-{100 * high:.1f}",
            f"{r['mean_return']:.3f}",
            f"{r['episodes_per_second']:.1f}",
        )
    console.print(table)
    for line in skipped:
        console.print(line)
    console.print(f"wrote {out / CARD_FILE}")


def train(
    args: Args,
    knob: str,
    level: int,
    extractor_kwargs: dict[str, int],
    env_kwargs: dict[str, Any],
    out: Path,
    argv: list[str] | None,
    console: Console,
) -> tuple[BaseAlgorithm, dict]:
    """Trains at ``level`` (environments made with ``env_kwargs``) and saves the model and its card."""
    model = make_model(
        args.env,
        args.algo,
        args.extractor,
        level=level,
        n_envs=args.n_envs,
        seed=args.seed,
        extractor_kwargs=extractor_kwargs,
        device=args.device,
        env_kwargs=env_kwargs,
        n_steps=args.n_steps,
        batch_size=min(args.batch_size, args.n_steps * args.n_envs),
        n_epochs=args.n_epochs,
        learning_rate=args.learning_rate,
        ent_coef=args.ent_coef,
        verbose=args.verbose,
    )
    console.print(f"training {args.algo} with the {args.extractor} extractor on {args.env} {knob}={level}")
    started = time.perf_counter()
    model.learn(total_timesteps=args.timesteps)
    seconds = time.perf_counter() - started
    save_model(model, out / MODEL_FILE)
    train_iters = getattr(model.policy.pi_features_extractor, "iters", None)  # None without a thinker
    card = {
        "command": command_line(__file__, argv),
        "env_id": args.env,
        "algo": args.algo,
        "extractor": args.extractor,
        "extractor_kwargs": extractor_kwargs,
        "train_level": {knob: level},
        "train_env_kwargs": env_kwargs,
        **({"train_iters": train_iters} if train_iters else {}),
        "args": asdict(args),
        "timesteps": int(model.num_timesteps),
        "seconds": round(seconds, 1),
        "hardware": hardware(),
        "code": code_version(),
        "versions": {"stable_baselines3": stable_baselines3.__version__, "sb3_contrib": sb3_contrib.__version__},
        "results": [],
    }
    save_json(out / CARD_FILE, card)
    console.print(f"trained {model.num_timesteps} steps in {seconds:.0f} s; wrote {out / MODEL_FILE}")
    return model, card


if __name__ == "__main__":
    main()
