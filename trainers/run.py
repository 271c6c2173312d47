"""One base for every trainer (supervised, chess, self-play): seed, run folder, resume, atomic state, metrics log,
progress display, time limit and export, the way every SB3 algorithm extends ``BaseAlgorithm``.

A run lives in one folder::

    .lock              held while a trainer writes the folder, so two trainers never share one
    config.json        the recipe it was started with (a resumed run must bring the same one)
    state.pt           all a resumed run needs after its last saved epoch, step or generation (tensors, containers
                       and numbers only: loaded with ``weights_only``, never unpickled), torch's RNG state included
    metrics.jsonl      one JSON line per epoch, validation or generation
    best.safetensors   the best network so far, with best.json as its model card

A run killed at any moment resumes from its last saved state: metric lines logged after it are dropped (the run
redoes them), and every random draw comes from generators seeded by the recipe's seed and the progress counter,
or restored from the state, so the resumed run reproduces the uninterrupted one.
"""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, ClassVar

import torch
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from torch import nn

from agents.checkpoint import (
    TRAINING_STATE_KEYS,
    load_checkpoint,
    load_training_state,
    save_checkpoint,
    save_training_state,
)
from agents.networks import fast_cpu_math
from puzzles.storage import atomic_write, save_json
from trainers.cards import export_checkpoint

STATE_FILE = "state.pt"
LOCK_FILE = ".lock"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
BEST_STEM = "best"
#: The key under which every saved state keeps torch's RNG state (older states lack it).
TORCH_RNG = "torch_rng"


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


def truncate_metrics(run_dir: Path, unit: str, done: int) -> int:
    """Keeps the metric lines whose ``unit`` (epoch, step, generation) is at most ``done`` and that close no session
    (``"final"``): later ones were written before a kill and the run redoes them. Lines that do not parse (torn by a
    crash mid-write) are dropped too; returns how many. The log is rewritten atomically."""
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
        elif record[unit] <= done and not record.get("final"):
            kept.append(line)
    atomic_write(path, lambda tmp: tmp.write_text("".join(line + "\n" for line in kept)))
    return torn


def scheduled_lr(config: Any, step: int, epoch: int) -> float:
    """The learning rate of a recipe with ``lr``, ``warmup_steps`` (per step, linear), ``lr_decay_epochs`` and
    ``lr_factor``, at optimiser step ``step`` of epoch ``epoch``."""
    warm = min(1.0, (step + 1) / config.warmup_steps) if config.warmup_steps > 0 else 1.0
    return config.lr * warm * config.lr_factor ** sum(epoch >= e for e in config.lr_decay_epochs)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Sets every parameter group's learning rate to ``lr`` times the group's ``lr_scale`` (1 if it has none)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)


def optimizer_step(optimizer: torch.optim.Optimizer, net: nn.Module, loss: torch.Tensor, clip: float | None) -> None:
    """One step on ``loss``: fresh gradients, the gradient norm of ``net`` clipped to ``clip`` (None: not)."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip is not None:
        nn.utils.clip_grad_norm_(net.parameters(), clip)
    optimizer.step()


def restore_torch_rng(state: dict[str, Any]) -> None:
    """Puts back torch's RNG state saved with ``state`` (states of older versions have none)."""
    if isinstance(state.get(TORCH_RNG), torch.Tensor):
        torch.set_rng_state(state[TORCH_RNG])


class Run:
    """The base of every trainer.

    It seeds torch from the recipe's ``seed``, locks the run folder while it trains, records the recipe in
    ``config.json`` (refusing another one), saves and loads the state (:meth:`state`, :meth:`load`), keeps the
    metrics log consistent with the state, shows progress, stops after ``max_seconds`` and exports the best
    network with its card. A subclass sets :attr:`unit` and implements :meth:`fresh_progress` and :meth:`_session`,
    and (if it has no ``net`` and ``optimizer``) :meth:`state` and :meth:`load`.

    Args:
        config: the recipe, a dataclass with a ``seed``.
        run_dir: folder of the run; an existing run there is resumed.
        progress: show a progress display.
        max_seconds: stop (after saving) once this session has trained this long; the run resumes later.
        writer: whether this process writes the folder (data-parallel ranks other than 0 only read).
    """

    #: The progress counter that names a saved point and keys the metric lines.
    unit: ClassVar[str] = "epoch"
    #: What a saved state must hold (checked on load, before anything is used).
    state_keys: ClassVar[tuple[str, ...]] = TRAINING_STATE_KEYS
    net: nn.Module
    optimizer: torch.optim.Optimizer

    def __init__(
        self,
        config: Any,
        run_dir: str | Path,
        progress: bool = True,
        max_seconds: float | None = None,
        writer: bool = True,
    ) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.writer = writer
        self.console = Console(stderr=True, quiet=not writer)
        self.show_progress = progress and writer
        self.max_seconds = max_seconds
        self._session_start = time.monotonic()
        fast_cpu_math()
        torch.manual_seed(config.seed)

    # ---- what a subclass provides ---------------------------------------------------------------------------
    def fresh_progress(self) -> dict[str, Any]:
        """The progress record of a run that has not started (it holds :attr:`unit`)."""
        raise NotImplementedError

    def _session(self) -> dict[str, Any]:
        """Trains (the folder locked) until done or out of time; returns the progress record."""
        raise NotImplementedError

    def state(self, progress: dict[str, Any]) -> dict[str, Any]:
        """What :meth:`save_state` writes besides torch's RNG state: by default the network, the optimiser and
        the progress."""
        return {"model": self.net.state_dict(), "optimizer": self.optimizer.state_dict(), "progress": progress}

    def load(self, state: dict[str, Any]) -> None:
        """Puts a loaded :meth:`state` back: by default into the network and the optimiser."""
        try:
            self.net.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(
                f"training state {self.run_dir / STATE_FILE} does not fit this run's network or optimizer: {error}"
            ) from None

    # ---- the folder ---------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Trains to the end (resuming the folder's run if there is one) or until out of time; returns the
        progress record."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        lock = lock_run_dir(self.run_dir) if self.writer else None
        try:
            self._session_start = time.monotonic()
            return self._session()
        finally:
            if lock is not None:
                lock.close()

    def open_run(self) -> dict[str, Any] | None:
        """Records the recipe in ``config.json`` (or checks it against the recorded one), loads the last saved
        state and drops the metric lines logged after it; returns the state, or None for a fresh run.

        Raises:
            ValueError: the folder holds a run with another recipe, or a corrupt config or state (naming the file).
        """
        config_path, state_path = self.run_dir / CONFIG_FILE, self.run_dir / STATE_FILE
        recorded = json.loads(json.dumps(asdict(self.config)))
        if config_path.is_file():
            try:
                earlier = json.loads(config_path.read_bytes())
            except (ValueError, RecursionError) as error:
                raise ValueError(
                    f"corrupt run config {config_path}: {error}; delete it to record this recipe, or use a new folder"
                ) from None
            if earlier != recorded:
                raise ValueError(f"{self.run_dir} holds a run with another config; use a new folder or the same recipe")
        elif self.writer:
            save_json(config_path, recorded)
        state = load_training_state(state_path, self.state_keys) if state_path.is_file() else None
        if state is not None:
            if not isinstance(state["progress"].get(self.unit), int):
                raise ValueError(f"corrupt training state {state_path}: its progress records no {self.unit}")
        if self.writer:
            torn = truncate_metrics(self.run_dir, self.unit, state["progress"][self.unit] if state else 0)
            if torn:
                self.console.log(
                    f"{self.run_dir / METRICS_FILE}: dropped {torn} unreadable line(s) (written by a run "
                    "killed mid-line)"
                )
        return state

    def resume(self) -> dict[str, Any]:
        """The progress to go on from: the last saved state's (loaded with :meth:`load`), or a fresh record."""
        state = self.open_run()
        if state is None:
            return self.fresh_progress()
        self.load(state)
        restore_torch_rng(state)
        self.console.log(f"resumed {self.run_dir} at {self.unit} {state['progress'][self.unit]}")
        return state["progress"]

    def save_state(self, progress: dict[str, Any]) -> None:
        """Writes :meth:`state` and torch's RNG state to ``state.pt`` atomically (a reading rank writes nothing)."""
        if self.writer:
            save_training_state(self.run_dir / STATE_FILE, {**self.state(progress), TORCH_RNG: torch.get_rng_state()})

    def saved_progress(self) -> dict[str, Any]:
        """The progress of the last saved state.

        Raises:
            FileNotFoundError: the run has saved no state yet.
        """
        return load_training_state(self.run_dir / STATE_FILE, self.state_keys)["progress"]

    def log_metrics(self, record: dict[str, Any]) -> None:
        """Adds a line to ``metrics.jsonl`` (a reading rank writes nothing)."""
        if self.writer:
            append_metrics(self.run_dir, record)

    def keep_best(self, card: dict[str, Any]) -> None:
        """Saves the network as the run's best, with ``card``."""
        if self.writer:
            save_checkpoint(self.run_dir / BEST_STEM, self.net, card)

    # ---- the session --------------------------------------------------------------------------------------
    def out_of_time(self) -> bool:
        """Whether this session has run past ``max_seconds``."""
        return self.max_seconds is not None and time.monotonic() - self._session_start > self.max_seconds

    def epochs(self, progress: dict[str, Any], batches: int) -> Iterator[tuple[int, Progress, TaskID]]:
        """The epochs left of the recipe's ``epochs``, each with the progress display (``batches`` steps an epoch);
        stops early, between epochs, when out of time."""
        bar, task = self.progress_bar("training", self.config.epochs * batches, progress["epoch"] * batches)
        with bar:
            for epoch in range(progress["epoch"], self.config.epochs):
                if self.out_of_time():
                    self.console.log(f"stopped after epoch {epoch}: out of time; the same command resumes the run")
                    return
                yield epoch, bar, task

    def progress_bar(self, description: str, total: int, completed: int = 0) -> tuple[Progress, TaskID]:
        """A progress display (shown if asked, on stderr) and its task; ``status`` is a free text field."""
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.show_progress,
        )
        return bar, bar.add_task(description, total=total, completed=completed, status="")

    # ---- after a run --------------------------------------------------------------------------------------
    def export(self, stem: str | Path) -> Path:
        """Writes :meth:`exported` to ``stem`` (:func:`trainers.cards.export_checkpoint`: measurements of the same
        weights already recorded there survive).

        Raises:
            FileNotFoundError: no run folder, or nothing to export in it yet.
        """
        if not self.run_dir.is_dir():
            raise FileNotFoundError(f"no run folder {self.run_dir} to export from")
        net, card = self.exported()
        return export_checkpoint(stem, net, card)

    def exported(self) -> tuple[nn.Module, dict[str, Any]]:
        """The network to ship and its card: by default the best network with the card it was kept with."""
        return load_checkpoint(self.run_dir / BEST_STEM)
