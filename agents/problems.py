"""Problems: how a puzzle family's native numpy format becomes network tensors, and back.

A :class:`Problem` is the one place that knows a family's encoding, its loss mask, how logits become an
answer and how confident an answer is. Solvers, trainers and evaluation all go through it, so the native
formats of ``puzzles`` are spoken everywhere else. The file holds one class per family (and the registry), its
one job, which is why it runs past 400 lines.
"""

from __future__ import annotations

import copy
import os
from abc import ABC, abstractmethod
from pathlib import Path

import chess
import numpy as np
import torch

from puzzles import mazes, prefix_sums, sudoku
from puzzles.chess_encoding import board_planes, move_target
from puzzles.chess_puzzle_data import (
    clear_puzzle_shares,
    fen_batch,
    mirror_some,
    puzzle_answers,
    puzzle_shares,
)
from puzzles.chess_puzzles import HELD_OUT_EVERY

ROOT = Path(__file__).resolve().parent.parent


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

    def reading(self, data: str) -> Problem:
        """This problem with its instances read from the file ``data`` ("" for its own). A family that generates
        its instances reads no file, so only "" passes.

        Raises:
            ValueError: a data file for a family that generates its instances.
        """
        if data:
            raise ValueError(f"{self.name} generates its instances and reads no data file, got {data!r}")
        return self

    def held_out(self, split: str, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``(inputs, answers)`` of the held-out ``split`` (``"validation"`` or ``"test"``) at difficulty ``size``.

        A generated family draws fresh instances, so the split's seed (in ``rng``) keeps the splits apart; a finite
        puzzle set overrides this to draw each split from its own share.
        """
        return self.generate(count, size, rng)

    def training_data(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Fresh training ``(inputs, answers)``; validation and test sets always come from :meth:`held_out`."""
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

    def least_confidence(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Per-sample ``(B,)``: the lowest top-class probability over counted positions (how sure the least sure
        position is)."""
        top = logits.softmax(dim=1).amax(dim=1)
        mask = self.loss_mask(x)
        if mask is not None:
            top = torch.where(mask, top, torch.ones_like(top))
        return top.flatten(1).amin(dim=1)

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
        return prefix_sums.generate(count, size, rng)


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


class ChessPuzzles(Problem):
    """FEN strings ``(B,)`` in, UCI moves ``(B,)`` out; ``size`` is a puzzle's integer difficulty.

    The network sees the 12 piece planes from the side to move's view and learns the original benchmark's
    target, an 8x8 map marking the move's origin and destination squares (every square counts, no mask).

    - Targets: answers are :class:`puzzles.chess_puzzle_data.PuzzleMove` strings, which carry their FEN, so
      ``encode_target`` can draw the map in the mover's view; plain UCI strings pair with their positions
      through :meth:`answers`.
    - Prediction: the per-square margin ``logit(marked) - logit(unmarked)``; :meth:`exact` is the original's
      metric (the two top-scoring squares are the move's two squares), and :meth:`decode` picks the legal move with
      the largest summed margin over its two squares: the most likely legal move if the squares are independent
      (a 0/1 map, such as a target, scores a move by how many of its squares it marks). When the map is exactly
      right that move is the answer. Ties go to python-chess's legal-move order; a promotion is always to a
      queen (the map cannot tell promotions apart, so an under-promotion answer decodes as the queen's).
    - Data: puzzles come from a Lichess-format CSV (:attr:`path`, or ``$DEEPTHINK_CHESS_PUZZLES``), read once
      per file. Each puzzle id's CRC-32 puts one puzzle in :attr:`held_out_every` in a held-out share
      (:func:`puzzles.chess_puzzles.is_held_out`, the split ``DeepThink/ChessPuzzle-v0`` uses too), halved by the
      same hash into a validation and a test share (:func:`puzzles.chess_puzzles.held_out_split`): :meth:`held_out`
      draws from the asked split's share alone (:meth:`generate` from the test share), at exactly the asked
      difficulty, and :meth:`training_data` from the rest, at any difficulty up to the asked one. So training
      never sees a validation or test puzzle, and a budget chosen on validation is reported on other puzzles. A
      share smaller than the request is drawn with replacement (so a set can repeat puzzles). With ``fresh_data``
      off the trainer's fixed training share comes from :meth:`held_out` too, i.e. from held-out puzzles: keep it
      on. Training puzzles come
      mirrored left to right half the time (castling rights dropped; a castling answer is left as it is).
    """

    name = "chess_puzzles"
    size_label = "difficulty"
    in_channels = 12
    dims = 2
    out_channels = 2
    #: The puzzle set, relative to the repository root unless absolute; ``$DEEPTHINK_CHESS_PUZZLES`` overrides.
    path: str | Path = "puzzles/data/chess_puzzles.csv.gz"
    #: One puzzle in this many is held out for :meth:`generate` (fixed in :mod:`puzzles.chess_puzzles`).
    held_out_every = HELD_OUT_EVERY
    #: What ``size`` means (a key of :data:`puzzles.chess_puzzle_data.LEVELS`): the set's rating column.
    level = "difficulty"
    #: The share of training puzzles handed out mirrored (chess's left-right symmetry doubles the data).
    mirror_share = 0.5

    # ------------------------------------------------------------------------------------------ formats
    def validate(self, inputs: np.ndarray) -> np.ndarray:
        return fen_batch(inputs)[0]

    def encode(self, inputs: np.ndarray) -> torch.Tensor:
        boards = fen_batch(inputs)[1]
        planes = np.zeros((len(boards), 12, 8, 8), dtype=np.float32)
        for index, board in enumerate(boards):
            planes[index] = board_planes(board)
        return torch.from_numpy(planes)

    @staticmethod
    def answers(fens: np.ndarray | list[str], moves: np.ndarray | list[str]) -> np.ndarray:
        """UCI ``moves`` paired with their positions, as answers that :meth:`encode_target` takes."""
        return puzzle_answers(fens, moves)

    def encode_target(self, targets: np.ndarray) -> torch.Tensor:
        """The origin/destination maps ``(B, 8, 8)`` of ``PuzzleMove`` answers, in the mover's view."""
        targets = np.asarray(targets, dtype=object)
        maps = np.zeros((len(targets), 8, 8), dtype=np.int64)
        for index, answer in enumerate(targets):
            fen = getattr(answer, "fen", None)
            if fen is None:
                raise ValueError(
                    f"the answer at index {index} ({answer!r}) does not carry its position: pair UCI moves with "
                    "their FENs with ChessPuzzles.answers(fens, moves)"
                )
            board = chess.Board(fen)
            try:
                move = chess.Move.from_uci(str(answer))
            except ValueError:
                raise ValueError(f"the answer at index {index} is not a UCI move: {answer!r}") from None
            if not board.is_legal(move):
                raise ValueError(f"the answer at index {index} ({answer}) is illegal in {fen!r}")
            maps[index] = move_target(board, move)
        return torch.from_numpy(maps)

    def predict(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Per-square margins ``(B, 8, 8)``: positive where the square is the move's origin or destination."""
        return logits[:, 1] - logits[:, 0]

    def exact(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The original's metric: the two top-scoring squares are exactly the target's two marked squares (a tie
        for second place marks more and fails). Margins and 0/1 maps compare alike."""
        scores = prediction.flatten(1)
        marked = scores >= scores.topk(2, dim=1).values[:, 1:]
        return (marked == (target.flatten(1) > 0)).all(dim=1)

    def decode(self, prediction: torch.Tensor, inputs: np.ndarray) -> np.ndarray:
        """Per board, the legal move whose two squares score highest (see the class doc)."""
        boards = fen_batch(inputs)[1]
        answers = np.empty(len(boards), dtype=object)
        if not boards:
            return answers
        scores = prediction.detach().to("cpu", torch.float64).reshape(len(boards), 64).numpy()
        for index, board in enumerate(boards):
            view = 0 if board.turn == chess.WHITE else 56
            moves = [m for m in board.legal_moves if m.promotion in (None, chess.QUEEN)]
            origin = np.array([m.from_square ^ view for m in moves])
            destination = np.array([m.to_square ^ view for m in moves])
            answers[index] = moves[int(np.argmax(scores[index, origin] + scores[index, destination]))].uci()
        return answers

    # ------------------------------------------------------------------------------------------ data
    def reading(self, data: str) -> ChessPuzzles:
        """This problem drawing from the puzzle set ``data`` (a Lichess-format CSV, relative to the repository
        root unless absolute; "" for :attr:`path`)."""
        if not data:
            return self
        other = copy.copy(self)
        other.path = data
        return other

    def puzzle_file(self) -> Path:
        """The puzzle set's path: ``$DEEPTHINK_CHESS_PUZZLES``, else :attr:`path` from the repository root."""
        override = os.environ.get("DEEPTHINK_CHESS_PUZZLES")
        if override:
            return Path(override)
        path = Path(self.path)
        return path if path.is_absolute() else ROOT / path

    @classmethod
    def clear_cache(cls) -> None:
        """Forgets loaded puzzle sets (for tests, or after rewriting a file in place)."""
        clear_puzzle_shares()

    def generate(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``count`` test-split puzzles of difficulty exactly ``size``: ``(FENs, answers)``."""
        return self.held_out("test", count, size, rng)

    def held_out(self, split: str, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``count`` puzzles of the held-out ``split``'s own share, of difficulty exactly ``size``."""
        return puzzle_shares(self.puzzle_file(), self.level).split(split).draw(count, size, size, rng)

    def training_data(self, count: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``count`` training-share puzzles of difficulty at most ``size``: ``(FENs, answers)``, each mirrored
        left to right with probability :attr:`mirror_share` (:func:`puzzles.chess_puzzle_data.mirror_some`)."""
        training = puzzle_shares(self.puzzle_file(), self.level).training
        fens, answers = training.draw(count, None, size, rng)  # fresh arrays
        mirror_some(fens, answers, self.mirror_share, rng)
        return fens, answers


class ChessMates(ChessPuzzles):
    """The chess puzzles that are forced mates, ``size`` N being mate in N (the set's ``mateInN`` theme). Input
    and output are :class:`ChessPuzzles`', so a puzzle solver is read by mate depth with ``scripts/evaluate.py
    --problem chess_mates``; the splits are the same puzzles' (by id)."""

    name = "chess_mates"
    size_label = "mate in"
    level = "mate"


PROBLEMS: dict[str, Problem] = {
    problem.name: problem for problem in (PrefixSums(), Mazes(), MazeImages(), Sudoku(), ChessPuzzles(), ChessMates())
}


def card_problem(card: dict) -> Problem:
    """The problem a model card names, reading the data file its recipe trained on (``recipe.data``), if any."""
    return get_problem(card["problem"]).reading(card.get("recipe", {}).get("data", ""))


def get_problem(name: str) -> Problem:
    """The registered problem called ``name``."""
    try:
        return PROBLEMS[name]
    except KeyError:
        raise ValueError(f"unknown problem {name!r}; known: {sorted(PROBLEMS)}") from None
