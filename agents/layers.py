"""The layers thinking networks are built from, as in the original code (Bansal et al., NeurIPS 2022): bias-free
3-wide convolutions (1D ones run as 2D, channels-last), the basic residual block without normalisation, and the
Sudoku block whose cells talk along rows, columns and boxes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Conv1dAs2d(nn.Conv1d):
    """A bias-free 3-wide Conv1d that runs as a (1 x 3) Conv2d on channels-last ``(B, C, 1, L)`` tensors.

    Its parameters are exactly a Conv1d's (checkpoints keep the original layout), but oneDNN's channels-last
    2D kernels are about twice as fast on CPU as its 1D ones (``scripts/bench.py`` measures it).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight.unsqueeze(2), padding=(0, 1))


#: The 3-wide convolution of each number of dimensions.
CONVOLUTIONS = {1: Conv1dAs2d, 2: nn.Conv2d}


def conv(dims: int, c_in: int, c_out: int, kernel: int = 3) -> nn.Module:
    """A bias-free convolution of ``dims`` dimensions, 3 wide (padded to keep the size) or 1x1 (``kernel=1``)."""
    if kernel == 1:
        return nn.Conv2d(c_in, c_out, kernel_size=1, bias=False)
    return CONVOLUTIONS[dims](c_in, c_out, kernel_size=3, padding=1, bias=False)


class SudokuBlock(nn.Module):
    """Residual block for a 9x9 Sudoku board: each cell mixes its own features with the means over its row,
    its column and its box (the three units whose rule it obeys), then a per-cell layer; bias-free, ReLU
    after the add as :class:`BasicBlock`. A 3x3 convolution would need many iterations to carry a digit
    across a row; here one block does."""

    def __init__(self, dims: int, width: int) -> None:
        super().__init__()
        self.own, self.row, self.column, self.box, self.out = (nn.Linear(width, width, bias=False) for _ in range(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Thoughts run channels-last, so (B, 9, 9, C) is a free view and every layer a matmul over channels.
        h = x.permute(0, 2, 3, 1)
        b, c = h.shape[0], h.shape[3]
        mixed = self.own(h) + self.row(h.mean(2))[:, :, None] + self.column(h.mean(1))[:, None]
        boxes = self.box(h.reshape(b, 3, 3, 3, 3, c).mean((2, 4)))  # (B, 3, 3, C), one row per box
        mixed = (mixed.reshape(b, 3, 3, 3, 3, c) + boxes[:, :, None, :, None]).reshape(b, 9, 9, c)
        return torch.relu(self.out(torch.relu(mixed)) + h).permute(0, 3, 1, 2)


class BasicBlock(nn.Module):
    """Residual block: relu(conv(relu(conv(x))) + x), bias-free, no normalisation."""

    def __init__(self, dims: int, width: int) -> None:
        super().__init__()
        self.conv1 = conv(dims, width, width)
        self.conv2 = conv(dims, width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # In place on the convolutions' fresh outputs (never on x): the same numbers with half the allocations,
        # which on CPU cost page faults (scripts/bench.py's solve table measures it). Under autocast the sum
        # takes x's wider dtype, as out of place.
        out = self.conv2(torch.relu_(self.conv1(x)))
        out = out.add_(x) if out.dtype == x.dtype else out + x
        return torch.relu_(out)
