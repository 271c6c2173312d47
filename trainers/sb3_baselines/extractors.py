"""Features extractors of the Stable-Baselines3 baselines, one per puzzle environment (the package docstring of
:mod:`trainers.sb3_baselines` says what each is for). The family registry names them by class name
(:attr:`puzzles.families.Baseline.extractors`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from gymnasium import spaces
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from agents.networks import BasicBlock, SudokuBlock
from agents.thinking import final_thought
from puzzles.chess_game import GAME_PLANES


def walker_readout(features: torch.Tensor, observations: torch.Tensor) -> torch.Tensor:
    """The ``(B, C)`` feature vector at the walker's cell: ``features`` ``(B, C, s, s)`` summed over space,
    weighted by the walker channel (channel 3) of the ``(B, 4, s, s)`` maze observations."""
    return (features * observations[:, 3:4]).sum(dim=(2, 3))


def conv_stack(dims: int, in_channels: int, width: int, layers: int) -> nn.Sequential:
    """``layers`` kernel-3 convolutions (1D or 2D, same padding) with a ReLU after each: the CNN extractors' body.

    Raises:
        ValueError: for fewer than one layer.
    """
    if layers < 1:
        raise ValueError(f"layers must be positive, got {layers}")
    conv = nn.Conv1d if dims == 1 else nn.Conv2d
    stack: list[nn.Module] = []
    for c_in in [in_channels] + [width] * (layers - 1):
        stack += [conv(c_in, width, kernel_size=3, padding=1), nn.ReLU()]
    return nn.Sequential(*stack)


class MazeCNN(BaseFeaturesExtractor):
    """A size-agnostic CNN for ``MazeNav-v0``: ``layers`` 3x3 convolutions with ReLUs, read out at the walker.

    The walker sees the maze within ``layers`` elements of it (its receptive field), whatever the maze's size.

    :param observation_space: the ``(4, s, s)`` maze observation space (any ``s``)
    :param width: channels of every layer, and so the features dimension
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 32, layers: int = 4) -> None:
        _check_maze_space(observation_space)
        super().__init__(observation_space, features_dim=width)
        self.cnn = conv_stack(2, observation_space.shape[0], width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return walker_readout(self.cnn(observations), observations)


class MazeThinker(BaseFeaturesExtractor):
    """A size-agnostic DT-Recall extractor for ``MazeNav-v0``, read out at the walker.

    The observation is projected to ``width`` channels, then ``iters`` times the thought is concatenated with
    the raw observation (recall), convolved back to ``width`` channels and passed through one shared stack of
    ``blocks`` :class:`agents.networks.BasicBlock` s. Every iteration widens the receptive field by 3 elements;
    ``iters`` is an attribute, so a trained policy can run more iterations than it was trained with
    (``extractor.iters = 60`` or :func:`set_iters`).

    :param observation_space: the ``(4, s, s)`` maze observation space (any ``s``)
    :param width: channels of the thought, and so the features dimension
    :param iters: iterations per forward pass
    :param blocks: residual blocks per iteration
    """

    def __init__(self, observation_space: spaces.Box, width: int = 16, iters: int = 10, blocks: int = 1) -> None:
        _check_maze_space(observation_space)
        if iters < 1 or blocks < 1:
            raise ValueError(f"iters and blocks must be positive, got {iters} and {blocks}")
        super().__init__(observation_space, features_dim=width)
        channels = observation_space.shape[0]
        self.iters = iters
        self.projection = nn.Sequential(nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.ReLU())
        self.recall = nn.Conv2d(width + channels, width, 3, padding=1, bias=False)
        self.block = nn.Sequential(*(BasicBlock(2, width) for _ in range(blocks)))

    def _step(self, observations: torch.Tensor, thought: torch.Tensor, index: int) -> torch.Tensor:
        return self.block(self.recall(torch.cat([thought, observations], dim=1)))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        thought = final_thought(self._step, observations, self.projection(observations), self.iters)
        return walker_readout(thought, observations)


class SudokuCNN(BaseFeaturesExtractor):
    """Features of a ``SudokuFill-v0`` grid: one-hot digits (10 channels, 0 = blank), a 1x1 projection to
    ``width`` channels, ``layers`` :class:`agents.networks.SudokuBlock` s (cells mix along their row, column and
    box), flattened to ``81 * width`` features.

    :param observation_space: the ``(9, 9)`` grid observation space
    :param width: channels per cell
    :param layers: Sudoku blocks (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 32, layers: int = 3) -> None:
        if observation_space.shape != (9, 9):
            raise ValueError(f"SudokuCNN reads (9, 9) grids, got observations of shape {observation_space.shape}")
        if layers < 1:
            raise ValueError(f"layers must be positive, got {layers}")
        super().__init__(observation_space, features_dim=81 * width)
        self.projection = nn.Sequential(nn.Conv2d(10, width, kernel_size=1, bias=False), nn.ReLU())
        self.blocks = nn.Sequential(*(SudokuBlock(2, width) for _ in range(layers)))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(observations.long().clamp(0, 9), 10).permute(0, 3, 1, 2).float()
        return self.blocks(self.projection(one_hot)).flatten(1)


class BitsCNN(BaseFeaturesExtractor):
    """Features of a ``PrefixSums-v0`` bit string: ``layers`` 1D convolutions of kernel 3 with ReLUs (each bit
    sees ``layers`` bits either side), flattened to ``n * width`` features.

    Flattening ties the features to the string's length ``n``, as SB3's ``MultiBinary(n)`` action head already
    ties the policy.

    :param observation_space: the ``(n,)`` bit string observation space
    :param width: channels per bit
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Space, width: int = 32, layers: int = 3) -> None:
        shape = getattr(observation_space, "shape", None)
        if shape is None or len(shape) != 1:
            raise ValueError(f"BitsCNN reads (n,) bit strings (PrefixSums-v0), got observations of shape {shape}")
        super().__init__(observation_space, features_dim=shape[0] * width)
        self.cnn = conv_stack(1, 1, width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.cnn(observations.unsqueeze(1)).flatten(1)


class ChessCNN(BaseFeaturesExtractor):
    """Features of a ``ChessPuzzle-v0`` position: ``layers`` 3x3 convolutions with ReLUs over the ``(19, 8, 8)``
    game planes, flattened to ``64 * width`` features, which the policy maps linearly to the 4,672 move logits
    (MaskablePPO keeps the legal ones).

    :param observation_space: the ``(19, 8, 8)`` game planes' space
    :param width: channels per square
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 16, layers: int = 3) -> None:
        if observation_space.shape != (GAME_PLANES, 8, 8):
            raise ValueError(
                f"ChessCNN reads ({GAME_PLANES}, 8, 8) game planes, got observations of shape {observation_space.shape}"
            )
        super().__init__(observation_space, features_dim=64 * width)
        self.cnn = conv_stack(2, GAME_PLANES, width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.cnn(observations).flatten(1)


def _check_maze_space(observation_space: spaces.Space) -> None:
    shape = getattr(observation_space, "shape", None)
    if shape is None or len(shape) != 3 or shape[0] != 4:
        raise ValueError(f"the maze extractors read (4, s, s) MazeNav-v0 observations, got shape {shape}")
