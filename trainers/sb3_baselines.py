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
  with partial credit (reward = fraction of bits right; :attr:`BaselineSetup.train_env_kwargs`), since an
  exact-match reward on 32 bits is almost never earned by chance; evaluations score exact answers.
- :class:`ChessCNN`: 3x3 convolutions over a ``ChessPuzzle-v0`` position's game planes, flattened; MaskablePPO
  with the legal moves' masks, trained on the ``chess_puzzles`` solver's training split and evaluated on its
  held-out one.

Typical use (``scripts/train_sb3.py`` wraps this)::

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
:func:`load_model` checks those settings against :data:`SETUPS` and their bounds, rebuilds the model with
:func:`make_model` and loads the weights. SB3's own zips pickle the policy keywords, so loading one can run
code; they are refused, never opened.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from gymnasium import spaces
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from sb3_contrib import MaskablePPO
from stable_baselines3 import PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from stable_baselines3.common.vec_env import DummyVecEnv
from torch import nn

import envs  # noqa: F401  (registers the DeepThink/ ids)
from agents.networks import BasicBlock, SudokuBlock
from agents.thinking import final_thought
from envs.sudoku import legal_mask
from puzzles import mazes
from puzzles.chess_encoding import legal_action_mask
from puzzles.chess_game import GAME_PLANES, board_from_planes
from puzzles.storage import atomic_write

#: The algorithms by command-line name.
ALGOS: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "maskable_ppo": MaskablePPO}


# ------------------------------------------------------------------------------------------ features extractors
def walker_readout(features: torch.Tensor, observations: torch.Tensor) -> torch.Tensor:
    """The ``(B, C)`` feature vector at the walker's cell: ``features`` ``(B, C, s, s)`` summed over space,
    weighted by the walker channel (channel 3) of the ``(B, 4, s, s)`` maze observations."""
    return (features * observations[:, 3:4]).sum(dim=(2, 3))


def conv_stack(dims: int, in_channels: int, width: int, layers: int) -> nn.Sequential:
    """``layers`` kernel-3 convolutions (1D or 2D, same padding) with a ReLU after each: the CNN extractors' body.

    Raises:
        ValueError: for fewer than one layer.
    """
    if layers < 1:
        raise ValueError(f"layers must be positive, got {layers}")
    conv = nn.Conv1d if dims == 1 else nn.Conv2d
    stack: list[nn.Module] = []
    for c_in in [in_channels] + [width] * (layers - 1):
        stack += [conv(c_in, width, kernel_size=3, padding=1), nn.ReLU()]
    return nn.Sequential(*stack)


class MazeCNN(BaseFeaturesExtractor):
    """A size-agnostic CNN for ``MazeNav-v0``: ``layers`` 3x3 convolutions with ReLUs, read out at the walker.

    The walker sees the maze within ``layers`` elements of it (its receptive field), whatever the maze's size.

    :param observation_space: the ``(4, s, s)`` maze observation space (any ``s``)
    :param width: channels of every layer, and so the features dimension
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 32, layers: int = 4) -> None:
        _check_maze_space(observation_space)
        super().__init__(observation_space, features_dim=width)
        self.cnn = conv_stack(2, observation_space.shape[0], width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return walker_readout(self.cnn(observations), observations)


class MazeThinker(BaseFeaturesExtractor):
    """A size-agnostic DT-Recall extractor for ``MazeNav-v0``, read out at the walker.

    The observation is projected to ``width`` channels, then ``iters`` times the thought is concatenated with
    the raw observation (recall), convolved back to ``width`` channels and passed through one shared stack of
    ``blocks`` :class:`agents.networks.BasicBlock` s. Every iteration widens the receptive field by 3 elements;
    ``iters`` is an attribute, so a trained policy can run more iterations than it was trained with
    (``extractor.iters = 60`` or :func:`set_iters`).

    :param observation_space: the ``(4, s, s)`` maze observation space (any ``s``)
    :param width: channels of the thought, and so the features dimension
    :param iters: iterations per forward pass
    :param blocks: residual blocks per iteration
    """

    def __init__(self, observation_space: spaces.Box, width: int = 16, iters: int = 10, blocks: int = 1) -> None:
        _check_maze_space(observation_space)
        if iters < 1 or blocks < 1:
            raise ValueError(f"iters and blocks must be positive, got {iters} and {blocks}")
        super().__init__(observation_space, features_dim=width)
        channels = observation_space.shape[0]
        self.iters = iters
        self.projection = nn.Sequential(nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.ReLU())
        self.recall = nn.Conv2d(width + channels, width, 3, padding=1, bias=False)
        self.block = nn.Sequential(*(BasicBlock(2, width) for _ in range(blocks)))

    def _step(self, observations: torch.Tensor, thought: torch.Tensor, index: int) -> torch.Tensor:
        return self.block(self.recall(torch.cat([thought, observations], dim=1)))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        thought = final_thought(self._step, observations, self.projection(observations), self.iters)
        return walker_readout(thought, observations)


class SudokuCNN(BaseFeaturesExtractor):
    """Features of a ``SudokuFill-v0`` grid: one-hot digits (10 channels, 0 = blank), a 1x1 projection to
    ``width`` channels, ``layers`` :class:`agents.networks.SudokuBlock` s (cells mix along their row, column and
    box), flattened to ``81 * width`` features.

    :param observation_space: the ``(9, 9)`` grid observation space
    :param width: channels per cell
    :param layers: Sudoku blocks (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 32, layers: int = 3) -> None:
        if observation_space.shape != (9, 9):
            raise ValueError(f"SudokuCNN reads (9, 9) grids, got observations of shape {observation_space.shape}")
        if layers < 1:
            raise ValueError(f"layers must be positive, got {layers}")
        super().__init__(observation_space, features_dim=81 * width)
        self.projection = nn.Sequential(nn.Conv2d(10, width, kernel_size=1, bias=False), nn.ReLU())
        self.blocks = nn.Sequential(*(SudokuBlock(2, width) for _ in range(layers)))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(observations.long().clamp(0, 9), 10).permute(0, 3, 1, 2).float()
        return self.blocks(self.projection(one_hot)).flatten(1)


class BitsCNN(BaseFeaturesExtractor):
    """Features of a ``PrefixSums-v0`` bit string: ``layers`` 1D convolutions of kernel 3 with ReLUs (each bit
    sees ``layers`` bits either side), flattened to ``n * width`` features.

    Flattening ties the features to the string's length ``n``, as SB3's ``MultiBinary(n)`` action head already
    ties the policy.

    :param observation_space: the ``(n,)`` bit string observation space
    :param width: channels per bit
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Space, width: int = 32, layers: int = 3) -> None:
        shape = getattr(observation_space, "shape", None)
        if shape is None or len(shape) != 1:
            raise ValueError(f"BitsCNN reads (n,) bit strings (PrefixSums-v0), got observations of shape {shape}")
        super().__init__(observation_space, features_dim=shape[0] * width)
        self.cnn = conv_stack(1, 1, width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.cnn(observations.unsqueeze(1)).flatten(1)


class ChessCNN(BaseFeaturesExtractor):
    """Features of a ``ChessPuzzle-v0`` position: ``layers`` 3x3 convolutions with ReLUs over the ``(19, 8, 8)``
    game planes, flattened to ``64 * width`` features, which the policy maps linearly to the 4,672 move logits
    (MaskablePPO keeps the legal ones).

    :param observation_space: the ``(19, 8, 8)`` game planes' space
    :param width: channels per square
    :param layers: convolutions (at least 1)
    """

    def __init__(self, observation_space: spaces.Box, width: int = 16, layers: int = 3) -> None:
        if observation_space.shape != (GAME_PLANES, 8, 8):
            raise ValueError(
                f"ChessCNN reads ({GAME_PLANES}, 8, 8) game planes, got observations of shape {observation_space.shape}"
            )
        super().__init__(observation_space, features_dim=64 * width)
        self.cnn = conv_stack(2, GAME_PLANES, width, layers)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.cnn(observations).flatten(1)


def _check_maze_space(observation_space: spaces.Space) -> None:
    shape = getattr(observation_space, "shape", None)
    if shape is None or len(shape) != 3 or shape[0] != 4:
        raise ValueError(f"the maze extractors read (4, s, s) MazeNav-v0 observations, got shape {shape}")


# ------------------------------------------------------------------------------------------ what trains where
@dataclass(frozen=True)
class BaselineSetup:
    """What one environment supports: its difficulty keyword, levels, algorithms, extractors and policy keywords.

    Attributes:
        knob: the ``gymnasium.make`` keyword of the difficulty (``"size"``, ``"givens"``).
        train_level: the easy level trained at by default.
        eval_levels: the levels evaluated at by default, easy to hard.
        algos: the algorithm names that fit (keys of :data:`ALGOS`).
        extractors: the extractor classes by command-line name.
        policy_kwargs: further SB3 policy keywords (e.g. ``net_arch``).
        train_env_kwargs: further ``gymnasium.make`` keywords of the training environments (e.g. partial
            credit, or the chess puzzles' training split).
        eval_env_kwargs: further ``gymnasium.make`` keywords of the evaluation environments (the chess puzzles'
            held-out split); otherwise evaluation uses the environment's defaults, as the README's table does.
        level_range: the knob takes an inclusive ``(low, high)`` range (chess puzzle difficulty): level ``d`` is
            ``(d, d)``.
    """

    knob: str
    train_level: int
    eval_levels: tuple[int, ...]
    algos: tuple[str, ...]
    extractors: dict[str, type[BaseFeaturesExtractor]]
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    train_env_kwargs: dict[str, Any] = field(default_factory=dict)
    eval_env_kwargs: dict[str, Any] = field(default_factory=dict)
    level_range: bool = False

    def level_kwargs(self, level: int, training: bool) -> dict[str, Any]:
        """The ``gymnasium.make`` keywords of one level, for training or for evaluation environments."""
        extra = self.train_env_kwargs if training else self.eval_env_kwargs
        return {**extra, self.knob: (level, level) if self.level_range else level}


#: The environments with SB3 baselines. Sudoku's 729 action logits read the 81 cells' features directly
#: (no hidden policy layer, which would squeeze them through 64 units). Prefix sums train with partial credit:
#: an exact 32-bit answer is a 2^-32 chance for a random policy, so an exact-match reward would stay 0.
SETUPS: dict[str, BaselineSetup] = {
    "DeepThink/MazeNav-v0": BaselineSetup(
        "size", 9, (9, 13, 19), ("ppo", "maskable_ppo"), {"cnn": MazeCNN, "thinker": MazeThinker}
    ),
    "DeepThink/SudokuFill-v0": BaselineSetup(
        "givens",
        36,
        (36, 30, 24),
        ("maskable_ppo",),
        {"cnn": SudokuCNN},
        {"net_arch": {"pi": [], "vf": [64]}},
    ),
    "DeepThink/PrefixSums-v0": BaselineSetup(
        "size", 32, (32, 64, 128, 512), ("ppo",), {"cnn": BitsCNN}, train_env_kwargs={"partial_credit": True}
    ),
    # Trained on the chess_puzzles solver's training share, evaluated on its held-out share, as the solver is.
    "DeepThink/ChessPuzzle-v0": BaselineSetup(
        "difficulty",
        1,
        (1, 2, 3),
        ("maskable_ppo",),
        {"cnn": ChessCNN},
        {"net_arch": {"pi": [], "vf": [64]}},
        train_env_kwargs={"split": "training"},
        eval_env_kwargs={"split": "held_out"},
        level_range=True,
    ),
}


def baseline_setup(env_id: str, algo: str, extractor: str) -> BaselineSetup:
    """The setup of ``env_id``, after checking that ``algo`` and ``extractor`` fit it.

    Raises:
        ValueError: naming the valid choices, for an environment without baselines or a combination that does
            not fit (SudokuFill-v0 needs MaskablePPO: without masks nearly every action is illegal).
    """
    if env_id not in SETUPS:
        raise ValueError(f"no SB3 baseline for {env_id!r}; the environments are {sorted(SETUPS)}")
    setup = SETUPS[env_id]
    if algo not in setup.algos:
        raise ValueError(f"{env_id} trains with algo {' or '.join(setup.algos)}, not {algo!r}")
    if extractor not in setup.extractors:
        raise ValueError(f"{env_id} takes extractor {' or '.join(sorted(setup.extractors))}, not {extractor!r}")
    return setup


def make_model(
    env_id: str,
    algo: str,
    extractor: str,
    level: int | None = None,
    n_envs: int = 8,
    seed: int = 0,
    extractor_kwargs: dict[str, Any] | None = None,
    device: str = "auto",
    env_kwargs: dict[str, Any] | None = None,
    **algo_kwargs: Any,
) -> BaseAlgorithm:
    """A fresh SB3 model on ``n_envs`` vectorised copies of ``env_id`` at difficulty ``level``.

    :param env_id: an environment of :data:`SETUPS` (``"DeepThink/MazeNav-v0"``, ``"DeepThink/SudokuFill-v0"``, ...)
    :param algo: ``"ppo"`` or ``"maskable_ppo"``
    :param extractor: ``"cnn"`` or (mazes) ``"thinker"``
    :param level: the difficulty (maze size, Sudoku givens, bits, puzzle difficulty); default the environment's
        easy training level
    :param n_envs: environments stepped together (a ``DummyVecEnv``, seeded ``seed, seed + 1, ...``)
    :param seed: seed of the environments and of the model
    :param extractor_kwargs: keywords of the extractor (``width``, ``layers``, ``iters``, ``blocks``)
    :param device: torch device (``"auto"``: CUDA if available)
    :param env_kwargs: further ``gymnasium.make`` keywords, over the setup's ``train_env_kwargs``
    :param algo_kwargs: keywords of the algorithm (``n_steps``, ``batch_size``, ``learning_rate``, ...)
    :raises ValueError: for a combination :func:`baseline_setup` rejects
    """
    setup = baseline_setup(env_id, algo, extractor)
    level = setup.train_level if level is None else level
    make_kwargs = {**setup.level_kwargs(level, training=True), **(env_kwargs or {})}
    make_kwargs["render_mode"] = None  # make_vec_env would ask for "rgb_array"
    vec_env = make_vec_env(env_id, n_envs=n_envs, seed=seed, env_kwargs=make_kwargs, vec_env_cls=DummyVecEnv)
    policy_kwargs = {
        "features_extractor_class": setup.extractors[extractor],
        "features_extractor_kwargs": dict(extractor_kwargs or {}),
        **setup.policy_kwargs,
    }
    model = ALGOS[algo]("MlpPolicy", vec_env, policy_kwargs=policy_kwargs, seed=seed, device=device, **algo_kwargs)
    # What rebuilds this model's policy (save_model writes it beside the weights).
    model.baseline_settings = {
        "env_id": env_id,
        "algo": algo,
        "extractor": extractor,
        "extractor_kwargs": dict(extractor_kwargs or {}),
        "level": level,
        "env_kwargs": dict(env_kwargs or {}),
    }
    return model


#: The file a baseline's weights and settings live in (a run folder of ``scripts/train_sb3.py`` holds one).
MODEL_FILE = "model.safetensors"
#: The format tag in the file's header.
FORMAT = "deepthink-sb3-baseline/1"
#: Bounds on what a saved baseline may ask to be built with, so a hostile file cannot ask for terabytes.
EXTRACTOR_LIMITS = {"width": 1024, "layers": 64, "iters": 10_000, "blocks": 64}
MAX_LEVEL = 1024
#: The ``gymnasium.make`` keywords a saved baseline may carry for its training environments, and their types.
ENV_KWARG_TYPES: dict[str, type] = {"partial_credit": bool, "split": str}


def save_model(model: BaseAlgorithm, path: str | Path) -> None:
    """Saves the policy of a :func:`make_model` model at ``path`` (``model.safetensors``), atomically: its
    weights, and in the header the settings that rebuild it and its timesteps. Nothing is pickled.

    Raises:
        ValueError: for a model not made by :func:`make_model` (its settings are unknown).
    """
    settings = getattr(model, "baseline_settings", None)
    if settings is None:
        raise ValueError("only a model made by make_model can be saved: its settings rebuild it on load")
    # Cloned: a shared extractor appears under three names, and safetensors stores no aliases.
    tensors = {name: t.detach().to("cpu").clone() for name, t in model.policy.state_dict().items()}
    header = {"format": FORMAT, "settings": json.dumps({**settings, "num_timesteps": int(model.num_timesteps)})}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=header))


def _checked_settings(settings: Any, path: Path) -> dict[str, Any]:
    """The settings of a saved baseline, after checking every field's type and bound."""

    def bad(why: str) -> ValueError:
        return ValueError(f"corrupt SB3 baseline {path}: {why}")

    if not isinstance(settings, dict):
        raise bad(f"its settings are a JSON {type(settings).__name__}, not an object")
    for key, kind in (("env_id", str), ("algo", str), ("extractor", str), ("extractor_kwargs", dict)):
        if not isinstance(settings.get(key), kind):
            raise bad(f"settings[{key!r}] is {settings.get(key)!r}, not a {kind.__name__}")
    for key in ("level", "num_timesteps"):
        value = settings.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad(f"settings[{key!r}] is {value!r}, not a non-negative integer")
    if settings["level"] > MAX_LEVEL:
        raise bad(f"level {settings['level']} is over the limit of {MAX_LEVEL}")
    try:
        baseline_setup(settings["env_id"], settings["algo"], settings["extractor"])
    except ValueError as error:
        raise bad(str(error)) from None
    for key, value in settings["extractor_kwargs"].items():
        limit = EXTRACTOR_LIMITS.get(key)
        if limit is None:
            raise bad(f"unknown extractor keyword {key!r} (known: {sorted(EXTRACTOR_LIMITS)})")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            raise bad(f"extractor keyword {key}={value!r} is not an integer in 1..{limit}")
    env_kwargs = settings.get("env_kwargs", {})
    if not isinstance(env_kwargs, dict):
        raise bad(f"settings['env_kwargs'] is {env_kwargs!r}, not an object")
    for key, value in env_kwargs.items():
        if key not in ENV_KWARG_TYPES or not isinstance(value, ENV_KWARG_TYPES[key]):
            raise bad(f"environment keyword {key}={value!r} is not one a baseline trains with")
    return settings


def load_model(path: str | Path, device: str = "auto") -> BaseAlgorithm:
    """Loads a baseline saved by :func:`save_model`, without unpickling anything: the header's settings are
    checked, the model rebuilt with :func:`make_model` and the weights loaded into it (shapes and finiteness
    checked).

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: for a pickled SB3 zip (refused unopened), a corrupt file, settings outside their bounds, or
            weights that do not fit the rebuilt policy or are not finite.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such model file: {path}")
    if path.suffix == ".zip":
        raise ValueError(
            f"{path} is a pickled SB3 zip: loading one can run code, so it is refused; retrain the baseline "
            "with scripts/train_sb3.py, which saves model.safetensors"
        )
    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
        if header.get("format") != FORMAT:
            raise ValueError(f"its header's format is {header.get('format')!r}, not {FORMAT!r}")
        settings = json.loads(header["settings"])
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError, ValueError) as error:
        raise ValueError(f"corrupt SB3 baseline {path}: {error}") from error
    settings = _checked_settings(settings, path)
    model = make_model(
        settings["env_id"],
        settings["algo"],
        settings["extractor"],
        level=settings["level"],
        n_envs=1,
        extractor_kwargs=settings["extractor_kwargs"],
        device=device,
        env_kwargs=settings.get("env_kwargs", {}),
        n_steps=64,  # the rollout buffer is allocated but unused until training
        batch_size=64,
    )
    expected = {name: tuple(t.shape) for name, t in model.policy.state_dict().items()}
    with safe_open(str(path), framework="pt") as handle:  # shapes from the header, before loading anything
        found = {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}
    if found != expected:
        differ = sorted(set(found) ^ set(expected)) or [n for n in expected if found[n] != expected[n]]
        raise ValueError(f"SB3 baseline {path} does not fit the policy its settings build (first: {differ[:3]})")
    tensors = load_file(str(path))
    if not all(bool(torch.isfinite(t).all()) for t in tensors.values() if t.is_floating_point()):
        raise ValueError(f"SB3 baseline {path} holds weights that are not finite (NaN or infinite)")
    model.policy.load_state_dict(tensors, strict=True)
    model.num_timesteps = settings["num_timesteps"]
    return model


def thinkers(model: BaseAlgorithm) -> list[MazeThinker]:
    """The :class:`MazeThinker` extractors of a model's policy (one, or two without a shared extractor)."""
    return [module for module in model.policy.modules() if isinstance(module, MazeThinker)]


def set_iters(model: BaseAlgorithm, iters: int) -> None:
    """Sets the iterations of every :class:`MazeThinker` of ``model``: let a trained policy think longer.

    Raises:
        ValueError: for a non-positive ``iters`` or a model without a thinker.
    """
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        raise ValueError(f"iters is a positive integer, got {iters!r}")
    found = thinkers(model)
    if not found:
        raise ValueError("this model has no MazeThinker extractor: only the thinker's iterations can change")
    for thinker in found:
        thinker.iters = iters


# ------------------------------------------------------------------------------------------ evaluation adapter
def observation_action_masks(observation: np.ndarray) -> np.ndarray:
    """The legal actions read off one observation: bool ``(729,)`` for a ``(9, 9)`` Sudoku grid (the rules'
    placements, :func:`envs.sudoku.legal_mask`), bool ``(4,)`` for a ``(4, s, s)`` maze (the moves from the
    walker that stay on the board and off the black wall elements), bool ``(4672,)`` for chess game planes
    (the legal moves of :func:`puzzles.chess_game.board_from_planes`).

    Raises:
        ValueError: for an observation of another shape.
    """
    observation = np.asarray(observation)
    if observation.shape == (9, 9):
        return legal_mask(observation.astype(np.int64))
    if observation.shape == (GAME_PLANES, 8, 8):  # the mover's view: the same move indices as the env's mask
        return legal_action_mask(board_from_planes(observation)).astype(bool)
    if observation.ndim == 3 and observation.shape[0] == 4:
        size = observation.shape[1]
        open_ = observation[:3].max(axis=0) > 0  # walls are black in all three colour channels
        row, col = np.unravel_index(int(np.argmax(observation[3])), observation.shape[1:])
        mask = np.zeros(4, dtype=bool)
        for action, (dr, dc) in enumerate(mazes.MOVES):
            r, c = row + dr, col + dc
            mask[action] = 0 <= r < size and 0 <= c < size and bool(open_[r, c])
        return mask
    raise ValueError(f"no action masks for observations of shape {observation.shape}")


class SB3Policy:
    """An SB3 model as a policy of :func:`trainers.rollouts.evaluate_rollouts` (``act_batch`` and ``reset``).

    :param model: a trained PPO or MaskablePPO model; a masked model gets masks from the observations
    :param deterministic: take the most likely action (else sample)
    :param seed: seed of the policy's own random generator for sampled actions, so a sampling evaluation
        repeats exactly (SB3's own sampling would draw from torch's global generator)

    ``iterations`` counts the thinker's iterations spent (``iters`` per observation; stays 0 without a thinker),
    the compute a rollout report divides by its episodes.
    """

    def __init__(self, model: BaseAlgorithm, deterministic: bool = True, seed: int = 0) -> None:
        self.model = model
        self.deterministic = deterministic
        self.generator = torch.Generator(device=model.policy.device).manual_seed(seed)
        self.masked = isinstance(model, MaskablePPO)
        self.iterations = 0

    def reset(self, slot: int = 0) -> None:
        """Nothing to forget: the policy is memoryless (kept for the rollout interface)."""

    def _sample(self, distribution: Any) -> torch.Tensor:
        """Actions drawn from a categorical (``Discrete``) or Bernoulli (``MultiBinary``) action distribution with
        the policy's own generator."""
        inner = distribution.distribution
        if isinstance(inner, torch.distributions.Categorical):  # MaskableCategorical too: masked moves have p = 0
            return torch.multinomial(inner.probs, 1, generator=self.generator).squeeze(1)
        if isinstance(inner, torch.distributions.Bernoulli):
            return torch.bernoulli(inner.probs, generator=self.generator)
        raise TypeError(f"no seeded sampling for {type(inner).__name__} action distributions")

    def cannot_act(self, action_space: spaces.Space) -> str | None:
        """Why the policy cannot play an environment with ``action_space`` (``None`` when it can): SB3's action
        head has the training space's fixed size, so a ``MultiBinary(32)`` policy cannot answer 64 bits."""
        trained = self.model.action_space
        if action_space == trained:
            return None
        length = trained.n if isinstance(trained, (spaces.Discrete, spaces.MultiBinary)) else trained.shape
        return f"SB3's {type(trained).__name__} action head has a fixed length ({length}), not {action_space}"

    def act_batch(
        self, observations: Sequence[np.ndarray], action_space: spaces.Space, slots: Sequence[int] | None = None
    ) -> list[int] | list[np.ndarray]:
        """One action per observation (an index, or a bit array for ``MultiBinary``), from one batched forward
        pass of the policy network."""
        policy = self.model.policy
        policy.set_training_mode(False)
        batch = torch.as_tensor(np.stack(observations), device=policy.device)
        with torch.no_grad():
            if self.masked:
                masks = np.stack([observation_action_masks(o) for o in observations])
                distribution = policy.get_distribution(batch, action_masks=masks)
            else:
                distribution = policy.get_distribution(batch)
            actions = distribution.get_actions(deterministic=True) if self.deterministic else self._sample(distribution)
        extractor = policy.pi_features_extractor
        if isinstance(extractor, MazeThinker):
            self.iterations += extractor.iters * len(observations)
        actions = actions.cpu().numpy()
        if isinstance(self.model.action_space, spaces.Discrete):
            return [int(action) for action in actions]
        return list(actions.astype(self.model.action_space.dtype))  # Bernoulli modes come as floats
