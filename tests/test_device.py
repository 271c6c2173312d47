"""Device plumbing on a CPU-only machine: devices and precisions are checked up front, the trainer and the solver run
on the device they are given in the precision they are given, and check-device runs through the same path."""

import numpy as np
import pytest
import torch

from agents.device import autocast, check_precision, resolve_device
from agents.solver import load_solver
from trainers.commands import check_device
from trainers.recipes import get_recipe
from trainers.supervised import Trainer


def test_devices_are_checked_before_anything_runs():
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="device is one of"):
        resolve_device("xla")
    with pytest.raises(ValueError, match="device is one of"):
        resolve_device("not a device")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            resolve_device("cuda")
    if not torch.backends.mps.is_available():
        with pytest.raises(ValueError, match="no Apple GPU"):
            resolve_device("mps")


def test_precisions_are_checked():
    cpu = torch.device("cpu")
    assert check_precision("fp32", cpu) == "fp32" and check_precision("bf16", cpu) == "bf16"
    with pytest.raises(ValueError, match="precision is one of"):
        check_precision("fp16", cpu)
    with pytest.raises(ValueError, match="precision is one of"):
        Trainer(get_recipe("prefix_sums_tiny"), "/nonexistent-run", progress=False, precision="half")


def test_autocast_runs_in_the_precision_asked_for():
    cpu = torch.device("cpu")
    with autocast(cpu):  # the device's default: float32 on the CPU
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    with autocast(cpu, "fp32"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    with autocast(cpu, "bf16"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16


def head_dtypes(net: torch.nn.Module) -> list[torch.dtype]:
    """Records the dtype of every output of the network's head from now on."""
    seen: list[torch.dtype] = []
    net.head.register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    return seen


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_and_solving_run_on_the_device_in_the_precision_given(tmp_path, precision):
    config = get_recipe("prefix_sums_tiny", epochs=1)
    trainer = Trainer(config, tmp_path / "run", progress=False, device="cpu", precision=precision)
    seen = head_dtypes(trainer.net)
    trainer.run()
    expected = torch.bfloat16 if precision == "bf16" else torch.float32
    assert seen and set(seen) == {expected}  # the training steps and the validation
    stem = trainer.export(tmp_path / "tiny")
    card = load_solver(stem).card
    assert (card["training"]["device"], card["training"]["precision"]) == ("cpu", precision)

    solver = load_solver(stem, device="cpu", precision=precision)
    seen = head_dtypes(solver.net)
    inputs, _ = solver.problem.generate(20, 12, np.random.default_rng(0))
    answers = solver.solve(inputs, think=5)
    assert answers.shape == inputs.shape and set(seen) == {expected}
    trace = list(solver.think_trace(inputs, think=3))
    assert trace[-1].confidence.dtype.kind == "f"  # read back as float32 even in bfloat16
    assert solver.solve_auto(inputs, cap=4)[0].shape == inputs.shape
    with pytest.raises(ValueError, match="precision is one of"):
        load_solver(stem, precision="int8")


def test_check_device_passes_on_the_cpu(capsys):
    check_device.main(["--device", "cpu", "--steps", "4", "--samples", "20", "--think", "4"])
    out = capsys.readouterr().out
    assert "check-device: PASS on cpu (fp32)" in out


def test_check_device_fails_when_the_answers_disagree(monkeypatch, capsys):
    real = check_device.load_solver

    def scrambled(stem, device="cpu", precision="fp32"):
        solver = real(stem, device=device, precision=precision)
        if precision == "bf16":  # stands in for a device whose answers differ from the CPU's
            solve = solver.solve
            solver.solve = lambda inputs, think: 1 - solve(inputs, think=think)
        return solver

    monkeypatch.setattr(check_device, "load_solver", scrambled)
    args = ["--device", "cpu", "--precision", "bf16", "--steps", "4", "--samples", "10", "--think", "2"]
    with pytest.raises(SystemExit):
        check_device.main([*args, "--families", "prefix_sums"])
    assert "check-device: FAIL" in capsys.readouterr().out
