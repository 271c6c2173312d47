"""Where the actors, the learner, the buffer and the evaluator run: one interface, three backends.

- :class:`ProcessBackend`: each actor (and the evaluator) in its own worker process started with ``spawn``,
  one torch thread each (no oversubscription); finished games come back through a queue into the buffer, which
  lives with the learner in the driver process; new weights go to every worker's command queue. A worker whose
  driver dies (``kill -9``) notices and exits.
- :class:`InlineBackend`: one actor stepped in the driver between learner steps, evaluations run on the spot
  (no parallelism; for debugging and quick tests).
- :class:`trainers.selfplay.ray_backend.RayBackend`: the same classes as Ray actors (``--backend ray``).

The driver (:mod:`trainers.selfplay.run`) only calls the :class:`Backend` methods and the ``buffer`` and
``learner`` handles, whose methods are those of :class:`~trainers.selfplay.buffer.ReplayBuffer` and
:class:`~trainers.selfplay.learner.Learner` wherever those objects live.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
import traceback
from abc import ABC, abstractmethod
from typing import Any

import torch

from trainers.cards import hardware
from trainers.selfplay.actors import GameSummary, PlaySettings, SelfPlayActor, Weights
from trainers.selfplay.buffer import ReplayBuffer
from trainers.selfplay.config import RunOptions, SelfPlayConfig
from trainers.selfplay.evaluator import EvalSettings, EvalTask, Evaluator
from trainers.selfplay.learner import Learner, LearnSettings

#: Seconds a stopping worker gets before it is terminated.
STOP_GRACE = 10.0


def play_settings(config: SelfPlayConfig) -> PlaySettings:
    """The actors' share of the recipe."""
    c = config
    return PlaySettings(c.think, c.search, c.considered, c.gumbel_scale, c.concurrent, c.ply_cap, c.openings)


def learn_settings(config: SelfPlayConfig) -> LearnSettings:
    """The learner's share of the recipe."""
    c = config
    return LearnSettings(c.think, c.batch_size, c.lr, c.weight_decay, c.clip, c.value_weight, c.seed)


def eval_settings(config: SelfPlayConfig) -> EvalSettings:
    """The evaluator's share of the recipe."""
    c = config
    return EvalSettings(c.think, c.search, c.considered, c.eval_pairs, c.ply_cap, c.eval_stockfish_nodes, c.seed)


def actor_seed(config: SelfPlayConfig, actor: int, session: int) -> list[int]:
    """An actor's seed: new in every session, so a resumed run does not replay the games it already has."""
    return [config.seed, 4, session, actor]


def one_thread() -> None:
    """One torch thread in a worker (several workers share the cores)."""
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or inter-op work already ran
        pass


class Backend(ABC):
    """Runs the actors and the evaluator, and holds the ``buffer`` and ``learner`` (or handles to them)."""

    buffer: Any
    learner: Any

    @abstractmethod
    def start(self, generation: int, weights: Weights) -> list[str]:
        """Starts the actors with these weights; returns a description of each actor's machine."""

    @abstractmethod
    def publish(self, generation: int, weights: Weights) -> None:
        """Sends new weights to every actor (used from its next move on)."""

    @abstractmethod
    def collect(self, timeout: float) -> list[GameSummary]:
        """Waits up to ``timeout`` seconds for finished games, adds them to the buffer and returns their
        summaries (possibly none)."""

    @abstractmethod
    def submit(self, task: EvalTask) -> None:
        """Queues an evaluation."""

    @abstractmethod
    def evaluations(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """Finished evaluations since the last call: ``(generation, rows)``."""

    @abstractmethod
    def close(self) -> None:
        """Stops everything this backend started."""


class _LocalBackend(Backend):
    """A buffer and a learner in the driver process."""

    def __init__(self, config: SelfPlayConfig, network: dict[str, Any], weights: Weights) -> None:
        self.config, self.network = config, network
        self.buffer = ReplayBuffer(config.buffer_size)
        self.learner = Learner(learn_settings(config), network, weights, self.buffer.sample)


class InlineBackend(_LocalBackend):
    """One actor stepped in the driver; evaluations run when submitted."""

    def __init__(self, config: SelfPlayConfig, network: dict[str, Any], weights: Weights, session: int) -> None:
        super().__init__(config, network, weights)
        self.actor = SelfPlayActor(play_settings(config), network, 0, actor_seed(config, 0, session))
        self.evaluator = Evaluator(eval_settings(config), network) if config.eval_every else None
        self._done: list[tuple[int, list[dict[str, Any]]]] = []

    def start(self, generation: int, weights: Weights) -> list[str]:
        self.actor.set_weights(generation, weights)
        return [hardware()]

    def publish(self, generation: int, weights: Weights) -> None:
        self.actor.set_weights(generation, weights)

    def collect(self, timeout: float) -> list[GameSummary]:
        return self.buffer.add_games(self.actor.step())

    def submit(self, task: EvalTask) -> None:
        if self.evaluator is None:
            raise ValueError("this recipe has no evaluator (eval_every = 0)")
        self._done.append((task.generation, self.evaluator.evaluate(task)))

    def evaluations(self) -> list[tuple[int, list[dict[str, Any]]]]:
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        pass


def _orphaned(parent: Any, results: Any) -> bool:
    """Whether the driver is gone; if so, the worker may exit without flushing games nobody will read (a full
    pipe would otherwise hold it at exit)."""
    if parent is None or parent.is_alive():
        return False
    results.cancel_join_thread()
    return True


def _actor_main(
    settings: PlaySettings, network: dict[str, Any], actor_id: int, seed: list[int], commands: Any, results: Any
) -> None:
    """A worker process: plays with the newest weights from ``commands`` and puts finished games in ``results``."""
    one_thread()
    parent = mp.parent_process()
    try:
        actor = SelfPlayActor(settings, network, actor_id, seed)
        results.put(("hello", actor_id, hardware()))
        while True:
            block = actor.generation < 0  # nothing to play with yet
            while True:
                try:
                    message = commands.get(timeout=1.0) if block else commands.get_nowait()
                except queue.Empty:
                    if _orphaned(parent, results):
                        return
                    if block:
                        continue
                    break
                if message[0] == "stop":
                    results.cancel_join_thread()  # the driver is stopping: unread games may be dropped
                    return
                actor.set_weights(message[1], message[2])
                block = False
            if _orphaned(parent, results):
                return
            games = actor.step()
            if games:
                results.put(("games", actor_id, games))
    except BaseException:
        results.put(("error", actor_id, traceback.format_exc()))


def _evaluator_main(settings: EvalSettings, network: dict[str, Any], tasks: Any, results: Any) -> None:
    """The evaluator process: runs tasks until told to stop (or its driver dies)."""
    one_thread()
    parent = mp.parent_process()
    try:
        evaluator = Evaluator(settings, network)
        while True:
            try:
                task = tasks.get(timeout=1.0)
            except queue.Empty:
                if _orphaned(parent, results):
                    return
                continue
            if task is None:
                results.cancel_join_thread()
                return
            results.put(("eval", task.generation, evaluator.evaluate(task)))
    except BaseException:
        results.put(("error", "evaluator", traceback.format_exc()))


class ProcessBackend(_LocalBackend):
    """Actors and the evaluator in ``spawn``-ed worker processes; buffer and learner in the driver."""

    def __init__(
        self, config: SelfPlayConfig, options: RunOptions, network: dict[str, Any], weights: Weights, session: int
    ) -> None:
        super().__init__(config, network, weights)
        self.context = mp.get_context("spawn")
        self.results = self.context.Queue()
        self.commands = [self.context.Queue() for _ in range(options.actors)]
        play = play_settings(config)
        self.workers = [
            self.context.Process(
                target=_actor_main,
                args=(play, network, i, actor_seed(config, i, session), self.commands[i], self.results),
                name=f"selfplay-actor-{i}",
                daemon=True,
            )
            for i in range(options.actors)
        ]
        self.tasks = self.context.Queue() if config.eval_every else None
        if self.tasks is not None:
            self.workers.append(
                self.context.Process(
                    target=_evaluator_main,
                    args=(eval_settings(config), network, self.tasks, self.results),
                    name="selfplay-evaluator",
                    daemon=True,
                )
            )
        self._done: list[tuple[int, list[dict[str, Any]]]] = []
        self._machines: list[str] = []
        self._closed = False

    def start(self, generation: int, weights: Weights) -> list[str]:
        for worker in self.workers:
            worker.start()
        self.publish(generation, weights)
        return [hardware()] * len(self.commands)

    def publish(self, generation: int, weights: Weights) -> None:
        for commands in self.commands:
            commands.put(("weights", generation, weights))

    def _handle(self, message: tuple[str, Any, Any], games: list[GameSummary]) -> None:
        kind, who, payload = message
        if kind == "games":
            games.extend(self.buffer.add_games(payload))
        elif kind == "eval":
            self._done.append((who, payload))
        elif kind == "hello":
            self._machines.append(payload)
        else:
            raise RuntimeError(f"self-play worker {who} failed:\n{payload}")

    def collect(self, timeout: float) -> list[GameSummary]:
        games: list[GameSummary] = []
        try:
            self._handle(self.results.get(timeout=timeout) if timeout > 0 else self.results.get_nowait(), games)
            while True:
                self._handle(self.results.get_nowait(), games)
        except queue.Empty:
            pass
        dead = [w.name for w in self.workers if w.exitcode is not None]
        if dead and not self._closed:
            raise RuntimeError(f"self-play workers ended unexpectedly: {dead}")
        return games

    def submit(self, task: EvalTask) -> None:
        if self.tasks is None:
            raise ValueError("this recipe has no evaluator (eval_every = 0)")
        self.tasks.put(task)

    def evaluations(self) -> list[tuple[int, list[dict[str, Any]]]]:
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        self._closed = True
        for commands in self.commands:
            commands.put(("stop",))
        if self.tasks is not None:
            self.tasks.put(None)
        deadline = time.monotonic() + STOP_GRACE
        while any(w.is_alive() for w in self.workers) and time.monotonic() < deadline:
            try:  # keep the result queue moving so no worker blocks on a full pipe
                self.results.get(timeout=0.1)
            except queue.Empty:
                pass
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join(timeout=STOP_GRACE)


def make_backend(
    config: SelfPlayConfig, options: RunOptions, network: dict[str, Any], weights: Weights, session: int
) -> Backend:
    """The backend that ``options.backend`` names."""
    if options.backend == "inline":
        return InlineBackend(config, network, weights, session)
    if options.backend == "process":
        return ProcessBackend(config, options, network, weights, session)
    from trainers.selfplay.ray_backend import RayBackend  # ray is an optional extra

    return RayBackend(config, options, network, weights, session)
