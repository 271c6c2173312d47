"""Where a network runs and in what precision: one code path for CPU, CUDA and Apple's MPS.

``resolve_device("cuda")`` checks the device exists (a clear error, not a crash later); ``autocast(device)`` runs
matrix products in bfloat16 where the device has fast bfloat16 (CUDA) and leaves CPU and MPS in float32, whose
answers the shipped cards were measured in.
"""

from __future__ import annotations

import contextlib

import torch

DEVICES = ("cpu", "cuda", "mps")


def resolve_device(name: str | torch.device) -> torch.device:
    """The torch device called ``name`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``).

    Raises:
        ValueError: an unknown device, or one this machine does not have.
    """
    device = torch.device(name)
    if device.type not in DEVICES:
        raise ValueError(f"device is one of {DEVICES}, got {str(name)!r}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but this machine has no CUDA GPU (torch sees none)")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device 'mps' asked for, but this machine has no Apple GPU (torch sees none)")
    return device


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bfloat16 autocast on CUDA; nothing elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
