"""Chess training that makes iterations count: random unroll depth, truncated backpropagation, and targets that
deepen with the iteration.

Each batch draws a depth D from a log-uniform law on 1..``max_depth`` (a long tail: most batches are shallow,
some reach 64), runs D - k iterations without gradients from the projected input, detaches the thought, and
runs the last k = min(``bptt``, D) with gradients, scoring every one of them (deep supervision). Iteration t is
scored against the move of the ladder rung it has reached (:attr:`ThinkingChessConfig.rung_starts`): early
iterations learn Stockfish's 32-node move, later ones its 2,048- and 8,192-node moves
(:mod:`puzzles.chess_ladder`). ``targets="top"`` scores every iteration against the deepest rung, and
``depth="progressive"`` is the previous recipe (the progressive loss at 8 iterations): the two ablations.

The value head learns ``(1 - result_weight) * tanh(score / 400) + result_weight * (2 * result - 1)``: the
deepest search's evaluation blended with the game's result, both for the side to move.

Steps, not epochs: the run checkpoints every ``save_every`` steps (minutes), validates every ``eval_every``
and keeps the best network by its agreement with the deepest rung at the largest validation budget. A killed
run resumes at its last saved step with the same batches and depths (both are drawn from the seed and the
step).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chess
import numpy as np
import torch
import torch.nn.functional as F

from agents.checkpoint import CHESS_GAME
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.device import autocast, resolve_device
from puzzles.chess_encoding import NUM_ACTIONS, encode_move
from puzzles.chess_ladder import chunk_name, chunk_split, load_ladder, score_to_value
from puzzles.storage import load_arrays, save_arrays
from trainers.cards import run_card
from trainers.chess_supervised import encode_position, move_agreement, to_input
from trainers.progressive import sample_progressive, sample_unroll, warm_thought
from trainers.run import Run, optimizer_step, set_lr


@dataclass(frozen=True)
class ThinkingChessConfig:
    """The recipe (recorded in the model card).

    Attributes:
        data: folder of ladder chunks (``scripts/label_ladder.py``); the run reads the first ``chunks``.
        network: :class:`agents.chess_network.ChessNetworkConfig` fields.
        steps, batch_size, lr, weight_decay, warmup_steps, min_lr_factor, clip: AdamW with a linear warm-up
            and a cosine decay to ``min_lr_factor * lr`` at the last step.
        depth: ``"random"`` (log-uniform D on 1..``max_depth``, backpropagation through the last ``bptt``) or
            ``"progressive"`` (n ~ U{0..m-1}, k ~ U{1..m-n} with m = ``max_iters``, the last one scored).
        targets: ``"ladder"`` (iteration t learns the rung it has reached) or ``"top"`` (the deepest rung).
        rung_starts: the iteration from which each rung is the target, shallow to deep.
        value_weight: weight of the value loss; result_weight: share of the game result in the value target.
        val_positions: validation positions scored every ``eval_every`` steps at each of ``val_think``.
        save_every: steps between saved training states.
        seed: weights, batches and depths.
    """

    data: str = "data/ladder"
    chunks: int = 200
    network: dict = field(default_factory=lambda: {"width": 64, "blocks": 1, "norm": True})
    steps: int = 20_000
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 300
    min_lr_factor: float = 0.05
    clip: float = 1.0
    depth: str = "random"
    max_depth: int = 64
    bptt: int = 4
    max_iters: int = 8
    targets: str = "ladder"
    rung_starts: tuple[int, ...] = (1, 3, 6, 12, 24)
    value_weight: float = 1.0
    result_weight: float = 0.5
    val_positions: int = 1_000
    val_think: tuple[int, ...] = (8, 64)
    eval_every: int = 500
    save_every: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        if self.depth not in ("random", "progressive") or self.targets not in ("ladder", "top"):
            raise ValueError(
                f"depth is random or progressive and targets ladder or top, got {self.depth}, {self.targets}"
            )
        if list(self.rung_starts) != sorted(self.rung_starts) or self.rung_starts[0] != 1:
            raise ValueError(f"rung_starts rise from 1, got {self.rung_starts}")
        for name in ("chunks", "steps", "batch_size", "max_depth", "bptt", "max_iters", "eval_every", "save_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        object.__setattr__(self, "rung_starts", tuple(self.rung_starts))
        object.__setattr__(self, "val_think", tuple(self.val_think))

    def rung(self, iteration: int) -> int:
        """The ladder rung whose move iteration ``iteration`` (from 1) learns."""
        if self.targets == "top":
            return len(self.rung_starts) - 1
        return sum(start <= iteration for start in self.rung_starts) - 1

    def unroll(self, rng: np.random.Generator) -> tuple[int, list[int]]:
        """Draws ``(n, scored)``: n iterations without gradients, then ``len(scored)`` with, where ``scored``
        marks which of them are scored (iteration numbers from 1)."""
        if self.depth == "progressive":
            n, k = sample_progressive(self.max_iters, rng)
            return n, [n + k]
        free, k = sample_unroll(self.max_depth, self.bptt, rng)
        return free, list(range(free + 1, free + k + 1))


# ------------------------------------------------------------------------------------------------ the data
def encode_chunk(folder: Path, index: int) -> dict[str, np.ndarray]:
    """One ladder chunk encoded for training, cached beside it: ``planes`` uint8 (N, 19, 8, 8), ``actions``
    int64 (N, rungs), ``scores`` int32 (N, rungs), ``results`` (N,), and the legal moves as ``legal`` (action
    indices of every position, concatenated) with ``legal_counts`` (N,)."""
    names = ("planes", "actions", "scores", "results", "legal", "legal_counts")
    cache = folder / f"encoded_{index:05d}.npz"
    if cache.is_file():
        return load_arrays(cache, names)
    raw = load_ladder(folder, [index])
    count, rungs = raw["moves"].shape
    planes = np.empty((count, 19, 8, 8), dtype=np.uint8)
    actions = np.empty((count, rungs), dtype=np.int64)
    legal, legal_counts = [], np.empty(count, dtype=np.int64)
    for i, (fen, moves) in enumerate(zip(raw["fens"], raw["moves"], strict=True)):
        board = chess.Board(str(fen))
        planes[i], actions[i, 0] = encode_position(board, chess.Move.from_uci(str(moves[0])))
        actions[i, 1:] = [encode_move(board, chess.Move.from_uci(str(m))) for m in moves[1:]]
        indices = [encode_move(board, move) for move in board.legal_moves]
        legal.append(np.array(indices, dtype=np.int16))
        legal_counts[i] = len(indices)
    encoded = {
        "planes": planes,
        "actions": actions,
        "scores": raw["scores"],
        "results": raw["results"],
        "legal": np.concatenate(legal) if legal else np.zeros(0, np.int16),
        "legal_counts": legal_counts,
    }
    save_arrays(cache, **encoded)
    return encoded


@dataclass
class LadderSplit:
    """The encoded positions of one split, with a legal-move mask for any batch of them."""

    planes: np.ndarray
    actions: np.ndarray
    values: np.ndarray
    legal: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.actions)

    def masks(self, index: np.ndarray) -> torch.Tensor:
        """``(len(index), 4672)`` bool: the legal moves of the chosen positions."""
        mask = np.zeros((len(index), NUM_ACTIONS), dtype=bool)
        for row, i in enumerate(index):
            mask[row, self.legal[self.offsets[i] : self.offsets[i + 1]]] = True
        return torch.from_numpy(mask)


def load_split(folder: str | Path, chunks: int, split: str, result_weight: float) -> LadderSplit:
    """The positions of the first ``chunks`` chunks that belong to ``split`` (whole games; see
    :func:`puzzles.chess_ladder.chunk_split`), encoded, with value targets blended as the recipe says.

    Raises:
        FileNotFoundError: a chunk of the first ``chunks`` is missing (the labeller has not reached it).
    """
    folder = Path(folder)
    indices = [i for i in range(chunks) if chunk_split(i) == split]
    if not indices:
        raise ValueError(
            f"the first {chunks} chunks hold no {split} chunk (one chunk in twenty is each held-out split)"
        )
    missing = [i for i in indices if not (folder / chunk_name(i)).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {len(missing)} of the first {chunks} chunks (first: {missing[0]})")
    parts = [encode_chunk(folder, i) for i in indices]
    joined = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    engine = np.array([score_to_value(int(s)) for s in joined["scores"][:, -1]], dtype=np.float32)
    values = (1 - result_weight) * engine + result_weight * (2 * joined["results"] - 1)
    offsets = np.concatenate([[0], np.cumsum(joined["legal_counts"])])
    return LadderSplit(joined["planes"], joined["actions"], values.astype(np.float32), joined["legal"], offsets)


def masked_policy_loss(logits: torch.Tensor, mask: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross entropy of the target move among the legal moves only."""
    return F.cross_entropy(logits.masked_fill(~mask, -1e4), target)


# ------------------------------------------------------------------------------------------------ the trainer
class ThinkingChessTrainer(Run):
    """Fits a :class:`agents.chess_network.ChessNetwork` to ladder-labelled positions (see the module docstring).

    Args:
        config: the recipe.
        run_dir: folder of the run; an existing run there is resumed.
        progress: show a rich progress bar.
        device: ``"cpu"``, ``"cuda"`` (bfloat16 autocast) or ``"mps"``.
        max_seconds: stop (after saving) once this session has trained this long; the run resumes later.
    """

    unit = "step"

    def __init__(
        self,
        config: ThinkingChessConfig,
        run_dir: str | Path,
        progress: bool = True,
        device: str = "cpu",
        max_seconds: float | None = None,
    ) -> None:
        super().__init__(config, run_dir, progress, max_seconds)
        self.device = resolve_device(device)
        self.net = ChessNetwork(ChessNetworkConfig.from_dict(config.network)).to(self.device)
        self.optimizer = torch.optim.AdamW(self.net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.train = load_split(config.data, config.chunks, "training", config.result_weight)
        validation = load_split(config.data, config.chunks, "validation", config.result_weight)
        keep = np.random.default_rng(config.seed).permutation(len(validation))[: config.val_positions]
        self.val_index = np.sort(keep)
        self.val = validation

    def lr(self, step: int) -> float:
        cfg = self.config
        warm = min(1.0, (step + 1) / cfg.warmup_steps) if cfg.warmup_steps > 0 else 1.0
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, cfg.steps) / cfg.steps))
        return cfg.lr * warm * (cfg.min_lr_factor + (1 - cfg.min_lr_factor) * cosine)

    def batch(self, step: int) -> np.ndarray:
        """The positions of optimiser step ``step``: epochs are seeded permutations of the training split."""
        per_epoch = max(1, len(self.train) // self.config.batch_size)
        epoch, b = divmod(step, per_epoch)
        order = np.random.default_rng([self.config.seed, epoch]).permutation(len(self.train))
        return np.sort(order[b * self.config.batch_size : (b + 1) * self.config.batch_size])

    def loss(self, step: int) -> tuple[torch.Tensor, float, float]:
        """``(total loss, policy loss, value loss)`` of step ``step``'s batch at its drawn depth."""
        cfg, data = self.config, self.train
        index = self.batch(step)
        x, mask = to_input(data.planes[index]).to(self.device), data.masks(index).to(self.device)
        actions = torch.from_numpy(data.actions[index]).to(self.device)
        values = torch.from_numpy(data.values[index]).to(self.device)
        free, scored = cfg.unroll(np.random.default_rng([cfg.seed, step, 7]))
        with autocast(self.device):
            state = warm_thought(self.net, x, free)
            policy_loss = value_loss = torch.zeros((), device=self.device)
            for t, (logits, value, _) in enumerate(self.net.iterate(x, scored[-1] - free, state), start=free + 1):
                if t in scored:
                    policy_loss = policy_loss + masked_policy_loss(logits, mask, actions[:, cfg.rung(t)])
                    value_loss = value_loss + F.mse_loss(value.float(), values)
        policy_loss, value_loss = policy_loss / len(scored), value_loss / len(scored)
        return policy_loss + cfg.value_weight * value_loss, policy_loss.item(), value_loss.item()

    def validate(self) -> dict[str, float]:
        """Per validation budget: agreement of the legal-move choice with the deepest rung and with the rung
        that budget learns, and the value's squared error."""
        think = max(self.config.val_think)
        agree, value_mse = ladder_agreement(self.net, self.val, self.val_index, think)
        self.net.train()
        metrics = {}
        for t in self.config.val_think:
            metrics[f"val_top_agreement@{t}"] = float(agree[t - 1, -1])
            metrics[f"val_rung_agreement@{t}"] = float(agree[t - 1, self.config.rung(t)])
            metrics[f"val_value_mse@{t}"] = float(value_mse[t - 1])
        return metrics

    @property
    def selection_metric(self) -> str:
        return f"val_top_agreement@{max(self.config.val_think)}"

    def fresh_progress(self) -> dict[str, Any]:
        return {"step": 0, "best": -1.0, "best_step": 0, "train_seconds": 0.0}

    def _session(self) -> dict[str, Any]:
        cfg = self.config
        progress = self.resume()
        self.net.train()
        bar, task = self.progress_bar("training", cfg.steps, progress["step"])
        with bar:
            window: list[tuple[float, float]] = []
            started = time.perf_counter()
            while progress["step"] < cfg.steps:
                if self.out_of_time():
                    progress["train_seconds"] += time.perf_counter() - started
                    self.save_state(progress)
                    self.console.log(f"stopped at step {progress['step']} after {self.max_seconds:.0f} s")
                    break
                step = progress["step"]
                set_lr(self.optimizer, self.lr(step))
                loss, policy_loss, value_loss = self.loss(step)
                optimizer_step(self.optimizer, self.net, loss, cfg.clip)
                window.append((policy_loss, value_loss))
                progress["step"] = step + 1
                bar.advance(task)
                if progress["step"] % cfg.eval_every == 0 or progress["step"] == cfg.steps:
                    metrics = self.validate()
                    progress["train_seconds"] += time.perf_counter() - started
                    started = time.perf_counter()
                    policy_mean, value_mean = np.mean(window, axis=0)
                    window = []
                    record = {"step": progress["step"], "policy_loss": float(policy_mean)}
                    record |= {"value_loss": float(value_mean), **metrics, "lr": self.lr(step)}
                    record["train_seconds"] = round(progress["train_seconds"], 1)
                    if metrics[self.selection_metric] > progress["best"]:
                        progress["best"], progress["best_step"] = metrics[self.selection_metric], progress["step"]
                        self.keep_best(self.card(progress, metrics))
                    self.log_metrics(record)
                    self.save_state(progress)
                    self.console.log(record)
                elif progress["step"] % cfg.save_every == 0:
                    progress["train_seconds"] += time.perf_counter() - started
                    started = time.perf_counter()
                    self.save_state(progress)
        return progress

    def card(self, progress: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        """The model card of the run so far."""
        cfg = self.config
        training = {
            "data": f"{len(self.train)} ladder-labelled positions of the training chunks among the first "
            f"{cfg.chunks} of {cfg.data} (validation: {len(self.val_index)} positions of its validation chunks)",
            "step": progress["step"],
            "best_step": progress["best_step"],
            **metrics,
            "train_seconds": round(progress["train_seconds"], 1),
        }
        return run_card("chess", CHESS_GAME, cfg, self.net, training, actions=NUM_ACTIONS)


def ladder_agreement(
    net: ChessNetwork, split: LadderSplit, index: np.ndarray, think: int, batch_size: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """After each of ``think`` iterations, the share of the chosen positions whose legal-move choice matches
    each rung's move, ``(think, rungs)``, and the value's mean squared error, ``(think,)``."""
    planes, actions, values = split.planes[index], split.actions[index], split.values[index]
    return move_agreement(net, planes, actions, lambda rows: split.masks(index[rows]), think, values, batch_size)
