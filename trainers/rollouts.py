"""Rollout evaluation: a policy played through Gymnasium episodes, batched over several environments.

    report = evaluate_rollouts("DeepThink/Maze-v0", policy, episodes=1000, num_envs=50, size=13)

Episode ``j`` is reset with seed ``seed + j``, so a report is reproducible and two policies meet the same
puzzles. Success is ``info["exact"]`` where an environment reports it (one-shot solve environments), else an
episode that terminated with a positive last reward (the goal reached, the grid completed).
"""

from __future__ import annotations

import math
import time
from typing import Any

import gymnasium as gym
import numpy as np

import envs  # noqa: F401  (registers the DeepThink/ ids)


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a success rate (sensible at 0% and 100%, unlike the normal one)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def evaluate_rollouts(
    env_id: str, policy: Any, episodes: int, num_envs: int = 16, seed: int = 0, **env_kwargs: Any
) -> dict[str, Any]:
    """Plays ``episodes`` episodes of ``env_id`` with ``policy`` and reports success and compute.

    Args:
        env_id: a registered id, e.g. ``"DeepThink/MazeNav-v0"``.
        policy: anything with ``act_batch(observations, action_space, slots)`` and ``reset(slot)``
            (:class:`agents.solver_policy.SolverPolicy`); an ``iterations`` attribute is reported as compute.
        episodes: episodes to play.
        num_envs: environments stepped together (their actions come from one batched call).
        seed: episode ``j`` is reset with ``seed + j``.
        env_kwargs: keywords of ``gymnasium.make`` (the difficulty: ``size=13``, ``givens=24``, ...).

    Returns:
        A JSON-ready dict: ``success_rate`` with its 95% ``interval``, ``mean_return``, ``mean_steps``,
        ``iterations_per_episode``, ``seconds`` and ``episodes_per_second``.
    """
    if episodes < 1 or num_envs < 1:
        raise ValueError(f"episodes and num_envs must be positive, got {episodes} and {num_envs}")
    environments = [gym.make(env_id, **env_kwargs) for _ in range(min(num_envs, episodes))]
    action_space = environments[0].action_space
    iterations_before = getattr(policy, "iterations", 0)
    started = time.perf_counter()
    observations: dict[int, np.ndarray] = {}
    returns: dict[int, float] = {}
    steps: dict[int, int] = {}
    results: list[tuple[bool, float, int]] = []
    next_episode = 0

    def start(slot: int) -> None:
        nonlocal next_episode
        policy.reset(slot)
        observations[slot], _ = environments[slot].reset(seed=seed + next_episode)
        returns[slot], steps[slot] = 0.0, 0
        next_episode += 1

    for slot in range(len(environments)):
        start(slot)
    while observations:
        slots = sorted(observations)
        actions = policy.act_batch([observations[s] for s in slots], action_space, slots)
        for slot, action in zip(slots, actions, strict=True):
            observation, reward, terminated, truncated, info = environments[slot].step(action)
            returns[slot] += float(reward)
            steps[slot] += 1
            observations[slot] = observation
            if terminated or truncated:
                success = bool(info["exact"]) if "exact" in info else bool(terminated and reward > 0)
                results.append((success, returns[slot], steps[slot]))
                del observations[slot]
                if next_episode < episodes:
                    start(slot)
    seconds = time.perf_counter() - started
    for environment in environments:
        environment.close()
    successes = sum(success for success, _, _ in results)
    low, high = wilson_interval(successes, len(results))
    return {
        "env_id": env_id,
        "env_kwargs": env_kwargs,
        "episodes": len(results),
        "successes": successes,
        "success_rate": successes / len(results),
        "interval": [round(low, 4), round(high, 4)],
        "mean_return": float(np.mean([r for _, r, _ in results])),
        "mean_steps": float(np.mean([n for _, _, n in results])),
        "iterations_per_episode": (getattr(policy, "iterations", 0) - iterations_before) / len(results),
        "seconds": round(seconds, 3),
        "episodes_per_second": len(results) / seconds,
    }
