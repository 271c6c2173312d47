"""Checkpoint I/O: safetensors weights plus a JSON model card, written atomically, loaded without pickle.

A checkpoint ``<stem>`` is two files: ``<stem>.safetensors`` (the weights, with the network config in its
metadata) and ``<stem>.json`` (the model card: architecture, problem, recipe, data, timings, accuracies).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from agents.networks import build_network
from puzzles.storage import atomic_write, save_json

#: Where shipped checkpoints live: ``checkpoints/`` at the repository root.
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "checkpoints"


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
    """
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


def load_checkpoint(name_or_path: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Loads ``(network, card)`` from a shipped name or a path; never unpickles.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: the weights or the card are corrupt or do not fit the recorded network.
    """
    stem = resolve_checkpoint(name_or_path)
    weights = stem.with_suffix(".safetensors")
    try:
        tensors = load_file(str(weights))
        with safe_open(str(weights), framework="pt") as handle:
            metadata = handle.metadata() or {}
        net = build_network(json.loads(metadata["network"]))
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError, TypeError, ValueError) as error:
        raise ValueError(f"corrupt checkpoint {weights}: {error}") from error
    card_path = stem.with_suffix(".json")
    card: dict[str, Any] = {}
    if card_path.is_file():
        try:
            card = json.loads(card_path.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"corrupt model card {card_path}: {error}") from error
    card.setdefault("problem", metadata.get("problem", ""))
    try:
        net.load_state_dict(tensors, strict=True)
    except RuntimeError as error:
        raise ValueError(f"checkpoint {weights} does not fit its recorded network: {error}") from error
    net.eval()
    return net, card


def load_training_state(path: str | Path) -> dict[str, Any]:
    """Loads a resumable training state written with ``torch.save``, refusing arbitrary objects."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a truncated or foreign file
        raise ValueError(f"corrupt training state {path}: {error}") from error


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
