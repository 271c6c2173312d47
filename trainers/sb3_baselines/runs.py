"""A ``train-sb3`` run folder: its card (``card.json``) and model (``model.safetensors``), evaluated level by level
and read back as a policy for the env table."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium

from puzzles.families import family_of_env
from puzzles.storage import save_json
from trainers.rollouts import evaluate_rollouts
from trainers.sb3_baselines.models import CARD_FILE, MODEL_FILE, load_model, set_iters
from trainers.sb3_baselines.policy import SB3Policy


def evaluate_run(
    policy: SB3Policy,
    card: dict,
    card_path: Path,
    env_id: str,
    levels: list[int],
    thinker_iters: list[int],
    episodes: int,
    num_envs: int,
    seed: int,
) -> None:
    """Evaluates a run's policy at every level of ``env_id`` (and, for a thinker, every iteration count: the
    training one first, then ``thinker_iters``) that ``card["results"]`` lacks, into it, or records why the policy
    cannot play the level; the card is saved at ``card_path`` after every level, so an interrupted evaluation
    keeps what it has. Episode ``j`` of a level is reset with ``seed + j``."""
    family = family_of_env(env_id)
    train_iters = card.get("train_iters")
    budgets = [train_iters, *sorted(set(thinker_iters) - {train_iters})] if train_iters else [None]
    done = {(r["level"], r.get("iters")) for r in card["results"]}
    for iters in budgets:
        if iters is not None:
            set_iters(policy.model, iters)
        for eval_level in levels:
            if (eval_level, iters) in done:
                continue
            level_entry = {"level": eval_level, **({"iters": iters} if iters is not None else {})}
            level_kwargs = family.level_kwargs(eval_level)
            with gymnasium.make(env_id, **level_kwargs) as env:
                reason = policy.cannot_act(env.action_space)
            if reason is not None:
                card["results"].append({**level_entry, "skipped": reason})
                save_json(card_path, card)
                continue
            report = evaluate_rollouts(env_id, policy, episodes, num_envs, seed, **level_kwargs)
            card["results"].append(
                {
                    **level_entry,
                    "episodes": report["episodes"],
                    "success_rate": report["success_rate"],
                    "interval": report["interval"],
                    "mean_return": round(report["mean_return"], 4),
                    "mean_steps": round(report["mean_steps"], 2),
                    "episodes_per_second": round(report["episodes_per_second"], 2),
                }
            )
            save_json(card_path, card)  # after every level: an interrupted evaluation keeps what it has


def load_baseline(folder: Path) -> tuple[str, str, SB3Policy]:
    """``(name, env id, policy)`` of a ``scripts/train_sb3.py`` run folder."""
    card_path = folder / CARD_FILE
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
