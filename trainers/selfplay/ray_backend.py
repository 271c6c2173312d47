"""The Ray backend: the actors, the learner, the buffer and the evaluator as Ray actors.

``ray.init()`` starts a local Ray runtime, or joins the cluster at ``--address`` (``auto`` or ``host:port``;
the package's code travels to the cluster's workers as ``py_modules``). Each self-play actor plays a few moves
per call and its finished games go straight from the actor to the buffer actor (the call's result is handed
to ``buffer.add_games`` as an object reference, so the arrays never pass through the driver); the learner
actor samples the buffer actor. New weights are put in the object store once and sent to every actor, whose
calls run in order, so they apply from the actor's next call on. Ray is an optional extra:
``pip install -e '.[ray]'``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from trainers.cards import hardware
from trainers.selfplay.actors import GameSummary, PlaySettings, SelfPlayActor, Weights
from trainers.selfplay.backends import (
    Backend,
    actor_seed,
    eval_settings,
    learn_settings,
    one_thread,
    play_settings,
)
from trainers.selfplay.buffer import ReplayBuffer
from trainers.selfplay.config import RunOptions, SelfPlayConfig
from trainers.selfplay.evaluator import EvalSettings, EvalTask, Evaluator
from trainers.selfplay.learner import Learner, LearnSettings

#: Moves each actor makes per call (new weights reach an actor within this many moves).
MOVES_PER_CALL = 4

ROOT = Path(__file__).resolve().parent.parent.parent


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ImportError("--backend ray needs Ray: pip install -e '.[ray]'") from None
    return ray


class RayHandle:
    """Calls a Ray actor's methods synchronously, so the driver uses it as it would the local object."""

    def __init__(self, actor: Any) -> None:
        self._actor = actor

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._actor, name)
        return lambda *args, **kwargs: _ray().get(method.remote(*args, **kwargs))


class _RayActor(SelfPlayActor):
    def __init__(self, settings: PlaySettings, network: dict[str, Any], actor_id: int, seed: list[int]) -> None:
        one_thread()
        super().__init__(settings, network, actor_id, seed)

    def describe(self) -> str:
        return f"{socket.gethostname()}: {hardware()}"


class _RayLearner(Learner):
    def __init__(self, settings: LearnSettings, network: dict[str, Any], weights: Weights, buffer: Any) -> None:
        ray = _ray()
        super().__init__(settings, network, weights, lambda count, seed: ray.get(buffer.sample.remote(count, seed)))


class _RayEvaluator(Evaluator):
    def __init__(self, settings: EvalSettings, network: dict[str, Any]) -> None:
        one_thread()
        super().__init__(settings, network)


class RayBackend(Backend):
    """Actors, learner, buffer and evaluator as Ray actors (see the module docstring)."""

    def __init__(
        self, config: SelfPlayConfig, options: RunOptions, network: dict[str, Any], weights: Weights, session: int
    ) -> None:
        ray = _ray()
        self.ray = ray
        self.started_ray = not ray.is_initialized()
        if self.started_ray:
            if options.address:
                import agents
                import envs
                import puzzles
                import trainers

                runtime = {"py_modules": [agents, envs, puzzles, trainers], "env_vars": {"OMP_NUM_THREADS": "1"}}
                ray.init(address=options.address, runtime_env=runtime, logging_level="warning")
            else:
                # Every actor asks for a CPU; a small machine time-shares them, as the process backend does. The
                # local runtime's workers inherit the driver's environment (so no per-actor runtime environment
                # has to be built): the package's root on PYTHONPATH, one OpenMP thread.
                cpus = max(os.cpu_count() or 1, options.actors + 1 + bool(config.eval_every))
                saved = {key: os.environ.get(key) for key in ("PYTHONPATH", "OMP_NUM_THREADS")}
                os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
                os.environ["OMP_NUM_THREADS"] = "1"
                try:
                    ray.init(num_cpus=cpus, include_dashboard=False, logging_level="warning")
                finally:
                    for key, value in saved.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
        self.buffer_actor = ray.remote(num_cpus=0)(ReplayBuffer).remote(config.buffer_size)
        self.buffer = RayHandle(self.buffer_actor)
        learner = ray.remote(num_cpus=1)(_RayLearner).remote(
            learn_settings(config), network, weights, self.buffer_actor
        )
        self.learner = RayHandle(learner)
        self.actors = [
            ray.remote(num_cpus=1)(_RayActor).remote(play_settings(config), network, i, actor_seed(config, i, session))
            for i in range(options.actors)
        ]
        self.evaluator = (
            ray.remote(num_cpus=1)(_RayEvaluator).remote(eval_settings(config), network) if config.eval_every else None
        )
        self._owned = [self.buffer_actor, learner, *self.actors] + ([self.evaluator] if self.evaluator else [])
        self._pending: dict[Any, int] = {}
        self._evals: list[tuple[int, Any]] = []

    def _play(self, index: int) -> None:
        games = self.actors[index].play.remote(MOVES_PER_CALL)
        self._pending[self.buffer_actor.add_games.remote(games)] = index

    def start(self, generation: int, weights: Weights) -> list[str]:
        self.publish(generation, weights)
        machines = self.ray.get([actor.describe.remote() for actor in self.actors])
        for index in range(len(self.actors)):
            self._play(index)
        return machines

    def publish(self, generation: int, weights: Weights) -> None:
        ref = self.ray.put(weights)
        for actor in self.actors:
            actor.set_weights.remote(generation, ref)

    def collect(self, timeout: float) -> list[GameSummary]:
        # Returns on the timeout with whatever is ready by then.
        ready, _ = self.ray.wait(list(self._pending), num_returns=len(self._pending), timeout=timeout)
        games: list[GameSummary] = []
        for ref in ready:
            index = self._pending.pop(ref)
            games.extend(self.ray.get(ref))
            self._play(index)
        return games

    def submit(self, task: EvalTask) -> None:
        if self.evaluator is None:
            raise ValueError("this recipe has no evaluator (eval_every = 0)")
        self._evals.append((task.generation, self.evaluator.evaluate.remote(task)))

    def evaluations(self) -> list[tuple[int, list[dict[str, Any]]]]:
        done, waiting = [], []
        for generation, ref in self._evals:
            ready, _ = self.ray.wait([ref], timeout=0)
            if ready:
                done.append((generation, self.ray.get(ref)))
            else:
                waiting.append((generation, ref))
        self._evals = waiting
        return done

    def close(self) -> None:
        for actor in self._owned:
            self.ray.kill(actor)
        if self.started_ray:
            self.ray.shutdown()
