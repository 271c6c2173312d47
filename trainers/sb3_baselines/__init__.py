"""Stable-Baselines3 baselines for the puzzle environments (``MazeNav-v0``, ``SudokuFill-v0``, ``PrefixSums-v0``,
``ChessPuzzle-v0``).

Reinforcement-learning baselines to set beside the thinking solvers: PPO (or sb3-contrib's MaskablePPO) trained
at the easy level and evaluated, unchanged, at harder ones. What makes that possible is the features extractor:

- :class:`MazeCNN`: 3x3 convolutions over the ``(4, s, s)`` maze observation, read out *at the walker's cell*
  (the feature map summed over space, weighted by the walker channel), so the features have the same size for
  every maze size ``s``. Its receptive field, and so what it can see of the maze, is fixed by its depth.
- :class:`MazeThinker`: the same read-out over a DT-Recall recurrent block (project, then ``iters``
  applications of one shared residual block with the raw input recalled each time). ``iters`` is a plain
  attribute: raise it at evaluation time (:func:`set_iters`) and the policy thinks longer.
- :class:`SudokuCNN`: the 9x9 grid one-hot encoded and mixed along rows, columns and boxes by
  :class:`agents.networks.SudokuBlock` s, flattened; trained with MaskablePPO and the rules' masks.
- :class:`BitsCNN`: 1D convolutions over a ``PrefixSums-v0`` bit string, flattened. The one-shot answer is a
  ``MultiBinary(n)`` action, and SB3's action head has that fixed length ``n``: this policy plays only strings
  of its training length (:meth:`SB3Policy.cannot_act` says so, and the scripts skip other lengths). It trains
  with partial credit (reward = fraction of bits right; :attr:`puzzles.families.Baseline.train_env_kwargs`), since an
  exact-match reward on 32 bits is almost never earned by chance; evaluations score exact answers.
- :class:`ChessCNN`: 3x3 convolutions over a ``ChessPuzzle-v0`` position's game planes, flattened; MaskablePPO
  with the legal moves' masks, trained on the ``chess_puzzles`` solver's training split and evaluated on its
  held-out one.

What each family's baseline may be (levels, algorithms, extractors, policy keywords) is in the family registry
(:attr:`puzzles.families.Family.baseline`). Modules: :mod:`~trainers.sb3_baselines.extractors`,
:mod:`~trainers.sb3_baselines.models` (build, save, load), :mod:`~trainers.sb3_baselines.policy` (rollouts) and
:mod:`~trainers.sb3_baselines.runs` (a ``train-sb3`` run folder).

Typical use (``deepthink train-sb3``, :mod:`trainers.commands.train_sb3`, wraps this)::

    model = make_model("DeepThink/MazeNav-v0", "ppo", "thinker", level=9, n_envs=8, seed=0)
    model.learn(100_000)
    save_model(model, "runs/sb3/maze/model.safetensors")
    policy = SB3Policy(model)
    set_iters(model, 60)
    report = evaluate_rollouts("DeepThink/MazeNav-v0", policy, episodes=200, size=19)

:class:`SB3Policy` adapts a model to :func:`trainers.rollouts.evaluate_rollouts`. It asks the policy for its
action distribution directly instead of calling ``model.predict``, because ``predict`` rejects observations
whose shape differs from the training space (a size-13 maze for a model trained at size 9); for a masked
model it computes the masks from the observation itself (:func:`observation_action_masks`), since rollouts
hand a policy observations only.

Saved models are pickle-free: :func:`save_model` writes the policy's weights as safetensors with the settings
that rebuild it (environment, algorithm, extractor and its keywords, level) as JSON in the file's header, and
:func:`load_model` checks those settings against the family registry and their bounds, rebuilds the model with
:func:`make_model` and loads the weights. SB3's own zips pickle the policy keywords, so loading one can run
code; they are refused, never opened.
"""

from trainers.sb3_baselines.extractors import BitsCNN, ChessCNN, MazeCNN, MazeThinker, SudokuCNN
from trainers.sb3_baselines.models import (
    ALGOS,
    CARD_FILE,
    FORMAT,
    MODEL_FILE,
    baseline_setup,
    load_model,
    make_model,
    save_model,
    set_iters,
    thinkers,
)
from trainers.sb3_baselines.policy import SB3Policy, observation_action_masks
from trainers.sb3_baselines.runs import evaluate_run, load_baseline

__all__ = [
    "ALGOS",
    "FORMAT",
    "CARD_FILE",
    "MODEL_FILE",
    "BitsCNN",
    "ChessCNN",
    "MazeCNN",
    "MazeThinker",
    "SB3Policy",
    "SudokuCNN",
    "baseline_setup",
    "evaluate_run",
    "load_baseline",
    "load_model",
    "make_model",
    "observation_action_masks",
    "save_model",
    "set_iters",
    "thinkers",
]
