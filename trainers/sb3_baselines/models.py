"""Building, saving and loading the Stable-Baselines3 baselines, pickle-free.

What a baseline may be (its levels, algorithms, extractors and policy keywords) is its family's
:class:`puzzles.families.Baseline`; :func:`baseline_setup` finds it for an environment id and checks a choice
against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from sb3_contrib import MaskablePPO
from stable_baselines3 import PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv

import envs  # noqa: F401  (registers the DeepThink/ ids)
from puzzles.families import FAMILIES, Family
from puzzles.storage import atomic_write
from trainers.sb3_baselines import extractors
from trainers.sb3_baselines.extractors import MazeThinker

#: The algorithms by command-line name.
ALGOS: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "maskable_ppo": MaskablePPO}
#: The families with a baseline, by the environment the baseline plays.
BASELINE_FAMILIES: dict[str, Family] = {f.policy_env: f for f in FAMILIES.values() if f.baseline and f.policy_env}


def baseline_setup(env_id: str, algo: str, extractor: str) -> Family:
    """The family whose baseline plays ``env_id``, after checking that ``algo`` and ``extractor`` fit it.

    Raises:
        ValueError: naming the valid choices, for an environment without baselines or a combination that does
            not fit (SudokuFill-v0 needs MaskablePPO: without masks nearly every action is illegal).
    """
    if env_id not in BASELINE_FAMILIES:
        raise ValueError(f"no SB3 baseline for {env_id!r}; the environments are {sorted(BASELINE_FAMILIES)}")
    family = BASELINE_FAMILIES[env_id]
    baseline = family.baseline
    if algo not in baseline.algos:
        raise ValueError(f"{env_id} trains with algo {' or '.join(baseline.algos)}, not {algo!r}")
    if extractor not in baseline.extractors:
        raise ValueError(f"{env_id} takes extractor {' or '.join(sorted(baseline.extractors))}, not {extractor!r}")
    return family


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

    :param env_id: an environment of :data:`BASELINE_FAMILIES` (``"DeepThink/MazeNav-v0"``, ...)
    :param algo: ``"ppo"`` or ``"maskable_ppo"``
    :param extractor: ``"cnn"`` or (mazes) ``"thinker"``
    :param level: the difficulty (maze size, Sudoku givens, bits, puzzle difficulty); default the family's
        training level
    :param n_envs: environments stepped together (a ``DummyVecEnv``, seeded ``seed, seed + 1, ...``)
    :param seed: seed of the environments and of the model
    :param extractor_kwargs: keywords of the extractor (``width``, ``layers``, ``iters``, ``blocks``)
    :param device: torch device (``"auto"``: CUDA if available)
    :param env_kwargs: further ``gymnasium.make`` keywords, over the baseline's ``train_env_kwargs``
    :param algo_kwargs: keywords of the algorithm (``n_steps``, ``batch_size``, ``learning_rate``, ...)
    :raises ValueError: for a combination :func:`baseline_setup` rejects
    """
    family = baseline_setup(env_id, algo, extractor)
    level = family.train_level if level is None else level
    make_kwargs = {**family.train_kwargs(level), **(env_kwargs or {})}
    make_kwargs["render_mode"] = None  # make_vec_env would ask for "rgb_array"
    vec_env = make_vec_env(env_id, n_envs=n_envs, seed=seed, env_kwargs=make_kwargs, vec_env_cls=DummyVecEnv)
    policy_kwargs = {
        "features_extractor_class": getattr(extractors, family.baseline.extractors[extractor]),
        "features_extractor_kwargs": dict(extractor_kwargs or {}),
        **family.baseline.policy_kwargs,
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
#: The run folder's card: how the baseline was trained and its evaluation results.
CARD_FILE = "card.json"
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
