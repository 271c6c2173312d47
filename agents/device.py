"""Where a network runs and in what precision: one code path for CPU, CUDA and Apple's MPS.

``resolve_device("cuda")`` checks the device exists (a clear error, not a crash later). ``autocast(device,
precision)`` runs matrix products in bfloat16 when ``precision`` is ``"bf16"`` and in float32 when it is
``"fp32"``; without a precision it takes the device's default (:func:`default_precision`: bfloat16 on CUDA, float32
elsewhere, what the chess trainers use). Puzzle training and solving default to float32 everywhere: bfloat16 breaks
the prefix-sums model's exactness on long strings, so it is a choice (``--precision bf16``), never implied.
"""

from __future__ import annotations

import contextlib

import torch

DEVICES = ("cpu", "cuda", "mps")
#: ``fp32``: plain float32; ``bf16``: bfloat16 autocast (matrix products and convolutions in bfloat16).
PRECISIONS = ("fp32", "bf16")


def resolve_device(name: str | torch.device) -> torch.device:
    """The torch device called ``name`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``).

    Raises:
        ValueError: an unknown device, or one this machine does not have.
    """
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"device is one of {DEVICES} (or cuda:N), got {str(name)!r}") from None
    if device.type not in DEVICES:
        raise ValueError(f"device is one of {DEVICES}, got {str(name)!r}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but this machine has no CUDA GPU (torch sees none)")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(f"device {str(name)!r} asked for, but this machine has {torch.cuda.device_count()} CUDA GPUs")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device 'mps' asked for, but this machine has no Apple GPU (torch sees none)")
    return device


def default_precision(device: torch.device) -> str:
    """bfloat16 on CUDA, float32 elsewhere (the chess trainers' precision)."""
    return "bf16" if device.type == "cuda" else "fp32"


def check_precision(precision: str, device: torch.device) -> str:
    """``precision`` checked to be one of :data:`PRECISIONS` that ``device`` can run.

    Raises:
        ValueError: an unknown precision, or bfloat16 on a device without it.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision is one of {PRECISIONS}, got {precision!r}")
    if precision == "bf16":
        if not torch.amp.is_autocast_available(device.type):
            raise ValueError(f"this torch has no bfloat16 autocast on {device.type}; use --precision fp32")
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise ValueError("this CUDA GPU has no bfloat16; use --precision fp32")
    return precision


def autocast(device: str | torch.device, precision: str | None = None) -> contextlib.AbstractContextManager:
    """bfloat16 autocast for ``precision="bf16"``, nothing for ``"fp32"``; None takes :func:`default_precision`."""
    device = torch.device(device)
    precision = check_precision(precision or default_precision(device), device)
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
