"""A DT-Recall policy-value network for full chess games.

The thought is a ``width``-channel 8x8 feature map, refined by one shared recurrent stage per iteration with the
raw game planes recalled before every iteration (as :class:`agents.networks.ThinkingNetwork`). Two heads read it:

- **policy**: fully convolutional, ``(73, 8, 8)`` logits that flatten to ``Discrete(4672)`` in the order of
  :mod:`puzzles.chess_encoding` (``plane * 64 + from_square``);
- **value**: the expected outcome for the side to move in -1..1.

It runs the one thinking loop (:class:`agents.thinking.ThinkingLoop`), as the other thinking networks:
``policy, value, state = net(x, iters, state=None)``, and ``net.iterate(x, iters)`` yields
``(policy, value, state)`` after every iteration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from agents.budget import check_whole
from agents.layers import BasicBlock, conv
from agents.thinking import ThinkingLoop
from puzzles.chess_encoding import NUM_ACTIONS
from puzzles.chess_game import GAME_PLANES

MOVE_PLANES = NUM_ACTIONS // 64


@dataclass(frozen=True)
class ChessNetworkConfig:
    """Everything needed to rebuild a :class:`ChessNetwork`; stored in its checkpoint.

    Attributes:
        kind: always ``"chess"`` (tells checkpoints which network to build).
        in_channels: game planes (:data:`puzzles.chess_game.GAME_PLANES`).
        width: channels of the thought.
        blocks: basic blocks per iteration.
        policy_width: hidden channels of the policy head.
        value_width: hidden units of the value head.
        norm: normalise the thought after every iteration (a group norm over all its channels and squares), so
            that it cannot grow without bound over long unrolls; without it, training at random depths up to 64
            sent the policy loss of some batches to 1e10 within 200 steps.
    """

    kind: str = "chess"
    in_channels: int = GAME_PLANES
    width: int = 64
    blocks: int = 1
    policy_width: int = 32
    value_width: int = 64
    norm: bool = False

    def __post_init__(self) -> None:
        if self.kind != "chess":
            raise ValueError(f"a chess network config has kind 'chess', got {self.kind!r}")
        for name in ("in_channels", "width", "blocks", "policy_width", "value_width"):
            if check_whole(getattr(self, name), name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> ChessNetworkConfig:
        """Rebuilds a config from :meth:`to_dict`'s output; TypeError or ValueError for anything else."""
        if not isinstance(values, dict):
            raise TypeError(f"a chess network config is a dictionary of settings, got {type(values).__name__}")
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown chess network settings: {sorted(unknown)}")
        return cls(**values)


def chess_parameter_shapes(config: ChessNetworkConfig) -> dict[str, tuple[int, ...]]:
    """Every tensor of a :class:`ChessNetwork`'s state dict with its shape, without building it (see
    :func:`agents.networks.parameter_shapes`)."""
    width, c_in, policy, value = config.width, config.in_channels, config.policy_width, config.value_width
    shapes = {"projection.0.weight": (width, c_in, 3, 3), "recall.weight": (width, width + c_in, 3, 3)}
    for block in range(config.blocks):
        shapes[f"stage.{block}.conv1.weight"] = shapes[f"stage.{block}.conv2.weight"] = (width, width, 3, 3)
    if config.norm:
        shapes["norm.weight"] = shapes["norm.bias"] = (width,)
    return {
        **shapes,
        "policy_head.0.weight": (policy, width, 3, 3),
        "policy_head.2.weight": (MOVE_PLANES, policy, 1, 1),
        "policy_head.2.bias": (MOVE_PLANES,),
        "value_head.0.weight": (4, width, 1, 1),
        "value_head.0.bias": (4,),
        "value_head.3.weight": (value, 4 * 64),
        "value_head.3.bias": (value,),
        "value_head.5.weight": (1, value),
        "value_head.5.bias": (1,),
    }


class ChessNetwork(ThinkingLoop):
    """DT-Recall with a convolutional policy head and a value head (see the module docstring)."""

    def __init__(self, config: ChessNetworkConfig) -> None:
        super().__init__()
        self.config = config
        width, c_in = config.width, config.in_channels
        self.projection = nn.Sequential(conv(2, c_in, width), nn.ReLU())
        self.recall = conv(2, width + c_in, width)
        self.stage = nn.Sequential(*(BasicBlock(2, width) for _ in range(config.blocks)))
        if config.norm:
            self.norm = nn.GroupNorm(1, width)
        self.policy_head = nn.Sequential(
            conv(2, width, config.policy_width), nn.ReLU(), nn.Conv2d(config.policy_width, MOVE_PLANES, 1)
        )
        self.value_head = nn.Sequential(
            nn.Conv2d(width, 4, 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * 64, config.value_width),
            nn.ReLU(),
            nn.Linear(config.value_width, 1),
            nn.Tanh(),
        )

    def _enter(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != (self.config.in_channels, 8, 8):
            raise ValueError(
                f"a chess network takes (B, {self.config.in_channels}, 8, 8) game planes, got {tuple(x.shape)}"
            )
        return x.contiguous(memory_format=torch.channels_last)

    def read(self, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(policy logits (B, 4672), value (B,))`` read from a thought."""
        return self.policy_head(state).flatten(1), self.value_head(state).squeeze(1)

    def _step(self, x: torch.Tensor, state: torch.Tensor, index: int) -> torch.Tensor:
        state = self.stage(self.recall(torch.cat([state, x], dim=1)))
        return self.norm(state) if self.config.norm else state
