"""Self-play that scales: actors in worker processes or Ray, a replay buffer, a learner that publishes new
generations, and an evaluator that rates them against earlier ones and Stockfish.

    from trainers.selfplay import RunOptions, SelfPlayConfig, SelfPlayRun
    run = SelfPlayRun(SelfPlayConfig(start="chess"), "runs/selfplay", RunOptions(backend="process", generations=40))
    run.run()                       # resumes from the folder's last checkpoint
    run.export("runs/selfplay/final")

Modules: :mod:`~trainers.selfplay.config` (recipe and session options), :mod:`~agents.chess_search` (the
Gumbel search that makes the policy targets), :mod:`~trainers.selfplay.actors`, :mod:`~trainers.selfplay.buffer`,
:mod:`~trainers.selfplay.learner`, :mod:`~trainers.selfplay.evaluator`, :mod:`~trainers.selfplay.backends` and
:mod:`~trainers.selfplay.ray_backend`, :mod:`~trainers.selfplay.records` (the run folder),
:mod:`~trainers.selfplay.run` (the driver) and :mod:`~trainers.selfplay.bench` (games per minute by backend).
"""

from trainers.selfplay.config import BACKENDS, RunOptions, SelfPlayConfig
from trainers.selfplay.run import SelfPlayRun, latest_generation

__all__ = ["BACKENDS", "RunOptions", "SelfPlayConfig", "SelfPlayRun", "latest_generation"]
