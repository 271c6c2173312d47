"""How a batch unrolls the recurrence: the progressive loss, or a random depth with truncated backpropagation.

Progressive (Bansal et al. 2022, Algorithm 1 of the dissertation): draw n ~ U{0..m-1} and k ~ U{1..m-n}; run n
iterations without tracking gradients, detach the thought, run k more with gradients, and score only the last
output. The loss is ``(1 - alpha) * L(m iterations from scratch) + alpha * L(progressive)``.

Random depth (after recurrent-depth language models): draw a depth D log-uniformly on 1..``max_depth`` (most
batches shallow, a long tail reaching the deepest), run D - k iterations without gradients from the projected
input, detach, and backpropagate through the last k = min(``bptt``, D). Training then reaches depths far past
the usual regime at the cost of k iterations of backpropagation.

A change penalty (``change_penalty`` > 0) adds the thought's squared relative change over the last scored iteration,
``||h_D - h_(D-1)||^2 / ||h_(D-1)||^2`` per sample: a push towards a fixed point, so that thinking past the trained
depth leaves the answer where it is.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def sample_progressive(max_iters: int, rng: np.random.Generator) -> tuple[int, int]:
    """Draws ``(n, k)``: n ~ U{0..m-1} warm-up iterations, then k ~ U{1..m-n} scored iterations."""
    if max_iters < 1:
        raise ValueError(f"max_iters must be positive, got {max_iters}")
    n = int(rng.integers(0, max_iters))
    k = int(rng.integers(1, max_iters - n + 1))
    return n, k


def sample_unroll(max_depth: int, bptt: int, rng: np.random.Generator) -> tuple[int, int]:
    """Draws ``(free, k)``: a depth D log-uniform on 1..``max_depth``, split into D - k iterations without
    gradients and k = min(``bptt``, D) with."""
    if max_depth < 1 or bptt < 1:
        raise ValueError(f"max_depth and bptt must be positive, got {max_depth} and {bptt}")
    depth = min(max_depth, max(1, round(math.exp(rng.uniform(0.0, math.log(max_depth))))))
    k = min(bptt, depth)
    return depth - k, k


def warm_thought(net: nn.Module, x: torch.Tensor, iters: int) -> torch.Tensor | None:
    """The unscored start of a progressive or random-depth unroll: the thought after ``iters`` iterations from the
    projected input, run without gradients and detached (None for none, so the scored part starts afresh)."""
    if iters == 0:
        return None
    with torch.no_grad():
        return net(x, iters)[-1].detach()


def relative_change(before: torch.Tensor, after: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Mean over samples of ``||after - before||^2 / ||before||^2``."""
    change = (after - before).flatten(1).pow(2).sum(1)
    return (change / (before.flatten(1).pow(2).sum(1) + eps)).mean()


def masked_cross_entropy(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Mean per-position cross entropy over the positions where ``mask`` is true (all when None)."""
    loss = F.cross_entropy(logits, target, reduction="none")
    if mask is None:
        return loss.mean()
    return loss[mask].mean()


def thinking_loss(
    net: nn.Module,
    x: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor | None,
    alpha: float,
    max_iters: int,
    rng: np.random.Generator,
    warmup_net: nn.Module | None = None,
    unroll: tuple[int, int] | None = None,
    change_penalty: float = 0.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The training loss of one batch, and its parts for logging.

    Args:
        net: the network to differentiate through (possibly wrapped for data parallelism).
        x, target, mask: the encoded batch, its classes and loss mask.
        alpha: weight of the progressive term; 0 = plain m-iteration loss, 1 = progressive only.
        max_iters: m, the training regime's iteration count.
        rng: draws n and k (shared by all data-parallel ranks so they run the same iterations).
        warmup_net: the unwrapped network for the gradient-free warm-up (defaults to ``net``).
        unroll: ``(max_depth, bptt)`` replaces the progressive draw of (n, k) with a random depth
            (:func:`sample_unroll`); the last output is scored as in the progressive loss.
        change_penalty: weight of the thought's relative change over the last scored iteration
            (:func:`relative_change`); it needs a recurrent network and alpha > 0.

    The full m-iteration forward only runs when alpha < 1 (the original always ran it).
    """
    parts: dict[str, float] = {}
    loss = torch.zeros((), device=x.device)
    if alpha < 1:
        logits, _ = net(x, max_iters)
        loss_max = masked_cross_entropy(logits, target, mask)
        loss = loss + (1 - alpha) * loss_max
        parts["loss_max_iters"] = float(loss_max.detach())
    if alpha > 0:
        n, k = sample_progressive(max_iters, rng) if unroll is None else sample_unroll(*unroll, rng)
        warm = warm_thought(warmup_net or net, x, n)
        if change_penalty > 0:
            # The scored run in two calls, to see the thought before and after its last iteration.
            _, before = net(x, k - 1, warm, start=n)
            logits, after = net(x, 1, before, start=n + k - 1)
            change = relative_change(before, after)
            loss = loss + change_penalty * change
            parts["change"] = float(change.detach())
        else:
            logits, _ = net(x, k, warm, start=n)
        loss_prog = masked_cross_entropy(logits, target, mask)
        loss = loss + alpha * loss_prog
        parts["loss_progressive"] = float(loss_prog.detach())
    parts["loss"] = float(loss.detach())
    return loss, parts
