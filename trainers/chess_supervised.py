"""Supervised warm start of the chess policy on Stockfish-labelled positions, with the progressive loss.

Each batch draws n ~ U{0..m-1} gradient-free iterations and k ~ U{1..m-n} scored ones (as
:mod:`trainers.progressive`), and scores the policy (cross entropy with Stockfish's best move) and the value
(squared error with Stockfish's score) after the last one. Validation games are disjoint from training games
(the last chunks of the labelled folder); the kept model is the one whose legal-move choice agrees most often
with Stockfish on them. Resumes after an interrupt from the last finished epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chess
import numpy as np
import torch
import torch.nn.functional as F
from rich.progress import Progress, TaskID

from agents.checkpoint import CHESS_GAME, load_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.device import autocast
from agents.thinking import iterations
from puzzles.chess_encoding import NUM_ACTIONS, encode_move, legal_action_mask
from puzzles.chess_game import game_planes
from puzzles.chess_positions import load_positions
from puzzles.storage import load_arrays, save_arrays
from trainers.cards import run_card
from trainers.progressive import sample_progressive, warm_thought
from trainers.run import BEST_STEM, Run, optimizer_step, scheduled_lr, set_lr


@dataclass(frozen=True)
class ChessTrainConfig:
    """The chess warm-start recipe (recorded in the model card).

    Attributes:
        data: folder of labelled position chunks (``scripts/label_positions.py``).
        network: :class:`agents.chess_network.ChessNetworkConfig` fields.
        val_chunks: the last chunks of ``data`` held out for validation (whole games).
        epochs, batch_size, lr, weight_decay, warmup_steps, lr_decay_epochs, lr_factor, clip: the optimiser.
        max_iters: m, the training regime's iterations.
        value_weight: weight of the value loss beside the policy's cross entropy.
        seed: weights, shuffling and progressive draws.
    """

    data: str = "data/positions"
    network: dict = field(default_factory=lambda: {"width": 64, "blocks": 1})
    val_chunks: int = 5
    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 300
    lr_decay_epochs: list[int] = field(default_factory=lambda: [3, 4])
    lr_factor: float = 0.2
    clip: float = 1.0
    max_iters: int = 8
    value_weight: float = 1.0
    seed: int = 0


def encode_position(board: chess.Board, move: chess.Move) -> tuple[np.ndarray, int]:
    """One position as stored for training: uint8 planes ``(19, 8, 8)`` and the move's action index.

    The fifty-move plane is stored as the half-move count (0..100) and scaled back by :func:`to_input`.
    """
    planes = game_planes(board)
    planes[18] *= 100
    return np.rint(planes).astype(np.uint8), encode_move(board, move)


def encode_positions(fens: np.ndarray, moves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labelled positions (FEN, UCI move) as ``(planes uint8 (N, 19, 8, 8), actions int64 (N,))``."""
    planes = np.empty((len(fens), 19, 8, 8), dtype=np.uint8)
    actions = np.empty(len(fens), dtype=np.int64)
    for i, (fen, uci) in enumerate(zip(fens, moves, strict=True)):
        planes[i], actions[i] = encode_position(chess.Board(str(fen)), chess.Move.from_uci(str(uci)))
    return planes, actions


def legal_masks(fens: np.ndarray) -> np.ndarray:
    """The legal moves of each position (FENs), ``(N, 4672)`` bool in the policy's action order."""
    return np.stack([legal_action_mask(chess.Board(str(fen))) for fen in fens]).astype(bool)


def to_input(planes: np.ndarray) -> torch.Tensor:
    """Stored uint8 planes to the network's float input."""
    x = torch.from_numpy(planes).float()
    x[:, 18] /= 100
    return x


def progressive_heads(
    net: ChessNetwork, x: torch.Tensor, max_iters: int, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """The progressive loss's forward (:mod:`trainers.progressive`): n ~ U{0..m-1} iterations without gradients,
    then k ~ U{1..m-n} with; returns ``(policy logits, value)`` after the last."""
    n, k = sample_progressive(max_iters, rng)
    logits, value, _ = net(x, k, warm_thought(net, x, n), start=n)
    return logits, value


def load_encoded(folder: str | Path) -> dict[str, np.ndarray]:
    """Labelled positions (:func:`puzzles.chess_positions.load_positions`) with their encoding, ``planes`` and
    ``actions``. The encoding (minutes for 100,000s of positions) is cached beside
    the chunks."""
    data = load_positions(folder)
    cache = Path(folder) / f"encoded_{len(data['fens'])}.npz"
    if cache.is_file():
        data.update(load_arrays(cache, ("planes", "actions")))
    else:
        data["planes"], data["actions"] = encode_positions(data["fens"], data["moves"])
        save_arrays(cache, planes=data["planes"], actions=data["actions"])
    return data


class ChessTrainer(Run):
    """Fits a :class:`agents.chess_network.ChessNetwork` to labelled positions.

    Args:
        config: the recipe.
        run_dir: folder of the run; an existing run there is resumed.
        progress: show a rich progress bar.
        max_seconds: stop after the epoch that passes this many seconds of the session (saved; resume later).
    """

    def __init__(
        self, config: ChessTrainConfig, run_dir: str | Path, progress: bool = True, max_seconds: float | None = None
    ) -> None:
        super().__init__(config, run_dir, progress, max_seconds)
        self.net = ChessNetwork(ChessNetworkConfig.from_dict(config.network))
        self.optimizer = torch.optim.AdamW(self.net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self._load_data()

    def _load_data(self) -> None:
        cfg = self.config
        data = load_encoded(cfg.data)
        val = data["chunk"] >= data["chunk"].max() + 1 - cfg.val_chunks  # whole chunks (whole games) held out
        if val.all() or not val.any():
            raise ValueError(f"{cfg.data} needs more than val_chunks={cfg.val_chunks} chunks")
        self.train = data["planes"][~val], data["actions"][~val], data["values"][~val]
        self.val = data["planes"][val], data["actions"][val], data["values"][val]
        self.val_masks = legal_masks(data["fens"][val])

    def loss(self, x: torch.Tensor, action: torch.Tensor, value: torch.Tensor, rng: np.random.Generator):
        """The progressive loss of one batch: ``(total, policy cross entropy, value squared error)``."""
        logits, predicted = progressive_heads(self.net, x, self.config.max_iters, rng)
        policy_loss = F.cross_entropy(logits, action)
        value_loss = F.mse_loss(predicted, value)
        return policy_loss + self.config.value_weight * value_loss, policy_loss, value_loss

    @torch.inference_mode()
    def validate(self, iters: int | None = None) -> dict[str, float]:
        """Agreement of the legal-move choice with Stockfish, policy loss and value error on validation games."""
        self.net.eval()
        planes, actions, values = self.val
        agree, policy_loss, value_loss = 0.0, 0.0, 0.0
        for start in range(0, len(actions), 500):
            x = to_input(planes[start : start + 500])
            logits, predicted, _ = self.net(x, iters or self.config.max_iters)
            target = torch.from_numpy(actions[start : start + 500])
            mask = torch.from_numpy(self.val_masks[start : start + 500])
            agree += (logits.masked_fill(~mask, -1e9).argmax(1) == target).sum().item()
            policy_loss += F.cross_entropy(logits, target, reduction="sum").item()
            value_loss += F.mse_loss(predicted, torch.from_numpy(values[start : start + 500]), reduction="sum").item()
        self.net.train()
        count = len(actions)
        return {
            "val_move_agreement": agree / count,
            "val_policy_loss": policy_loss / count,
            "val_value_mse": value_loss / count,
        }

    def fresh_progress(self) -> dict[str, Any]:
        return {"epoch": 0, "step": 0, "best": -1.0, "best_epoch": 0, "train_seconds": 0.0}

    def _session(self) -> dict[str, Any]:
        cfg = self.config
        progress = self.resume()
        batches = len(self.train[1]) // cfg.batch_size
        for epoch, bar, task in self.epochs(progress, batches):
            started = time.perf_counter()
            train_loss = self._train_epoch(epoch, progress, bar, task, batches)
            metrics = self.validate()
            progress["train_seconds"] += time.perf_counter() - started
            progress["epoch"] = epoch + 1
            record = {"epoch": epoch + 1, "step": progress["step"], "loss": train_loss, **metrics}
            record["seconds"] = round(time.perf_counter() - started, 1)
            if metrics["val_move_agreement"] > progress["best"]:
                progress["best"], progress["best_epoch"] = metrics["val_move_agreement"], epoch + 1
                self.keep_best(self.card(progress, metrics))
            self.log_metrics(record)
            self.save_state(progress)
            self.console.log(record)
        return progress

    def _train_epoch(self, epoch: int, progress: dict[str, Any], bar: Progress, task: TaskID, batches: int) -> float:
        cfg = self.config
        planes, actions, values = self.train
        order = np.random.default_rng([cfg.seed, epoch]).permutation(len(actions))
        rng = np.random.default_rng([cfg.seed, epoch, 1])
        total = 0.0
        self.net.train()
        for b in range(batches):
            index = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            set_lr(self.optimizer, scheduled_lr(cfg, progress["step"], epoch))
            loss, _, _ = self.loss(
                to_input(planes[index]), torch.from_numpy(actions[index]), torch.from_numpy(values[index]), rng
            )
            optimizer_step(self.optimizer, self.net, loss, cfg.clip)
            progress["step"] += 1
            total += loss.item()
            bar.advance(task)
        return total / max(batches, 1)

    def exported(self) -> tuple[ChessNetwork, dict[str, Any]]:
        """The best-on-validation network with its card, updated to the whole run's epochs and time."""
        net, card = load_checkpoint(self.run_dir / BEST_STEM)
        progress = self.saved_progress()
        card["training"].update(epochs=progress["epoch"], train_seconds=round(progress["train_seconds"], 1))
        return net, card  # type: ignore[return-value]

    def card(self, progress: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        """The model card of the run so far."""
        cfg = self.config
        training = {
            "data": f"{len(self.train[1])} Stockfish-labelled positions from {cfg.data} "
            f"(validation: {len(self.val[1])} positions of the last {cfg.val_chunks} chunks)",
            "epochs": progress["epoch"],
            "best_epoch": progress["best_epoch"],
            **metrics,
            "val_iters": cfg.max_iters,
            "train_seconds": round(progress["train_seconds"], 1),
        }
        return run_card("chess", CHESS_GAME, cfg, self.net, training, actions=NUM_ACTIONS)


def agreement_per_iteration(
    net: ChessNetwork, planes: np.ndarray, actions: np.ndarray, masks: np.ndarray, iters: int, batch_size: int = 500
) -> np.ndarray:
    """The share of positions whose legal-move choice matches the label after each of ``iters`` iterations."""
    return move_agreement(net, planes, actions[:, None], masks, iters, batch_size=batch_size)[0][:, 0]


@torch.inference_mode()
def move_agreement(
    net: ChessNetwork,
    planes: np.ndarray,
    actions: np.ndarray,
    masks: np.ndarray | Callable[[slice], torch.Tensor],
    iters: int,
    values: np.ndarray | None = None,
    batch_size: int = 500,
) -> tuple[np.ndarray, np.ndarray | None]:
    """After each of ``iters`` iterations, the share of positions whose legal-move choice (the most probable legal
    move) matches each column of ``actions`` ``(N, columns)``, as ``(iters, columns)``, and the value's mean
    squared error against ``values`` ``(iters,)`` (None without ``values``).

    ``masks`` holds the legal moves, ``(N, 4672)`` bool, or makes them for a slice of the positions.
    """
    net.eval()
    device = next(net.parameters()).device

    def encode(rows: slice) -> tuple:
        mask = masks(rows) if callable(masks) else torch.from_numpy(masks[rows])
        target = None if values is None else torch.from_numpy(values[rows]).to(device)
        return to_input(planes[rows]).to(device), mask.to(device), torch.from_numpy(actions[rows]).to(device), target

    agree = np.zeros((iters, actions.shape[1]))
    value_se = np.zeros(iters)
    with autocast(device):
        for step in iterations(net, len(actions), iters, encode, batch_size):
            (_, mask, target, value_target), (logits, value), t = step.batch, step.outputs, step.number - 1
            choice = logits.float().masked_fill(~mask, -1e9).argmax(1, keepdim=True)
            agree[t] += (choice == target).sum(0).cpu().numpy()
            if value_target is not None:
                value_se[t] += ((value.float() - value_target) ** 2).sum().item()
    count = max(len(actions), 1)
    return agree / count, None if values is None else value_se / count
