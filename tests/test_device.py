"""Device plumbing on a CPU-only machine: devices are checked up front, and autocast is off on the CPU."""

import pytest
import torch

from agents.device import autocast, resolve_device


def test_devices_are_checked_before_anything_runs():
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="device is one of"):
        resolve_device("xla")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            resolve_device("cuda")
    with pytest.raises(RuntimeError):
        resolve_device("not a device")


def test_autocast_leaves_the_cpu_in_float32():
    with autocast(torch.device("cpu")):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
