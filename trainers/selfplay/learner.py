"""The learner: samples the replay buffer and fits the network to the search's targets and the games' results.

Each step draws ``batch_size`` positions and takes one AdamW step on

- the policy's cross entropy with the search's improved policy, over the legal moves only (the logits are
  gathered at the legal actions, so the other 4,600-odd never enter the softmax);
- ``value_weight`` times the value head's squared error against the game's result for the side to move;

after the progressive loss's unroll (:func:`trainers.chess_supervised.progressive_heads`, with ``think`` as its
regime), so the thought stays useful at every budget up to the one it plays with. The learner's random draws
(batches and unrolls) come from its own generator, saved with the optimiser in the training state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from agents.networks import fast_cpu_math
from trainers.chess_supervised import progressive_heads, to_input
from trainers.run import optimizer_step
from trainers.selfplay.actors import Weights, build_chess_network, weights_of

#: ``sample(count, seed) -> batch`` (:meth:`trainers.selfplay.buffer.ReplayBuffer.sample`).
Sampler = Callable[[int, list[int]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class LearnSettings:
    """What the learner needs of the recipe (see :class:`trainers.selfplay.config.SelfPlayConfig`)."""

    think: int
    batch_size: int
    lr: float
    weight_decay: float
    clip: float
    value_weight: float
    seed: int


def policy_value_loss(
    logits: torch.Tensor,
    value: torch.Tensor,
    legal: torch.Tensor,
    targets: torch.Tensor,
    outcomes: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(policy cross entropy, value MSE, target entropy)`` of a batch.

    Args:
        logits: ``(B, 4672)`` policy logits.
        value: ``(B,)`` predicted results.
        legal: ``(B, M)`` legal action indices, -1 padding.
        targets: ``(B, M)`` target probabilities over them.
        outcomes: ``(B,)`` results for the side to move.
    """
    valid = legal >= 0
    legal_logits = logits.gather(1, legal.clamp(min=0).long()).masked_fill(~valid, float("-inf"))
    log_p = F.log_softmax(legal_logits, dim=1).masked_fill(~valid, 0.0)
    targets = targets.float()
    policy = -(targets * log_p).sum(1).mean()
    entropy = -(targets * torch.log(targets.clamp(min=1e-12))).sum(1).mean()
    return policy, F.mse_loss(value, outcomes), entropy


class Learner:
    """Trains a chess network on replay-buffer batches.

    Args:
        settings: the optimiser and loss settings.
        network: the network's config dictionary.
        weights: the starting weights (generation 0's).
        sample: draws a batch (the buffer's ``sample``, locally or across processes).
    """

    def __init__(self, settings: LearnSettings, network: dict[str, Any], weights: Weights, sample: Sampler) -> None:
        fast_cpu_math()
        self.settings = settings
        self.net = build_chess_network(network, weights).train()
        self.optimizer = torch.optim.AdamW(self.net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
        self.rng = np.random.default_rng([settings.seed, 1])
        self.steps = 0
        self._sample = sample

    def train(self, steps: int) -> dict[str, float]:
        """Takes ``steps`` optimiser steps; returns the mean losses (``policy_loss``, ``value_loss``,
        ``target_entropy``, and ``policy_kl``: the policy loss less the targets' entropy)."""
        totals = {"policy_loss": 0.0, "value_loss": 0.0, "target_entropy": 0.0}
        for _ in range(steps):
            batch = self._sample(self.settings.batch_size, [self.settings.seed, 2, self.steps])
            x = to_input(batch["planes"])
            logits, value = progressive_heads(self.net, x, self.settings.think, self.rng)
            policy, value_loss, entropy = policy_value_loss(
                logits,
                value,
                torch.from_numpy(batch["legal"]),
                torch.from_numpy(batch["targets"]),
                torch.from_numpy(batch["outcomes"]),
            )
            loss = policy + self.settings.value_weight * value_loss
            optimizer_step(self.optimizer, self.net, loss, self.settings.clip)
            self.steps += 1
            for key, part in (("policy_loss", policy), ("value_loss", value_loss), ("target_entropy", entropy)):
                totals[key] += part.item() / steps
        totals["policy_kl"] = totals["policy_loss"] - totals["target_entropy"]
        return totals

    def weights(self) -> Weights:
        """The current weights (to publish)."""
        return weights_of(self.net)

    def state(self) -> dict[str, Any]:
        """Everything a resumed learner needs: weights, optimiser, generator, step count."""
        return {
            "model": {name: tensor.detach().clone() for name, tensor in self.net.state_dict().items()},
            "optimizer": copy.deepcopy(self.optimizer.state_dict()),  # a snapshot, not the live moments
            "rng": self.rng.bit_generator.state,
            "steps": self.steps,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Restores a :meth:`state`."""
        self.net.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        self.steps = int(state["steps"])
