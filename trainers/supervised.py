"""The supervised trainer: progressive loss, resumable, seeded, and data-parallel under ``torchrun``.

A run lives in one folder::

    config.json        the TrainConfig it was started with (a resumed run must match it)
    state.pt           resumable state after the last finished epoch (weights_only-loadable)
    best.safetensors   the best-on-validation network, with best.json as its model card
    metrics.jsonl      one JSON line per epoch

Everything random in an epoch is drawn from generators seeded by ``(seed, epoch)``, so a run killed at any
moment and resumed from its last epoch reproduces the uninterrupted run exactly.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from torch import nn

from agents.checkpoint import load_checkpoint, load_training_state, save_checkpoint, save_training_state
from agents.networks import NetworkConfig, ThinkingNetwork, build_network, fast_cpu_math
from agents.problems import Problem, get_problem
from puzzles.storage import atomic_write, save_json
from trainers.evaluation import score_at
from trainers.progressive import thinking_loss

STATE_FILE = "state.pt"
LOCK_FILE = ".lock"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
BEST_STEM = "best"


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
        seed: seed of the weights, the shuffling and the progressive draws.
        eval_batch_size: batch size for validation.
        init_from: a checkpoint to start from instead of random weights (continued training; its network
            config must match), or "".
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
    seed: int = 0
    eval_batch_size: int = 500
    init_from: str = ""

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


def code_version() -> str:
    """The package version and, in a git checkout, the commit (with ``+dirty`` for uncommitted changes)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        text = version("deep-thinking-suite")
    except PackageNotFoundError:
        text = "unknown"
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        text += f" (git {commit}{'+dirty' if dirty else ''})"
    except (OSError, subprocess.CalledProcessError):
        pass
    return text


def hardware() -> str:
    """The CPU model, its core count and torch's threads, for model cards."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, torch {torch.__version__}"


def lock_run_dir(run_dir: Path) -> Any:
    """Holds an exclusive lock on a run folder (close the returned handle to release), so two trainers never
    write one run.

    Raises:
        ValueError: another process holds it.
    """
    handle = open(run_dir / LOCK_FILE, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ValueError(f"another trainer is running in {run_dir}; wait for it or use another folder") from None
    return handle


def append_metrics(run_dir: Path, record: dict[str, Any]) -> None:
    """Adds one JSON line to the run's metrics log, rewriting it atomically (a log is one line per epoch or round,
    so a crash can no longer tear a line; a torn line of an older run stays on its own and is dropped on resume)."""
    path = run_dir / METRICS_FILE
    text = path.read_text(errors="replace") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text + json.dumps(record) + "\n"))


def _truncate_metrics(run_dir: Path, unit: str, done: int) -> int:
    """Keeps the metric lines whose ``unit`` (epoch, round) is at most ``done``: later ones were written before a
    kill and the run redoes them. Lines that do not parse (torn by a crash mid-write) are dropped too; returns
    how many. The log is rewritten atomically."""
    path = run_dir / METRICS_FILE
    if not path.is_file():
        return 0
    kept, torn = [], 0
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line) if line.strip() else None
        except ValueError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get(unit), int):
            torn += bool(line.strip())
        elif record[unit] <= done:
            kept.append(line)
    atomic_write(path, lambda tmp: tmp.write_text("".join(line + "\n" for line in kept)))
    return torn


def _recorded_config(config_path: Path) -> Any:
    try:
        return json.loads(config_path.read_bytes())
    except (ValueError, RecursionError) as error:
        raise ValueError(
            f"corrupt run config {config_path}: {error}; delete it to record this recipe, or use a new folder"
        ) from None


def _load_state(state_path: Path, net: nn.Module, optimizer: torch.optim.Optimizer, unit: str) -> dict[str, Any]:
    """The run's state, checked and loaded into ``net`` and ``optimizer``."""
    state = load_training_state(state_path)
    if not isinstance(state["progress"].get(unit), int):
        raise ValueError(f"corrupt training state {state_path}: its progress records no {unit}")
    try:
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"training state {state_path} does not fit this run's network or optimizer: {error}") from None
    return state


def resume_run(
    run_dir: Path,
    config: Any,
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    unit: str = "epoch",
    write: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Records ``config`` (a dataclass) in ``run_dir/config.json`` and loads the run's last state, if any, into
    ``net`` and ``optimizer``; returns that state (None for a fresh run).

    Metric lines of ``unit``s after the saved state's (written just before a kill) are dropped, since the run
    redoes them, and so are lines torn by a crash mid-write (``log``, default stderr, says how many).
    ``write=False`` (data-parallel ranks other than 0) only reads.

    Raises:
        ValueError: the folder holds a run with another config, or a corrupt config or state (naming the file).
    """
    config_path, state_path = run_dir / CONFIG_FILE, run_dir / STATE_FILE
    recorded = json.loads(json.dumps(asdict(config)))
    if config_path.is_file():
        if _recorded_config(config_path) != recorded:
            raise ValueError(f"{run_dir} holds a run with another config; use a new folder or the same recipe")
    elif write:
        save_json(config_path, recorded)
    state = _load_state(state_path, net, optimizer, unit) if state_path.is_file() else None
    if write:
        torn = _truncate_metrics(run_dir, unit, state["progress"][unit] if state is not None else 0)
        if torn:
            message = f"{run_dir / METRICS_FILE}: dropped {torn} unreadable line(s) (written by a run killed mid-line)"
            (log or (lambda text: print(text, file=sys.stderr)))(message)
    return state


def scheduled_lr(config: Any, step: int, epoch: int) -> float:
    """The learning rate of a recipe with ``lr``, ``warmup_steps`` (per step, linear), ``lr_decay_epochs`` and
    ``lr_factor``, at optimiser step ``step`` of epoch ``epoch``."""
    warm = min(1.0, (step + 1) / config.warmup_steps) if config.warmup_steps > 0 else 1.0
    return config.lr * warm * config.lr_factor ** sum(epoch >= e for e in config.lr_decay_epochs)


class Trainer:
    """Fits a thinking network to a problem with the progressive loss.

    Args:
        config: the recipe.
        run_dir: folder of the run; an existing run there is resumed.
        progress: show a rich progress bar (rank 0 only).
        name: name recorded in the model card.
    """

    def __init__(self, config: TrainConfig, run_dir: str | Path, progress: bool = True, name: str = "") -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.name = name or config.problem
        self.problem = get_problem(config.problem)
        self.rank, self.world = _distributed()
        self.console = Console(stderr=True, quiet=self.rank != 0)
        self.show_progress = progress and self.rank == 0
        fast_cpu_math()
        torch.manual_seed(config.seed)
        self.net: ThinkingNetwork = build_network(config.network_config(self.problem))
        if config.init_from:
            start, _ = load_checkpoint(config.init_from)
            if start.config != self.net.config:
                raise ValueError(f"{config.init_from} has another network ({start.config}) than this recipe")
            self.net.load_state_dict(start.state_dict())
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
        inputs, targets = self.problem.generate(cfg.dataset_size, cfg.train_difficulty, rng)
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
    def _resume(self) -> dict[str, Any]:
        """Loads the last finished epoch's state, or starts fresh (writing config.json)."""
        state = resume_run(
            self.run_dir, self.config, self.net, self.optimizer, write=self.rank == 0, log=self.console.log
        )
        if state is None:
            return {
                "epoch": 0,
                "step": 0,
                "best_val": -1.0,
                "best_val_loss": float("inf"),
                "best_epoch": 0,
                "train_seconds": 0.0,
            }
        self.console.log(f"resumed {self.run_dir} after epoch {state['progress']['epoch']}")
        return state["progress"]

    def _save_state(self, progress: dict[str, Any]) -> None:
        state = {"model": self.net.state_dict(), "optimizer": self.optimizer.state_dict(), "progress": progress}
        save_training_state(self.run_dir / STATE_FILE, state)

    def card(self, progress: dict[str, Any]) -> dict[str, Any]:
        """The model card of the run so far."""
        cfg = self.config
        data = (
            f"fresh {cfg.problem} instances of difficulty {cfg.train_difficulty} every epoch "
            f"({len(self.fixed_train[0])} per epoch); validation: {len(self.val_inputs)} held out from "
            f"{cfg.dataset_size} generated with seed {cfg.split_seed}"
            if cfg.fresh_data
            else f"{cfg.dataset_size} {cfg.problem} instances of difficulty {cfg.train_difficulty} "
            f"(seed {cfg.split_seed}), split {1 - cfg.val_fraction:.0%}/{cfg.val_fraction:.0%}"
        )
        return {
            "name": self.name,
            "problem": cfg.problem,
            "recipe": asdict(cfg),
            "training": {
                "data": data,
                "epochs": progress["epoch"],
                "best_epoch": progress["best_epoch"],
                "best_val_exact_match": progress["best_val"],
                "best_val_loss": progress.get("best_val_loss"),
                "val_iters": cfg.max_iters,
                "train_seconds": round(progress["train_seconds"], 1),
                "hardware": hardware(),
                "processes": self.world,
            },
            "parameters": sum(p.numel() for p in self.net.parameters()),
            "code": code_version(),
        }

    # ----------------------------------------------------------------------------------------- loop
    def validate(self) -> tuple[float, float]:
        """Exact-match accuracy and mean loss on the validation share at ``max_iters`` iterations."""
        return score_at(
            self.net,
            self.problem,
            self.val_inputs,
            self.val_targets,
            self.config.max_iters,
            self.config.eval_batch_size,
        )

    def run(self) -> dict[str, Any]:
        """Trains to the last epoch (resuming if possible) and returns the final progress record."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        lock = lock_run_dir(self.run_dir) if self.rank == 0 else None
        try:
            return self._run()
        finally:
            if lock is not None:
                lock.close()

    def _run(self) -> dict[str, Any]:
        cfg = self.config
        progress = self._resume()
        train_size = len(self.fixed_train[0])
        batches = train_size // cfg.batch_size
        if batches == 0:
            raise ValueError(f"batch_size {cfg.batch_size} exceeds the {train_size} training instances")
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.show_progress,
        )
        with bar:
            task = bar.add_task(
                "training", total=cfg.epochs * batches, completed=progress["epoch"] * batches, status=""
            )
            for epoch in range(progress["epoch"], cfg.epochs):
                started = time.perf_counter()
                loss = self._train_epoch(epoch, progress, bar, task, batches)
                val, val_loss = self.validate()
                progress["epoch"] = epoch + 1
                progress["train_seconds"] += time.perf_counter() - started
                # Best on validation: highest exact match, ties (a saturated 100%) broken by the lower loss.
                best_loss = progress.get("best_val_loss", float("inf"))
                if (val, -val_loss) > (progress["best_val"], -best_loss):
                    progress["best_val"], progress["best_val_loss"] = val, val_loss
                    progress["best_epoch"] = epoch + 1
                    if self.rank == 0:
                        save_checkpoint(self.run_dir / BEST_STEM, self.net, self.card(progress))
                record = {
                    "epoch": epoch + 1,
                    "step": progress["step"],
                    "loss": loss,
                    "val_exact_match": val,
                    "val_loss": round(val_loss, 6),
                    "lr": scheduled_lr(cfg, progress["step"], epoch),
                    "seconds": round(time.perf_counter() - started, 2),
                    "samples_per_second": round(batches * cfg.batch_size / (time.perf_counter() - started), 1),
                }
                if self.rank == 0:
                    append_metrics(self.run_dir, record)
                    self._save_state(progress)
                bar.update(task, status=f"epoch {epoch + 1} loss {loss:.4f} val {val:.4f}")
                if not self.show_progress:
                    self.console.log(json.dumps(record))
        if self.world > 1:
            dist.barrier()
        return progress

    def _train_epoch(self, epoch: int, progress: dict[str, Any], bar: Progress, task: Any, batches: int) -> float:
        cfg = self.config
        self.net.train()
        inputs, targets = self._train_data(epoch)
        order = np.random.default_rng([cfg.seed, epoch, 1]).permutation(len(inputs))
        draws = np.random.default_rng([cfg.seed, epoch, 2])
        total = 0.0
        for b in range(batches):
            # Each rank takes its interleaved share of the global batch.
            index = order[b * cfg.batch_size : (b + 1) * cfg.batch_size][self.rank :: self.world]
            x = self.problem.encode(inputs[index])
            y = self.problem.encode_target(targets[index])
            lr = scheduled_lr(cfg, progress["step"], epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr * group["lr_scale"]
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
            )
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.clip is not None:
                nn.utils.clip_grad_norm_(self.net.parameters(), cfg.clip)
            self.optimizer.step()
            progress["step"] += 1
            total += parts["loss"]
            bar.advance(task)
        return total / batches

    def export(self, stem: str | Path) -> Path:
        """Writes the best-on-validation network to ``stem`` with a card describing the whole run.

        Raises:
            FileNotFoundError: no run folder, or no finished epoch in it yet.
        """
        if not self.run_dir.is_dir():
            raise FileNotFoundError(f"no run folder {self.run_dir} to export from")
        lock = lock_run_dir(self.run_dir)
        lock.close()  # only checks that no trainer is writing the run right now
        progress = load_training_state(self.run_dir / STATE_FILE)["progress"]
        net, best_card = load_checkpoint(self.run_dir / BEST_STEM)
        card = self.card(progress)
        # The machine that trained the run, not the one exporting it (which may run other thread counts).
        card["training"]["hardware"] = best_card.get("training", {}).get("hardware", card["training"]["hardware"])
        previous = Path(stem).with_suffix(".json")
        if previous.is_file():
            old = json.loads(previous.read_text())
            card["ablations"] = old.get("ablations", {})  # they describe other runs: they survive a re-export
            if _same_weights(stem, net):  # measurements of these very weights stay true
                for key in ("evaluation", "recommended_think"):
                    if key in old:
                        card[key] = old[key]
        return save_checkpoint(stem, net, card)


def _same_weights(stem: str | Path, net: ThinkingNetwork) -> bool:
    try:
        shipped, _ = load_checkpoint(stem)
    except (FileNotFoundError, ValueError):
        return False
    theirs, ours = shipped.state_dict(), net.state_dict()
    return theirs.keys() == ours.keys() and all(torch.equal(theirs[k], ours[k]) for k in ours)
