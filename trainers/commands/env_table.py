"""The README's environment table in one command: each family's shipped solver as a policy, at its training
level and harder ones, beside Stable-Baselines3 baselines trained at the easy level (``scripts/train_sb3.py``).

    python scripts/env_table.py --episodes 200 --baselines runs/sb3/mazenav_ppo_cnn runs/sb3/sudokufill_maskable_cnn

The families and their levels are those of the family registry (:mod:`puzzles.families`); each solver plays its
family's policy environment. Every policy meets the same episodes (episode ``j`` of a level is reset with ``seed +
j``). Prints a Markdown table and writes it, with the full reports, to ``<out>/env_table.md`` and
``<out>/env_table.json``. A family whose checkpoint or data (the chess puzzle set) is not shipped is left out with a
note, and so is a level its environment has no puzzle for. A baseline that cannot act at a level (SB3's
``MultiBinary`` action head has its training length, so a prefix-sums baseline plays only its training size) gets an
"n/a" row there, with the reason in the notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
from rich.console import Console

import envs  # noqa: F401  (registers the DeepThink/ ids)
from agents.checkpoint import resolve_checkpoint
from agents.solver import load_solver
from agents.solver_policy import SolverPolicy
from puzzles.families import FAMILIES, Family
from puzzles.storage import atomic_write, save_json
from trainers.cli import arg, command, command_line, parse_args, threads_arg
from trainers.rollouts import evaluate_rollouts


def table_families() -> list[Family]:
    """The registry's families with a shipped solver to play and levels to play it at, in registry order."""
    return [f for f in FAMILIES.values() if f.checkpoint and f.policy_env and f.levels]


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
            gym.make(family.policy_env, **family.level_kwargs(level)).close()
        except FileNotFoundError as error:
            notes.append(f"{family.title}: {error}")
            return []
        except ValueError as error:
            notes.append(f"{family.title}, {level_label(family.knob, level)}: left out ({error})")
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
    threads: int = threads_arg()
    out: str = arg("reports", "folder for env_table.md and env_table.json")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    families = table_families()
    titles = [family.title for family in families]
    unknown = set(args.families) - set(titles)
    if unknown:
        raise ValueError(f"unknown families {sorted(unknown)}; known: {titles}")
    chosen = [family for family in families if not args.families or family.title in args.families]
    write_env_table(args, chosen, command_line(__file__, argv))


def write_env_table(args: Args, families: Iterable[Family], command: str) -> None:
    """Plays every policy of ``families`` at every level, then prints and writes the table."""
    console = Console()
    from trainers.sb3_baselines import load_baseline  # SB3 is an optional extra: imported only when asked for

    baselines = [load_baseline(Path(folder)) for folder in args.baselines]
    rows, notes = [], []
    for family in families:
        try:
            resolve_checkpoint(family.checkpoint)
        except FileNotFoundError:
            notes.append(f"{family.title}: no shipped checkpoint `{family.checkpoint}` yet")
            continue
        levels = playable_levels(family, notes)
        if not levels:
            continue
        env_id = family.policy_env
        solver = load_solver(family.checkpoint)
        policies = [(f"`{family.checkpoint}` solver, think = {solver.default_think}", SolverPolicy(solver))]
        policies += [(name, policy) for name, env, policy in baselines if env == env_id]
        for name, policy in policies:
            unplayable: dict[str, list[str]] = {}  # reason -> the levels it rules out
            for level in levels:
                kwargs = family.level_kwargs(level)
                label = level_label(family.knob, level)
                reason = cannot_act(policy, env_id, kwargs)
                if reason is not None:
                    unplayable.setdefault(reason, []).append(label)
                    row = {"env_id": env_id, "env_kwargs": kwargs, "skipped": reason}
                    rows.append({"family": family.title, "policy": name, "level": label, **row})
                    console.print(f"{family.title}, {name}, {label}: n/a ({reason})")
                    continue
                report = evaluate_rollouts(env_id, policy, args.episodes, args.num_envs, args.seed, **kwargs)
                rows.append({"family": family.title, "policy": name, "level": label, **report})
                console.print(f"{family.title}, {name}, {label}: {100 * report['success_rate']:.1f}%")
            notes += [f"{family.title}, {name}: n/a at {', '.join(at)} ({why})" for why, at in unplayable.items()]

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
    save_json(out / "env_table.json", {"command": command, "rows": rows, "notes": notes})
    console.print(f"wrote {out / 'env_table.md'} and {out / 'env_table.json'}")


def cannot_act(policy: Any, env_id: str, env_kwargs: dict[str, Any]) -> str | None:
    """Why ``policy`` cannot play ``env_id`` at these keywords, if it says (SB3 baselines do), else ``None``."""
    check = getattr(policy, "cannot_act", None)
    if check is None:
        return None
    with gym.make(env_id, **env_kwargs) as env:
        return check(env.action_space)


if __name__ == "__main__":
    main()
