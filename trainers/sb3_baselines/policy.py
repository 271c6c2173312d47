"""A Stable-Baselines3 baseline as a rollout policy, with the action masks read off its observations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from sb3_contrib import MaskablePPO
from stable_baselines3.common.base_class import BaseAlgorithm

from envs.sudoku import legal_mask
from puzzles import mazes
from puzzles.chess_encoding import legal_action_mask
from puzzles.chess_game import GAME_PLANES, board_from_planes
from trainers.sb3_baselines.extractors import MazeThinker


def observation_action_masks(observation: np.ndarray) -> np.ndarray:
    """The legal actions read off one observation: bool ``(729,)`` for a ``(9, 9)`` Sudoku grid (the rules'
    placements, :func:`envs.sudoku.legal_mask`), bool ``(4,)`` for a ``(4, s, s)`` maze (the moves from the
    walker that stay on the board and off the black wall elements), bool ``(4672,)`` for chess game planes
    (the legal moves of :func:`puzzles.chess_game.board_from_planes`).

    Raises:
        ValueError: for an observation of another shape.
    """
    observation = np.asarray(observation)
    if observation.shape == (9, 9):
        return legal_mask(observation.astype(np.int64))
    if observation.shape == (GAME_PLANES, 8, 8):  # the mover's view: the same move indices as the env's mask
        return legal_action_mask(board_from_planes(observation)).astype(bool)
    if observation.ndim == 3 and observation.shape[0] == 4:
        size = observation.shape[1]
        open_ = observation[:3].max(axis=0) > 0  # walls are black in all three colour channels
        row, col = np.unravel_index(int(np.argmax(observation[3])), observation.shape[1:])
        mask = np.zeros(4, dtype=bool)
        for action, (dr, dc) in enumerate(mazes.MOVES):
            r, c = row + dr, col + dc
            mask[action] = 0 <= r < size and 0 <= c < size and bool(open_[r, c])
        return mask
    raise ValueError(f"no action masks for observations of shape {observation.shape}")


class SB3Policy:
    """An SB3 model as a policy of :func:`trainers.rollouts.evaluate_rollouts` (``act_batch`` and ``reset``).

    :param model: a trained PPO or MaskablePPO model; a masked model gets masks from the observations
    :param deterministic: take the most likely action (else sample)
    :param seed: seed of the policy's own random generator for sampled actions, so a sampling evaluation
        repeats exactly (SB3's own sampling would draw from torch's global generator)

    ``iterations`` counts the thinker's iterations spent (``iters`` per observation; stays 0 without a thinker),
    the compute a rollout report divides by its episodes.
    """

    def __init__(self, model: BaseAlgorithm, deterministic: bool = True, seed: int = 0) -> None:
        self.model = model
        self.deterministic = deterministic
        self.generator = torch.Generator(device=model.policy.device).manual_seed(seed)
        self.masked = isinstance(model, MaskablePPO)
        self.iterations = 0

    def reset(self, slot: int = 0) -> None:
        """Nothing to forget: the policy is memoryless (kept for the rollout interface)."""

    def _sample(self, distribution: Any) -> torch.Tensor:
        """Actions drawn from a categorical (``Discrete``) or Bernoulli (``MultiBinary``) action distribution with
        the policy's own generator."""
        inner = distribution.distribution
        if isinstance(inner, torch.distributions.Categorical):  # MaskableCategorical too: masked moves have p = 0
            return torch.multinomial(inner.probs, 1, generator=self.generator).squeeze(1)
        if isinstance(inner, torch.distributions.Bernoulli):
            return torch.bernoulli(inner.probs, generator=self.generator)
        raise TypeError(f"no seeded sampling for {type(inner).__name__} action distributions")

    def cannot_act(self, action_space: spaces.Space) -> str | None:
        """Why the policy cannot play an environment with ``action_space`` (``None`` when it can): SB3's action
        head has the training space's fixed size, so a ``MultiBinary(32)`` policy cannot answer 64 bits."""
        trained = self.model.action_space
        if action_space == trained:
            return None
        length = trained.n if isinstance(trained, (spaces.Discrete, spaces.MultiBinary)) else trained.shape
        return f"SB3's {type(trained).__name__} action head has a fixed length ({length}), not {action_space}"

    def act_batch(
        self, observations: Sequence[np.ndarray], action_space: spaces.Space, slots: Sequence[int] | None = None
    ) -> list[int] | list[np.ndarray]:
        """One action per observation (an index, or a bit array for ``MultiBinary``), from one batched forward
        pass of the policy network."""
        policy = self.model.policy
        policy.set_training_mode(False)
        batch = torch.as_tensor(np.stack(observations), device=policy.device)
        with torch.no_grad():
            if self.masked:
                masks = np.stack([observation_action_masks(o) for o in observations])
                distribution = policy.get_distribution(batch, action_masks=masks)
            else:
                distribution = policy.get_distribution(batch)
            actions = distribution.get_actions(deterministic=True) if self.deterministic else self._sample(distribution)
        extractor = policy.pi_features_extractor
        if isinstance(extractor, MazeThinker):
            self.iterations += extractor.iters * len(observations)
        actions = actions.cpu().numpy()
        if isinstance(self.model.action_space, spaces.Discrete):
            return [int(action) for action in actions]
        return list(actions.astype(self.model.action_space.dtype))  # Bernoulli modes come as floats
