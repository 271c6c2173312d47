"""The README's environment table in one command: each family's shipped solver as a policy, at its training
level and harder ones, beside Stable-Baselines3 baselines trained at the easy level (``scripts/train_sb3.py``).

    python scripts/env_table.py --episodes 200 --baselines runs/sb3/mazenav_ppo_cnn runs/sb3/sudokufill_maskable_cnn

Every policy meets the same episodes (episode ``j`` of a level is reset with ``seed + j``). Prints a
Markdown table and writes it, with the full reports, to ``<out>/env_table.md`` and ``<out>/env_table.json``.
A family whose checkpoint or data (the chess puzzle set) is not shipped is left out with a note, and so is a
level its environment has no puzzle for. A baseline that cannot act at a level (SB3's ``MultiBinary`` action
head has its training length, so a prefix-sums baseline plays only its training size) gets an "n/a" row there,
with the reason in the notes.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gymnasium as gym  # noqa: E402
import torch  # noqa: E402
from rich.console import Console  # noqa: E402

import envs  # noqa: E402, F401  (registers the DeepThink/ ids)
from agents.checkpoint import resolve_checkpoint  # noqa: E402
from agents.solver import load_solver  # noqa: E402
from agents.solver_policy import SolverPolicy  # noqa: E402
from puzzles.storage import atomic_write, save_json  # noqa: E402
from trainers.cli import arg, command_line, parse_args, run_main  # noqa: E402
from trainers.rollouts import evaluate_rollouts  # noqa: E402


@dataclass(frozen=True)
class Family:
    """One puzzle family of the table: its environment, shipped checkpoint and difficulty levels.

    Attributes:
        name: as the table prints it.
        env_id: the environment the solver plays as a policy.
        checkpoint: the shipped solver's name.
        knob: the difficulty keyword of ``gym.make``.
        levels: its values, the training level first; a ``(low, high)`` tuple for a range knob.
        make_kwargs: further ``gym.make`` keywords, fixed for every level (e.g. the chess puzzles' split).
    """

    name: str
    env_id: str
    checkpoint: str
    knob: str
    levels: tuple[Any, ...]
    make_kwargs: dict[str, Any] = field(default_factory=dict)

    def env_kwargs(self, level: Any) -> dict[str, Any]:
        """The ``gym.make`` keywords of one level."""
        return {**self.make_kwargs, self.knob: level}


FAMILIES = (
    Family("prefix sums", "DeepThink/PrefixSums-v0", "prefix_sums", "size", (32, 64, 128, 512)),
    Family("mazes", "DeepThink/MazeNav-v0", "mazes", "size", (9, 13, 19, 33)),
    Family("Sudoku", "DeepThink/SudokuFill-v0", "sudoku", "givens", (36, 30, 27, 24)),
    # Difficulty: the plies a material search needs (1..5); held-out puzzles only, which training never saw.
    Family(
        "chess puzzles",
        "DeepThink/ChessPuzzle-v0",
        "chess_puzzles",
        "difficulty",
        ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5)),
        {"split": "held_out"},
    ),
)


def level_label(knob: str, level: Any) -> str:
    """A level as the table prints it: ``size 13``, or ``difficulty 3`` for the range ``(3, 3)``."""
    if isinstance(level, (tuple, list)) and len(level) == 2:
        low, high = level
        return f"{knob} {low}" if low == high else f"{knob} {low}-{high}"
    return f"{knob} {level}"


def playable_levels(family: Family, notes: list[str]) -> list[Any]:
    """The family's levels its environment can be made at; what cannot (no data file, an empty level) becomes
    a note, so a missing puzzle set skips the row instead of ending the run."""
    levels = []
    for level in family.levels:
        try:
            gym.make(family.env_id, **family.env_kwargs(level)).close()
        except FileNotFoundError as error:
            notes.append(f"{family.name}: {error}")
            return []
        except ValueError as error:
            notes.append(f"{family.name}, {level_label(family.knob, level)}: left out ({error})")
            continue
        levels.append(level)
    return levels


@dataclass
class Args:
    """Success rates of the shipped solver policies and SB3 baselines, per family and difficulty."""

    episodes: int = arg(200, "episodes per policy and level")
    num_envs: int = arg(50, "environments stepped together")
    seed: int = arg(1234, "episode j of a level is reset with seed + j")
    baselines: list[str] = arg([], "run folders of scripts/train_sb3.py to put beside the solvers")
    families: list[str] = arg([], "only these families, by name (default: all)")
    threads: int = arg(0, "torch threads (0 = torch's default)")
    out: str = arg("reports", "folder for env_table.md and env_table.json")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console()
    unknown = set(args.families) - {family.name for family in FAMILIES}
    if unknown:
        raise ValueError(f"unknown families {sorted(unknown)}; known: {[family.name for family in FAMILIES]}")
    baselines = [load_baseline(Path(folder)) for folder in args.baselines]
    rows, notes = [], []
    for family in FAMILIES:
        if args.families and family.name not in args.families:
            continue
        try:
            resolve_checkpoint(family.checkpoint)
        except FileNotFoundError:
            notes.append(f"{family.name}: no shipped checkpoint `{family.checkpoint}` yet")
            continue
        levels = playable_levels(family, notes)
        if not levels:
            continue
        solver = load_solver(family.checkpoint)
        policies = [(f"`{family.checkpoint}` solver, think = {solver.default_think}", SolverPolicy(solver))]
        policies += [(name, policy) for name, env, policy in baselines if env == family.env_id]
        for name, policy in policies:
            unplayable: dict[str, list[str]] = {}  # reason -> the levels it rules out
            for level in levels:
                kwargs = family.env_kwargs(level)
                label = level_label(family.knob, level)
                reason = cannot_act(policy, family.env_id, kwargs)
                if reason is not None:
                    unplayable.setdefault(reason, []).append(label)
                    row = {"env_id": family.env_id, "env_kwargs": kwargs, "skipped": reason}
                    rows.append({"family": family.name, "policy": name, "level": label, **row})
                    console.print(f"{family.name}, {name}, {label}: n/a ({reason})")
                    continue
                report = evaluate_rollouts(family.env_id, policy, args.episodes, args.num_envs, args.seed, **kwargs)
                rows.append({"family": family.name, "policy": name, "level": label, **report})
                console.print(f"{family.name}, {name}, {label}: {100 * report['success_rate']:.1f}%")
            notes += [f"{family.name}, {name}: n/a at {', '.join(at)} ({why})" for why, at in unplayable.items()]

    lines = [
        "| family | environment | policy | level | solved (95% interval) | episodes |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "skipped" in r:
            solved, episodes = "n/a", "-"
        else:
            low, high = r["interval"]
            solved, episodes = f"{100 * r['success_rate']:.1f}% ({100 * low:.1f}-{100 * high:.1f})", r["episodes"]
        lines.append(f"| {r['family']} | `{r['env_id']}` | {r['policy']} | {r['level']} | {solved} | {episodes} |")
    table = "\n".join(lines + [""] + [f"- {note}" for note in notes])
    console.print(table)
    out = Path(args.out)
    atomic_write(out / "env_table.md", lambda tmp: Path(tmp).write_text(table + "\n"))
    save_json(out / "env_table.json", {"command": command_line(__file__, argv), "rows": rows, "notes": notes})
    console.print(f"wrote {out / 'env_table.md'} and {out / 'env_table.json'}")


def cannot_act(policy: Any, env_id: str, env_kwargs: dict[str, Any]) -> str | None:
    """Why ``policy`` cannot play ``env_id`` at these keywords, if it says (SB3 baselines do), else ``None``."""
    check = getattr(policy, "cannot_act", None)
    if check is None:
        return None
    with gym.make(env_id, **env_kwargs) as env:
        return check(env.action_space)


def load_baseline(folder: Path) -> tuple[str, str, object]:
    """``(name, env id, policy)`` of a ``scripts/train_sb3.py`` run folder."""
    from trainers.sb3_baselines import MODEL_FILE, SB3Policy, load_model

    card_path = folder / "card.json"
    if not card_path.exists():
        raise FileNotFoundError(f"{folder} is not a train_sb3.py run folder (no card.json)")
    card = json.loads(card_path.read_text())
    model = load_model(folder / MODEL_FILE)  # always the folder's own file, whatever the card says
    ((knob, level),) = card["train_level"].items()
    # Actions are chosen as the run's own evaluation chose them (a greedy walker can loop where a sampling one
    # gets out, so train_sb3.py lets a run pick).
    deterministic = card["args"].get("deterministic", True)
    name = f"{card['algo']} + {card['extractor']}, {card['timesteps']:,} steps at {knob} {level}"
    name += "" if deterministic else ", sampled actions"
    name += ", partial-credit reward" if card.get("train_env_kwargs", {}).get("partial_credit") else ""
    return name, card["env_id"], SB3Policy(model, deterministic=deterministic)


if __name__ == "__main__":
    run_main(main)
