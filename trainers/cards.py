"""Model cards: what a trainer records about its run, and the one writer that adds a section to a checkpoint's card.

A card (``<stem>.json`` beside ``<stem>.safetensors``, :mod:`agents.checkpoint`) holds who the network is
(``name``, ``problem``, ``network``, ``recipe``, ``parameters``, ``code``), how it was trained (``training``, or
``selfplay``), and sections that evaluators add later (``evaluation``, ``recommended_think``, ``think_longer``,
``strength``, ``ablations``, ...). Trainers write the first two with the weights (:func:`run_card`,
:func:`export_checkpoint`); every evaluator adds its section with :func:`write_card_section`, which changes that
section only and rewrites the card atomically.
"""

from __future__ import annotations

import fcntl
import os
import platform
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from agents.checkpoint import check_card, load_checkpoint, read_card, resolve_checkpoint, save_checkpoint
from puzzles.storage import save_json

#: Sections that measure one set of weights: they stay true, and survive a re-export, while the weights are the same.
MEASUREMENTS = (
    "evaluation",
    "recommended_think",
    "recommended_search",
    "search",
    "readout",
    "think_longer",
    "strength",
    "agreement_per_iteration",
    "gate",
    "demonstrations",
    "bench",
    "wider_benchmark",
)
#: Sections that describe other runs (evaluations of ablations recorded here): they survive every re-export.
OTHER_RUNS = ("ablations",)


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


def run_card(
    name: str, problem: str, recipe: Any, net: nn.Module, training: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """The card a trainer writes with its best network: identity, the recipe (a dataclass), the ``training``
    section (``hardware`` added), ``extra`` top-level keys, the parameter count and the code version."""
    return {
        "name": name,
        "problem": problem,
        "recipe": asdict(recipe),
        "training": {**training, "hardware": hardware()},
        **extra,
        "parameters": sum(p.numel() for p in net.parameters()),
        "code": code_version(),
    }


def export_checkpoint(stem: str | Path, net: nn.Module, card: dict[str, Any]) -> Path:
    """Writes ``net`` with ``card`` to ``stem``, keeping what an earlier checkpoint there recorded about other runs
    (:data:`OTHER_RUNS`) and, when its weights are these very weights, its measurements (:data:`MEASUREMENTS`)."""
    previous = Path(stem).with_suffix(".json")
    if previous.is_file():
        old = read_card(previous)
        kept = OTHER_RUNS + (MEASUREMENTS if _same_weights(stem, net) else ())
        card = {**card, **{key: old[key] for key in kept if key in old}}
    return save_checkpoint(stem, net, card)


def write_card_section(checkpoint: str | Path, section: str | tuple[str, ...], value: Any) -> dict[str, Any]:
    """Sets one section of a checkpoint's model card to ``value``, keeping every other, and returns the card.

    ``checkpoint`` is a shipped name or a path (:func:`agents.checkpoint.resolve_checkpoint`); ``section`` a key
    (``"evaluation"``, ``"think_longer"``) or a path of keys (``("ablations", "mazes_ff")`` sets one ablation).
    The card is read, changed and replaced atomically while the checkpoint's weights file is locked, so two
    evaluators writing sections at once both keep theirs; the weights are not touched.

    Raises:
        FileNotFoundError: no such checkpoint.
        ValueError: an empty section, a corrupt card, or a change that leaves the card invalid.
    """
    keys = (section,) if isinstance(section, str) else tuple(section)
    if not keys or not all(isinstance(key, str) and key for key in keys):
        raise ValueError(f"a card section is a key or a path of keys, got {section!r}")
    stem = resolve_checkpoint(checkpoint)
    with open(stem.with_suffix(".safetensors"), "rb") as weights:
        fcntl.flock(weights, fcntl.LOCK_EX)
        card = read_card(stem.with_suffix(".json"))
        place = card
        for key in keys[:-1]:
            if not isinstance(place.setdefault(key, {}), dict):
                raise ValueError(f"model card {stem}.json: {key} is not a section, so {'.'.join(keys)} cannot be set")
            place = place[key]
        place[keys[-1]] = value
        save_json(stem.with_suffix(".json"), check_card(card, f"model card {stem}.json"))
    return card


def _same_weights(stem: str | Path, net: nn.Module) -> bool:
    try:
        shipped, _ = load_checkpoint(stem)
    except (FileNotFoundError, ValueError):
        return False
    theirs, ours = shipped.state_dict(), net.state_dict()
    return theirs.keys() == ours.keys() and all(torch.equal(theirs[k], ours[k].cpu()) for k in ours)
