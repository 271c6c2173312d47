"""The README's environment table in one command: each family's shipped solver as a policy, at its training
level and harder ones, beside Stable-Baselines3 baselines trained at the easy level (``scripts/train_sb3.py``).

    python scripts/env_table.py --episodes 200 --baselines runs/sb3/mazenav_ppo_cnn runs/sb3/sudokufill_maskable_cnn

Every policy meets the same episodes (episode ``j`` of a level is reset with ``seed + j``). Prints a
Markdown table and writes it, with the full reports, to ``<out>/env_table.md`` and ``<out>/env_table.json``.
A family whose checkpoint is not shipped is left out with a note.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from rich.console import Console  # noqa: E402

from agents.checkpoint import resolve_checkpoint  # noqa: E402
from agents.solver import load_solver  # noqa: E402
from agents.solver_policy import SolverPolicy  # noqa: E402
from puzzles.storage import atomic_write, save_json  # noqa: E402
from trainers.cli import arg, command_line, parse_args, run_main  # noqa: E402
from trainers.rollouts import evaluate_rollouts  # noqa: E402

#: family, environment, shipped checkpoint, difficulty keyword, levels (the training level first).
FAMILIES = (
    ("prefix sums", "DeepThink/PrefixSums-v0", "prefix_sums", "size", (32, 64, 128, 512)),
    ("mazes", "DeepThink/MazeNav-v0", "mazes", "size", (9, 13, 19, 33)),
    ("Sudoku", "DeepThink/SudokuFill-v0", "sudoku", "givens", (36, 30, 27, 24)),
)


@dataclass
class Args:
    """Success rates of the shipped solver policies and SB3 baselines, per family and difficulty."""

    episodes: int = arg(200, "episodes per policy and level")
    num_envs: int = arg(50, "environments stepped together")
    seed: int = arg(1234, "episode j of a level is reset with seed + j")
    baselines: list[str] = arg([], "run folders of scripts/train_sb3.py to put beside the solvers")
    threads: int = arg(0, "torch threads (0 = torch's default)")
    out: str = arg("reports", "folder for env_table.md and env_table.json")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console()
    baselines = [load_baseline(Path(folder)) for folder in args.baselines]
    rows, notes = [], []
    for family, env_id, checkpoint, knob, levels in FAMILIES:
        try:
            resolve_checkpoint(checkpoint)
        except FileNotFoundError:
            notes.append(f"{family}: no shipped checkpoint `{checkpoint}` yet")
            continue
        solver = load_solver(checkpoint)
        policies = [(f"`{checkpoint}` solver, think = {solver.default_think}", SolverPolicy(solver))]
        policies += [(name, policy) for name, env, policy in baselines if env == env_id]
        for name, policy in policies:
            for level in levels:
                report = evaluate_rollouts(env_id, policy, args.episodes, args.num_envs, args.seed, **{knob: level})
                rows.append({"family": family, "policy": name, "level": f"{knob} {level}", **report})
                console.print(f"{family}, {name}, {knob} {level}: {100 * report['success_rate']:.1f}%")

    lines = [
        "| family | environment | policy | level | solved (95% interval) | episodes |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        low, high = r["interval"]
        solved = f"{100 * r['success_rate']:.1f}% ({100 * low:.1f}-{100 * high:.1f})"
        lines.append(f"| {r['family']} | `{r['env_id']}` | {r['policy']} | {r['level']} | {solved} | {r['episodes']} |")
    table = "\n".join(lines + [""] + [f"- {note}" for note in notes])
    console.print(table)
    out = Path(args.out)
    atomic_write(out / "env_table.md", lambda tmp: Path(tmp).write_text(table + "\n"))
    save_json(out / "env_table.json", {"command": command_line(__file__, argv), "rows": rows, "notes": notes})
    console.print(f"wrote {out / 'env_table.md'} and {out / 'env_table.json'}")


def load_baseline(folder: Path) -> tuple[str, str, object]:
    """``(name, env id, policy)`` of a ``scripts/train_sb3.py`` run folder."""
    from trainers.sb3_baselines import SB3Policy, load_model

    card_path = folder / "card.json"
    if not card_path.exists():
        raise FileNotFoundError(f"{folder} is not a train_sb3.py run folder (no card.json)")
    card = json.loads(card_path.read_text())
    model = load_model(folder / card["model"], card["algo"])
    ((knob, level),) = card["train_level"].items()
    # Actions are chosen as the run's own evaluation chose them (a greedy walker can loop where a sampling one
    # gets out, so train_sb3.py lets a run pick).
    deterministic = card["args"].get("deterministic", True)
    name = f"{card['algo']} + {card['extractor']}, {card['timesteps']:,} steps at {knob} {level}"
    name += "" if deterministic else ", sampled actions"
    return name, card["env_id"], SB3Policy(model, deterministic=deterministic)


if __name__ == "__main__":
    run_main(main)
