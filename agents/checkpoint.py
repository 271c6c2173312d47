"""Checkpoint I/O: safetensors weights plus a JSON model card, written atomically, loaded without pickle.

A checkpoint ``<stem>`` is two files: ``<stem>.safetensors`` (the weights, with the network config in its
metadata) and ``<stem>.json`` (the model card: architecture, problem, recipe, data, timings, accuracies).

Every loader (:func:`load_checkpoint`, and through it ``load_solver``, ``load_policy``, the trainers' warm starts
and the scripts) goes through one validation layer, in this order, so a hostile or broken file is refused with
one ValueError before anything large is allocated:

1. the files' sizes (:data:`MAX_CARD_BYTES`, :data:`MAX_WEIGHTS_BYTES`);
2. the card's schema (:func:`check_card`) and the network config recorded in the weights' metadata;
3. the card's problem against that network (channels and dimensions the family needs);
4. the size of the network the config asks for (:data:`MAX_BLOCKS`, :data:`MAX_PARAMETERS`), computed from the
   config alone (:func:`agents.networks.parameter_shapes`);
5. the tensors' names, shapes and dtypes, read from the safetensors header alone;
6. then the weights are read, and must be finite.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import nn

from agents.budget import check_search
from agents.networks import build_network, check_iterations, network_config, parameter_shapes
from agents.problems import PROBLEMS
from puzzles.storage import atomic_write, save_json

#: Where shipped checkpoints live: the ``checkpoints`` package (``checkpoints/`` in a checkout), found through
#: importlib.resources so an installed wheel finds its own copy from any directory.
SHIPPED_DIR = Path(str(resources.files("checkpoints")))

#: The most parameters a checkpoint's network may have (200 MB of float32; the largest shipped model has 0.2 M).
MAX_PARAMETERS = 50_000_000
#: The most blocks (feed-forward stages x blocks per stage) and head layers a checkpoint's network may build.
MAX_BLOCKS = 512
#: The largest weights file: :data:`MAX_PARAMETERS` as float64 and a header.
MAX_WEIGHTS_BYTES = 8 * MAX_PARAMETERS + 2**20
#: The largest model card (shipped cards are under 20 kB).
MAX_CARD_BYTES = 4 * 2**20
#: The problem of a chess game policy (:class:`agents.chess_network.ChessNetwork`), beside the puzzle families.
CHESS_GAME = "chess_game"
#: Weight dtypes a checkpoint may hold (loading converts them to the network's float32).
FLOAT_DTYPES = ("F16", "BF16", "F32", "F64")


def checkpoint_stem(path: str | Path) -> Path:
    """``foo``, ``foo.json`` or ``foo.safetensors`` -> ``foo``."""
    path = Path(path)
    return path.with_suffix("") if path.suffix in (".json", ".safetensors") else path


def save_checkpoint(path: str | Path, net: nn.Module, card: dict[str, Any]) -> Path:
    """Writes ``<stem>.safetensors`` and ``<stem>.json`` atomically; returns the stem.

    The card gets ``network`` (the config) filled in, so the weights alone suffice to rebuild the network.
    """
    stem = checkpoint_stem(path)
    config = net.config.to_dict()
    tensors = {name: tensor.detach().to("cpu").contiguous() for name, tensor in net.state_dict().items()}
    metadata = {"network": json.dumps(config), "problem": str(card.get("problem", ""))}
    atomic_write(stem.with_suffix(".safetensors"), lambda tmp: save_file(tensors, str(tmp), metadata=metadata))
    save_json(stem.with_suffix(".json"), {**card, "network": config})
    return stem


def is_shipped_name(name_or_path: str | Path) -> bool:
    """Whether ``name_or_path`` is a name (``"prefix_sums"``) rather than a path: no folder, no suffix."""
    if not isinstance(name_or_path, str):  # a Path is a path
        return False
    return (
        not any(c in name_or_path for c in "/\\")
        and not name_or_path.startswith(".")
        and (Path(name_or_path).suffix not in (".json", ".safetensors"))
    )


def resolve_checkpoint(name_or_path: str | Path) -> Path:
    """A shipped name (``"prefix_sums"``) or a path -> the checkpoint stem, which must exist.

    A name is a name and a path is a path: a name resolves only to the package's own checkpoints, so a stray
    ``prefix_sums.safetensors`` in the working directory never replaces the shipped model (write
    ``./prefix_sums`` to mean that file).

    Raises:
        FileNotFoundError: naming what was looked for.
        TypeError: neither a string nor a path.
    """
    if not isinstance(name_or_path, str | Path):
        raise TypeError(f"a checkpoint is a shipped name or a path, got {type(name_or_path).__name__}")
    shipped = sorted(p.stem for p in SHIPPED_DIR.glob("*.safetensors"))
    if is_shipped_name(name_or_path):
        stem = SHIPPED_DIR / str(name_or_path)
        if stem.with_suffix(".safetensors").is_file():
            return stem
        raise FileNotFoundError(
            f"no shipped checkpoint {str(name_or_path)!r} (shipped: {shipped}); "
            f"for a checkpoint in this directory give its path, ./{name_or_path}"
        )
    stem = checkpoint_stem(name_or_path)
    if stem.with_suffix(".safetensors").is_file():
        return stem
    raise FileNotFoundError(f"no checkpoint {str(name_or_path)!r}: looked for {stem.with_suffix('.safetensors')}")


def check_card(card: Any, where: str = "the model card") -> dict[str, Any]:
    """``card`` checked against the schema of the keys the loaders read; returns it.

    ``problem`` is a string, ``recommended_think`` a whole number of iterations up to
    :data:`agents.networks.MAX_THINK` (or null), ``recommended_search`` (a chess player's) simulations up to
    :data:`agents.budget.MAX_SEARCH` (or null), ``readout`` ``"last"`` or ``"max_conf"``, ``recipe`` and
    ``network`` objects, and a recipe's ``max_iters`` (a chess policy's default budget) a budget as well.

    Raises:
        ValueError: naming ``where`` and the key.
    """
    if not isinstance(card, dict):
        raise ValueError(f"{where} must be a JSON object, got {type(card).__name__}")
    if not isinstance(card.get("problem", ""), str):
        raise ValueError(f"{where}: problem must be a name, got {card['problem']!r}")
    if card.get("recommended_think") is not None:
        check_iterations(card["recommended_think"], f"{where}: recommended_think")
    if card.get("recommended_search") is not None:
        check_search(card["recommended_search"], f"{where}: recommended_search")
    if card.get("readout", "last") not in ("last", "max_conf"):
        raise ValueError(f"{where}: readout must be 'last' or 'max_conf', got {card['readout']!r}")
    for key in ("recipe", "network"):
        if not isinstance(card.get(key, {}), dict):
            raise ValueError(f"{where}: {key} must be an object, got {type(card[key]).__name__}")
    if card.get("recipe", {}).get("max_iters") is not None:
        check_iterations(card["recipe"]["max_iters"], f"{where}: recipe.max_iters")
    return card


def read_card(path: Path) -> dict[str, Any]:
    """The model card at ``path``, checked (:func:`check_card`); ``{}`` when there is none.

    Raises:
        ValueError: too large, not JSON, or not a valid card.
    """
    if not path.is_file():
        return {}
    size = path.stat().st_size
    if size > MAX_CARD_BYTES:
        raise ValueError(f"model card {path} is {size} bytes; a card may have at most {MAX_CARD_BYTES}")
    try:
        card = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested too deep
        raise ValueError(f"corrupt model card {path}: {error}") from None
    return check_card(card, f"model card {path}")


def _recorded_config(metadata: dict[str, str], weights: Path) -> Any:
    """The network config in the weights' metadata, checked but not built."""
    if "network" not in metadata:
        raise ValueError(f"corrupt checkpoint {weights}: its metadata records no network config")
    try:
        return network_config(json.loads(metadata["network"]))
    except (ValueError, TypeError, RecursionError) as error:
        raise ValueError(f"corrupt checkpoint {weights}: bad network config: {error}") from None


def _check_card_network(card: dict[str, Any], config: Any, weights: Path) -> None:
    """The card, when it describes the network, describes the one the weights record."""
    if card.get("network") is None:
        return
    try:
        described = network_config(card["network"])
    except (ValueError, TypeError) as error:
        raise ValueError(f"model card of {weights}: bad network: {error}") from None
    if described != config:
        raise ValueError(f"checkpoint {weights}: the card describes another network than the weights hold")


def _problem_of(card: dict[str, Any], metadata: dict[str, str], weights: Path) -> str:
    """The checkpoint's problem: the card's, which must agree with the one recorded in the weights."""
    recorded = metadata.get("problem", "")
    problem = card.get("problem", recorded)
    if recorded and problem != recorded:
        raise ValueError(f"checkpoint {weights}: its card names problem {problem!r}, its weights {recorded!r}")
    return problem


def check_problem_fits(problem: str, config: Any, where: str) -> None:
    """Refuses a network that cannot read or answer ``problem``'s puzzles ("" passes: no problem recorded).

    Raises:
        ValueError: an unknown problem, or a network of other channels or dimensions than the problem's.
    """
    chess = getattr(config, "kind", None) == "chess"
    if not problem or (problem == CHESS_GAME and chess):
        return
    if problem != CHESS_GAME and problem not in PROBLEMS:
        raise ValueError(f"{where}: unknown problem {problem!r}; known: {sorted([*PROBLEMS, CHESS_GAME])}")
    if problem == CHESS_GAME or chess:
        raise ValueError(f"{where}: a {'chess' if chess else config.kind!r} network cannot play problem {problem!r}")
    family = PROBLEMS[problem]
    wanted = (family.dims, family.in_channels, family.out_channels)
    if (config.dims, config.in_channels, config.out_channels) != wanted:
        raise ValueError(
            f"{where}: problem {problem!r} needs a {wanted[0]}D network with {wanted[1]} input and {wanted[2]} output "
            f"channels; the weights are {config.dims}D with {config.in_channels} and {config.out_channels}"
        )


def expected_shapes(config: Any, where: str) -> dict[str, tuple[int, ...]]:
    """The tensors a network of ``config`` holds, by name, once its size is known to be within the limits.

    Raises:
        ValueError: more than :data:`MAX_BLOCKS` blocks or :data:`MAX_PARAMETERS` parameters.
    """
    if getattr(config, "kind", None) == "chess":
        blocks = config.blocks
    else:
        blocks = config.blocks * (config.max_iters if config.kind == "ff" else 1) + len(config.head)
    if blocks > MAX_BLOCKS:
        raise ValueError(
            f"{where}: the network has {blocks} blocks and head layers; a checkpoint may have {MAX_BLOCKS}"
        )
    shapes = parameter_shapes(config)
    count = sum(math.prod(shape) for shape in shapes.values())
    if count > MAX_PARAMETERS:
        raise ValueError(f"{where}: the network has {count:,} parameters; a checkpoint may have {MAX_PARAMETERS:,}")
    return shapes


def _check_header(handle: Any, expected: dict[str, tuple[int, ...]], where: str) -> None:
    """The tensors the safetensors header declares are exactly ``expected`` (names, shapes, float dtypes)."""
    names = set(handle.keys())
    if names != set(expected):
        missing, unexpected = sorted(set(expected) - names), sorted(names - set(expected))
        raise ValueError(
            f"{where} does not fit its recorded network: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    for name, shape in expected.items():
        tensor = handle.get_slice(name)
        if tuple(tensor.get_shape()) != shape:
            raise ValueError(
                f"{where} does not fit its recorded network: {name} has shape {tuple(tensor.get_shape())}, "
                f"the network's is {shape}"
            )
        if tensor.get_dtype() not in FLOAT_DTYPES:
            raise ValueError(f"{where}: {name} holds {tensor.get_dtype()} values; weights are {FLOAT_DTYPES}")


def _read_weights(weights: Path, card: dict[str, Any]) -> tuple[Any, dict[str, torch.Tensor], str]:
    """``(config, tensors, problem)`` of a weights file, each step checked before the next (see the module)."""
    size = weights.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise ValueError(f"checkpoint {weights} is {size:,} bytes; a checkpoint may have {MAX_WEIGHTS_BYTES:,}")
    try:
        with safe_open(str(weights), framework="pt") as handle:  # reads the header; maps, does not read, the rest
            metadata = handle.metadata() or {}
            config = _recorded_config(metadata, weights)
            _check_card_network(card, config, weights)
            problem = _problem_of(card, metadata, weights)
            check_problem_fits(problem, config, f"checkpoint {weights}")
            expected = expected_shapes(config, f"checkpoint {weights}")
            _check_header(handle, expected, f"checkpoint {weights}")
            tensors = {name: handle.get_tensor(name) for name in expected}
    except (SafetensorError, OSError) as error:
        raise ValueError(f"corrupt checkpoint {weights}: {error}") from None
    for name, tensor in tensors.items():
        if not torch.isfinite(tensor).all():
            raise ValueError(f"checkpoint {weights}: {name} holds NaN or infinite weights")
    return config, tensors, problem


def load_checkpoint(name_or_path: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Loads ``(network, card)`` from a shipped name or a path; never unpickles, and checks everything before it
    allocates the network (see the module docstring for the order).

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: the weights or the card are corrupt, ask for more than the limits, do not fit the recorded
            network, hold NaN or infinite weights, or name a problem the network cannot solve.
    """
    stem = resolve_checkpoint(name_or_path)
    weights = stem.with_suffix(".safetensors")
    card = read_card(stem.with_suffix(".json"))
    config, tensors, problem = _read_weights(weights, card)
    card = {**card, "problem": problem}
    net = build_network(config)
    try:
        net.load_state_dict(tensors, strict=True)
    except RuntimeError as error:  # the checks above make this unreachable; kept as the last guard
        raise ValueError(f"checkpoint {weights} does not fit its recorded network: {error}") from error
    net.eval()
    return net, card


#: What every trainer's ``state.pt`` holds (self-play adds its replay buffer).
TRAINING_STATE_KEYS = ("model", "optimizer", "progress")


def load_training_state(path: str | Path, required: tuple[str, ...] = TRAINING_STATE_KEYS) -> dict[str, Any]:
    """Loads a resumable training state written with ``torch.save``, refusing arbitrary objects (tensors,
    containers and numbers only: ``weights_only``, so a pickled payload cannot run).

    Raises:
        FileNotFoundError: there is no state yet (the run has not finished its first epoch or round).
        ValueError: the file is corrupt, or not a dictionary with the ``required`` keys (``progress`` a dictionary).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no training state {path}: the run has not finished its first epoch yet")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a truncated or foreign file
        raise ValueError(f"corrupt training state {path}: {error}") from None
    if not isinstance(state, dict):
        raise ValueError(f"corrupt training state {path}: a {type(state).__name__}, not a dictionary")
    missing = [key for key in required if key not in state]
    if missing:
        raise ValueError(f"corrupt training state {path}: no {', '.join(missing)} (it holds {sorted(map(str, state))})")
    if "progress" in required and not isinstance(state["progress"], dict):
        raise ValueError(f"corrupt training state {path}: progress is a {type(state['progress']).__name__}")
    return state


def save_training_state(path: str | Path, state: dict[str, Any]) -> None:
    """Writes a resumable training state atomically."""
    atomic_write(path, lambda tmp: torch.save(state, tmp))


def load_labelled_checkpoints(specs: list[str]) -> tuple[dict[str, tuple[nn.Module, dict[str, Any]]], list[str]]:
    """``{label: (network, card)}`` from ``LABEL=CHECKPOINT`` specs whose checkpoints exist, and a note for each
    missing one (studies that compare models run on whichever are trained).

    Raises:
        ValueError: a spec that is not ``LABEL=CHECKPOINT``, or a corrupt checkpoint.
        FileNotFoundError: none of the checkpoints exists.
    """
    models, notes = {}, []
    for spec in specs:
        label, sep, checkpoint = spec.rpartition("=")
        if not sep or not label or not checkpoint:
            raise ValueError(f"a model is LABEL=CHECKPOINT, got {spec!r}")
        try:
            models[label] = load_checkpoint(checkpoint)
        except FileNotFoundError:
            notes.append(f"{label}: no checkpoint at `{checkpoint}` (left out)")
    if not models:
        raise FileNotFoundError("none of the models' checkpoints exist: " + "; ".join(notes))
    return models, notes
