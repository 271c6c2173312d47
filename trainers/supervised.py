"""The supervised trainer: progressive loss, resumable, seeded, and data-parallel under ``torchrun``.

A run folder (:mod:`trainers.run`) holds config.json (the :class:`TrainConfig`), state.pt after the last finished
epoch, best.safetensors (the best on validation, with best.json as its model card) and metrics.jsonl (one line per
epoch). Everything random in an epoch is drawn from generators seeded by ``(seed, epoch)``, so a run killed at any
moment and resumed from its last epoch reproduces the uninterrupted run exactly.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from rich.progress import Progress, TaskID
from torch import nn

from agents.checkpoint import load_checkpoint
from agents.device import autocast, check_precision, resolve_device
from agents.networks import NetworkConfig, ThinkingNetwork, build_network
from agents.problems import Problem, get_problem
from trainers.cards import run_card
from trainers.evaluation import score_at
from trainers.progressive import thinking_loss
from trainers.run import BEST_STEM, Run, lock_run_dir, optimizer_step, scheduled_lr, set_lr


@dataclass
class TrainConfig:
    """A training recipe. Every field is recorded in the model card.

    Attributes:
        problem: registered problem name (``agents.problems``).
        network: :class:`agents.networks.NetworkConfig` fields (problem channels are filled in).
        train_difficulty: size of training instances (bits, maze size, ...).
        dataset_size: instances generated before the train/validation split.
        val_fraction: share held out for validation (the original: 0.2).
        split_seed: seed of the data and of the split (the original: 42).
        fresh_data: regenerate the training share every epoch from the problem's generator.
        epochs: passes over the training share.
        batch_size: global batch size (split across data-parallel ranks).
        optimizer: ``"adam"``, ``"adamw"`` or ``"sgd"`` (momentum 0.9).
        lr: peak learning rate.
        weight_decay: L2 (adam, sgd) or decoupled (adamw) weight decay.
        warmup_steps: linear learning-rate warm-up, per optimiser step.
        lr_decay_epochs: epochs at which the learning rate is multiplied by ``lr_factor``.
        lr_factor: the decay factor.
        recur_lr_scale: learning-rate multiplier for the recurrent stage and recall conv (the original's
            ``lr_throttle`` for mazes is ``1 / max_iters``).
        clip: gradient-norm clip, or None.
        alpha: weight of the progressive loss.
        max_iters: iterations in the training regime (m).
        depth: ``"progressive"`` (the progressive term draws n ~ U{0..m-1}, k ~ U{1..m-n}) or ``"random"`` (it
            draws a depth log-uniform on 1..``max_depth`` and backpropagates through the last ``bptt``
            iterations: :func:`trainers.progressive.sample_unroll`); recurrent networks only.
        max_depth, bptt: the random depth's longest unroll and its backpropagated tail.
        change_penalty: weight of the thought's squared relative change over the last scored iteration
            (:func:`trainers.progressive.relative_change`), 0 for none; recurrent networks with alpha > 0 only.
            Its twin, a normalised thought, is a network setting: ``network={"state_norm": True}``.
        seed: seed of the weights, the shuffling and the progressive draws.
        eval_batch_size: batch size for validation.
        init_from: a checkpoint to start from instead of random weights (continued training; its network
            config must match), or "".
        data: the data file of a family that reads its instances from one (chess puzzles: a Lichess-format
            CSV, relative to the repository root), or "" for the family's own; solvers of the run read the same.
    """

    problem: str = "prefix_sums"
    network: dict[str, Any] = field(default_factory=dict)
    train_difficulty: int = 32
    dataset_size: int = 10_000
    val_fraction: float = 0.2
    split_seed: int = 42
    fresh_data: bool = True
    epochs: int = 100
    batch_size: int = 100
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 2e-4
    warmup_steps: int = 500
    lr_decay_epochs: list[int] = field(default_factory=list)
    lr_factor: float = 0.1
    recur_lr_scale: float = 1.0
    clip: float | None = 1.0
    alpha: float = 1.0
    max_iters: int = 30
    depth: str = "progressive"
    max_depth: int = 256
    bptt: int = 8
    change_penalty: float = 0.0
    seed: int = 0
    eval_batch_size: int = 500
    init_from: str = ""
    data: str = ""

    def network_config(self, problem: Problem) -> NetworkConfig:
        """The network config with the problem's channels and dimensionality."""
        values = {
            "dims": problem.dims,
            "in_channels": problem.in_channels,
            "out_channels": problem.out_channels,
            "max_iters": self.max_iters,
            **self.network,
        }
        return NetworkConfig.from_dict(values)

    def __post_init__(self) -> None:
        if self.depth not in ("progressive", "random"):
            raise ValueError(f"depth is 'progressive' or 'random', got {self.depth!r}")
        if self.depth == "random" and self.network.get("kind", "dt") != "dt":
            raise ValueError("a random unroll depth needs a recurrent network (kind 'dt')")
        if self.change_penalty < 0:
            raise ValueError(f"change_penalty must be at least 0, got {self.change_penalty}")
        if self.change_penalty > 0 and (self.network.get("kind", "dt") != "dt" or self.alpha <= 0):
            raise ValueError("a change penalty needs a recurrent network (kind 'dt') and alpha > 0")

    @property
    def unroll(self) -> tuple[int, int] | None:
        """``(max_depth, bptt)`` for a random depth, None for the progressive draw."""
        return (self.max_depth, self.bptt) if self.depth == "random" else None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training settings: {sorted(unknown)}")
        return cls(**values)


def _distributed() -> tuple[int, int]:
    """``(rank, world_size)``, initialising gloo when launched by torchrun with several processes."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size()


class Trainer(Run):
    """Fits a thinking network to a problem with the progressive loss.

    Args:
        config: the recipe.
        run_dir: folder of the run; an existing run there is resumed.
        progress: show a rich progress bar (rank 0 only).
        name: name recorded in the model card.
        max_seconds: stop after the epoch that passes this many seconds of the session (saved; resume later).
        device: where the network trains (:func:`agents.device.resolve_device`); not part of the recipe, so a run
            may resume on another device.
        precision: ``"fp32"`` or ``"bf16"`` (bfloat16 autocast for the training and validation forwards).
    """

    def __init__(
        self,
        config: TrainConfig,
        run_dir: str | Path,
        progress: bool = True,
        name: str = "",
        max_seconds: float | None = None,
        device: str = "cpu",
        precision: str = "fp32",
    ) -> None:
        self.device = resolve_device(device)
        self.precision = check_precision(precision, self.device)
        self.rank, self.world = _distributed()
        super().__init__(config, run_dir, progress, max_seconds, writer=self.rank == 0)
        self.name = name or config.problem
        self.problem = get_problem(config.problem).reading(config.data)
        self.net: ThinkingNetwork = build_network(config.network_config(self.problem))
        if config.init_from:
            start, _ = load_checkpoint(config.init_from)
            if start.config != self.net.config:
                raise ValueError(f"{config.init_from} has another network ({start.config}) than this recipe")
            self.net.load_state_dict(start.state_dict())
        self.net.to(self.device)
        self.model: nn.Module = self.net
        if self.world > 1:
            # Warm-up iterations skip the projection, so some parameters get no gradient in a step.
            self.model = nn.parallel.DistributedDataParallel(self.net, find_unused_parameters=True)
        self.optimizer = self._make_optimizer()
        self.val_inputs, self.val_targets, self.fixed_train = self._make_data()

    # ----------------------------------------------------------------------------------------- set-up
    def _make_optimizer(self) -> torch.optim.Optimizer:
        cfg = self.config
        recur = [p for n, p in self.net.named_parameters() if n.startswith(("stages", "recall"))]
        other = [p for n, p in self.net.named_parameters() if not n.startswith(("stages", "recall"))]
        groups = [
            {"params": other, "lr_scale": 1.0},
            {"params": recur, "lr_scale": cfg.recur_lr_scale},
        ]
        if cfg.optimizer == "adam":
            return torch.optim.Adam(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
        if cfg.optimizer == "adamw":
            return torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)
        raise ValueError(f"unknown optimizer {cfg.optimizer!r}; use adam, adamw or sgd")

    def _make_data(self) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """The seeded dataset split 80/20: (val inputs, val targets, (train inputs, train targets))."""
        cfg = self.config
        rng = np.random.default_rng(cfg.split_seed)
        inputs, targets = self.problem.held_out("validation", cfg.dataset_size, cfg.train_difficulty, rng)
        order = np.random.default_rng([cfg.split_seed, 1]).permutation(len(inputs))
        n_val = int(round(cfg.val_fraction * len(inputs)))
        val, train = order[:n_val], order[n_val:]
        return inputs[val], targets[val], (inputs[train], targets[train])

    def _train_data(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        if not self.config.fresh_data:
            return self.fixed_train
        rng = np.random.default_rng([self.config.seed, epoch, 0])
        return self.problem.training_data(len(self.fixed_train[0]), self.config.train_difficulty, rng)

    # ----------------------------------------------------------------------------------------- state
    def fresh_progress(self) -> dict[str, Any]:
        progress = {"epoch": 0, "step": 0, "best_val": -1.0, "best_val_loss": float("inf"), "best_epoch": 0}
        return {**progress, "train_seconds": 0.0}

    def card(self, progress: dict[str, Any]) -> dict[str, Any]:
        """The model card of the run so far."""
        cfg = self.config
        source = f" from {cfg.data}" if cfg.data else ""
        data = (
            f"fresh {cfg.problem} instances{source} of difficulty {cfg.train_difficulty} every epoch "
            f"({len(self.fixed_train[0])} per epoch); validation: {len(self.val_inputs)} held out from "
            f"{cfg.dataset_size} generated with seed {cfg.split_seed}"
            if cfg.fresh_data
            else f"{cfg.dataset_size} {cfg.problem} instances{source} of difficulty {cfg.train_difficulty} "
            f"(seed {cfg.split_seed}), split {1 - cfg.val_fraction:.0%}/{cfg.val_fraction:.0%}"
        )
        training = {
            "data": data,
            "epochs": progress["epoch"],
            "best_epoch": progress["best_epoch"],
            "best_val_exact_match": progress["best_val"],
            "best_val_loss": progress.get("best_val_loss"),
            "val_iters": cfg.max_iters,
            "train_seconds": round(progress["train_seconds"], 1),
        }
        card = run_card(self.name, cfg.problem, cfg, self.net, training)
        card["training"]["processes"] = self.world
        card["training"]["device"], card["training"]["precision"] = self.device.type, self.precision
        return card

    # ----------------------------------------------------------------------------------------- loop
    def validate(self) -> tuple[float, float]:
        """Exact-match accuracy and mean loss on the validation share at ``max_iters`` iterations."""
        cfg = self.config
        return score_at(
            self.net,
            self.problem,
            self.val_inputs,
            self.val_targets,
            cfg.max_iters,
            cfg.eval_batch_size,
            self.device,
            self.precision,
        )

    def _session(self) -> dict[str, Any]:
        cfg = self.config
        progress = self.resume()
        train_size = len(self.fixed_train[0])
        batches = train_size // cfg.batch_size
        if batches == 0:
            raise ValueError(f"batch_size {cfg.batch_size} exceeds the {train_size} training instances")
        for epoch, bar, task in self.epochs(progress, batches):
            started = time.perf_counter()
            loss = self._train_epoch(epoch, progress, bar, task, batches)
            val, val_loss = self.validate()
            progress["epoch"] = epoch + 1
            progress["train_seconds"] += time.perf_counter() - started
            # Best on validation: highest exact match, ties (a saturated 100%) broken by the lower loss.
            if (val, -val_loss) > (progress["best_val"], -progress.get("best_val_loss", float("inf"))):
                progress["best_val"], progress["best_val_loss"] = val, val_loss
                progress["best_epoch"] = epoch + 1
                self.keep_best(self.card(progress))
            seconds = time.perf_counter() - started
            record = {
                "epoch": epoch + 1,
                "step": progress["step"],
                "loss": loss,
                "val_exact_match": val,
                "val_loss": round(val_loss, 6),
                "lr": scheduled_lr(cfg, progress["step"], epoch),
                "seconds": round(seconds, 2),
                "samples_per_second": round(batches * cfg.batch_size / seconds, 1),
            }
            self.log_metrics(record)
            self.save_state(progress)
            bar.update(task, status=f"epoch {epoch + 1} loss {loss:.4f} val {val:.4f}")
            if not self.show_progress:
                self.console.log(json.dumps(record))
        if self.world > 1:
            dist.barrier()
        return progress

    def _train_epoch(self, epoch: int, progress: dict[str, Any], bar: Progress, task: TaskID, batches: int) -> float:
        cfg = self.config
        self.net.train()
        inputs, targets = self._train_data(epoch)
        order = np.random.default_rng([cfg.seed, epoch, 1]).permutation(len(inputs))
        draws = np.random.default_rng([cfg.seed, epoch, 2])
        total = 0.0
        for b in range(batches):
            # Each rank takes its interleaved share of the global batch.
            index = order[b * cfg.batch_size : (b + 1) * cfg.batch_size][self.rank :: self.world]
            x = self.problem.encode(inputs[index]).to(self.device)
            y = self.problem.encode_target(targets[index]).to(self.device)
            set_lr(self.optimizer, scheduled_lr(cfg, progress["step"], epoch))
            with autocast(self.device, self.precision):
                loss, parts = thinking_loss(
                    self.model,
                    x,
                    y,
                    self.problem.loss_mask(x),
                    cfg.alpha,
                    cfg.max_iters,
                    draws,
                    warmup_net=self.net,
                    unroll=cfg.unroll,
                    change_penalty=cfg.change_penalty,
                )
            optimizer_step(self.optimizer, self.net, loss, cfg.clip)
            progress["step"] += 1
            total += parts["loss"]
            bar.advance(task)
        return total / batches

    def exported(self) -> tuple[ThinkingNetwork, dict[str, Any]]:
        """The best-on-validation network with a card describing the whole run, trained on the machine that
        trained the run (not the exporting one, which may run other thread counts)."""
        lock_run_dir(self.run_dir).close()  # only checks that no trainer is writing the run right now
        progress = self.saved_progress()
        net, best_card = load_checkpoint(self.run_dir / BEST_STEM)
        card = self.card(progress)
        card["training"]["hardware"] = best_card.get("training", {}).get("hardware", card["training"]["hardware"])
        return net, card
