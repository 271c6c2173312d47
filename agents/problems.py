"""Problems: how a puzzle family's native numpy format becomes network tensors, and back.

A :class:`Problem` is the one place that knows a family's encoding, its loss mask, how logits become an
answer and how confident an answer is. Solvers, trainers and evaluation all go through it, so the native
formats of ``puzzles`` are spoken everywhere else.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

import numpy as np
import torch

from puzzles import mazes, prefix_sums, sudoku


class Problem(ABC):
    """A puzzle family as seen by a network."""

    #: Registry name, also the shipped checkpoint's name.
    name: str = ""
    #: Input channels the network receives.
    in_channels: int = 1
    #: 1 for strings, 2 for grids.
    dims: int = 1
    #: Classes per output position.
    out_channels: int = 2
    #: What the difficulty ``size`` counts, for tables and plots.
    size_label: str = "size"

    @abstractmethod
    def validate(self, inputs: np.ndarray) -> np.ndarray:
        """Checks a native batch, raising one clear TypeError/ValueError, and returns it normalised."""

    @abstractmethod
    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        """Native inputs to a float tensor ``(B, C, ...)``."""

    @abstractmethod
    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        """Native answers to a long tensor of classes ``(B, ...)``."""

    @abstractmethod
    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        """A predicted class tensor ``(B, ...)`` to native answers."""

    @abstractmethod
    def generate(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Fresh ``(inputs, answers)`` at difficulty ``size``."""

    def training_data(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Fresh training ``(inputs, answers)``; validation and test sets always come from :meth:`generate`."""
        return self.generate(count, size, rng)

    def loss_mask(self, x: torch.Tensor) -> torch.Tensor | None:
        """Positions that count in the loss and in exact match, ``(B, ...)`` bool, or None for all."""
        return None

    def predict(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Classes per position ``(B, ...)``; positions outside the mask are forced to 0."""
        prediction = logits.argmax(dim=1)
        mask = self.loss_mask(x)
        return prediction if mask is None else prediction * mask

    def confidence(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Per-sample confidence ``(B,)``: the summed top-class probability over counted positions."""
        top = logits.softmax(dim=1).amax(dim=1)
        mask = self.loss_mask(x)
        if mask is not None:
            top = top * mask
        return top.flatten(1).sum(dim=1)

    def exact(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Per-sample exact match ``(B,)`` bool."""
        return (prediction == target).flatten(1).all(dim=1)


class PrefixSums(Problem):
    """Bits ``(B, n)`` in, running parity ``(B, n)`` out; the network sees bits as +-0.5 (the original)."""

    name = "prefix_sums"
    size_label = "bits"

    def validate(self, inputs: np.ndarray) -> np.ndarray:
        return prefix_sums.validate(inputs)

    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        bits = torch.from_numpy(self.validate(inputs).astype(np.float32))
        return (bits - 0.5).unsqueeze(1)

    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(targets, dtype=np.int64))

    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        return prediction.to("cpu", torch.uint8).numpy()

    def generate(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        bits = prefix_sums.generate(count, size, rng)
        return bits, prefix_sums.solve(bits)


class Mazes(Problem):
    """Maze images ``(B, 3, 2s+6, 2s+6)`` in, path masks ``(B, 2s+6, 2s+6)`` out.

    The network works on the compact view (one pixel per maze element, ``(B, 3, s, s)``), about seven
    times fewer pixels than the image at 9x9; the conversion both ways is exact. Loss and exact match
    count the open pixels only (the original's mask: every non-black input pixel).
    """

    name = "mazes"
    size_label = "maze size"
    in_channels = 3
    dims = 2

    def validate(self, inputs: np.ndarray) -> np.ndarray:
        return mazes.validate_images(inputs)

    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(mazes.image_to_compact(self.validate(inputs)))

    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(mazes.image_to_compact(np.asarray(targets)).astype(np.int64))

    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        return mazes.compact_to_image(prediction.to("cpu", torch.uint8).numpy())

    def loss_mask(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=1) > 0

    def generate(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return mazes.generate(count, size, rng)


class MazeImages(Mazes):
    """Mazes on the native image view, ``(B, 3, 2s+6, 2s+6)`` pixels, as the original trains them (the
    ablation against the compact view of :class:`Mazes`)."""

    name = "mazes_image"

    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(self.validate(inputs)))

    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(targets).astype(np.int64))

    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        return prediction.to("cpu", torch.uint8).numpy()


class Sudoku(Problem):
    """Grids ``(B, 9, 9)`` (0 = blank) in, completed grids out; ``size`` is the number of givens.

    The network sees 10 channels per cell (blank, then the nine digits one-hot) and predicts nine classes
    (digits 1..9). Loss and confidence count the blank cells; the answer keeps every given.
    """

    name = "sudoku"
    size_label = "givens"
    in_channels = 10
    dims = 2
    out_channels = 9
    #: Each generated training puzzle is handed out under this many random symmetries (see
    #: :func:`puzzles.sudoku.shuffle_equivalent`): generation costs tens of milliseconds per puzzle, a symmetry
    #: almost nothing.
    variants_per_puzzle = 8

    def validate(self, inputs: np.ndarray) -> np.ndarray:
        return sudoku.validate(inputs)

    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        grids = torch.from_numpy(sudoku.check_batch(inputs).astype(np.int64))
        return torch.nn.functional.one_hot(grids, 10).permute(0, 3, 1, 2).float()

    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(targets, dtype=np.int64) - 1)

    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        return (prediction.to("cpu", torch.int8) + 1).numpy()

    def loss_mask(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0] > 0

    def predict(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The most likely digit class per blank cell; givens are kept."""
        return torch.where(x[:, 0] > 0, logits.argmax(dim=1), x[:, 1:].argmax(dim=1))

    def generate(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        # Tens of milliseconds to seconds a puzzle: large batches use every core.
        return sudoku.generate(count, size, rng, workers=(os.cpu_count() or 1) if count >= 64 else 1)

    def training_data(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        puzzles, solutions = self.generate(-(-count // self.variants_per_puzzle), size, rng)
        variants = [sudoku.shuffle_equivalent(puzzles, solutions, rng) for _ in range(self.variants_per_puzzle)]
        return np.concatenate([v[0] for v in variants])[:count], np.concatenate([v[1] for v in variants])[:count]


PROBLEMS: dict[str, Problem] = {problem.name: problem for problem in (PrefixSums(), Mazes(), MazeImages(), Sudoku())}


def get_problem(name: str) -> Problem:
    """The registered problem called ``name``."""
    try:
        return PROBLEMS[name]
    except KeyError:
        raise ValueError(f"unknown problem {name!r}; known: {sorted(PROBLEMS)}") from None
