"""Recurrence against depth (the dissertation's chapter 3; Savarese & Maire 2019): how a model of fixed depth
compares with one that may think on, and whether a soft-sharing net folded itself into a loop.

:func:`depth_row` measures one model: its parameters, its accuracy at its depth per size, and for a recurrent
model the best accuracy within a thinking budget; :func:`loop_score` reads a soft-sharing net's layer similarity.
``deepthink recurrence`` (:mod:`trainers.commands.recurrence`) puts them in one report.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from agents.problems import Problem
from trainers.evaluation import accuracy_per_iteration


def depth_row(net: nn.Module, problem: Problem, sizes: list[int], samples: int, think: int, seed: int) -> dict:
    """Parameters, accuracy at the model's depth per size, the best accuracy within ``think`` iterations for a
    recurrent model, and a soft-sharing net's loop score, on ``samples`` fresh puzzles per size (seeded by
    ``(seed, size)``, so every model meets the same ones)."""
    depth = net.config.max_iters
    row = {"kind": net.config.kind, "parameters": sum(p.numel() for p in net.parameters()), "depth": depth}
    for size in sizes:
        inputs, targets = problem.generate(samples, size, np.random.default_rng([seed, size]))
        curve = accuracy_per_iteration(net, problem, inputs, targets, think if net.recurrent else depth)
        row[f"at_depth_{size}"] = float(curve.last[depth - 1])
        if net.recurrent:
            row[f"best_within_{think}_{size}"] = float(curve.last.max())
    if net.config.kind == "soft":
        row["loop_score"] = loop_score(net.layer_similarity().numpy(), 2 * net.config.blocks)
    return row


def loop_score(similarity: np.ndarray, period: int) -> float:
    """Mean similarity of same-place convolutions in different stages minus that of different-place ones."""
    index = np.arange(len(similarity))
    same_place = (index[:, None] % period == index[None, :] % period) & (index[:, None] // period != index // period)
    different_place = index[:, None] % period != index[None, :] % period
    return float(similarity[same_place].mean() - similarity[different_place].mean())
