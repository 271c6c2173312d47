"""The one thinking loop: every network runs it, every reader streams it, halting is one pure rule."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.networks import NetworkConfig, build_network
from agents.thinking import ThinkingLoop, final_thought, halting_step, iterations, recurrence

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "net",
    [
        build_network(NetworkConfig(dims=1, width=6)),
        build_network(NetworkConfig(kind="ff", dims=2, in_channels=3, width=4, max_iters=4)),
        ChessNetwork(ChessNetworkConfig(width=8, norm=True)),
    ],
    ids=["dt", "ff", "chess"],
)
def test_every_network_runs_the_one_loop_whole_and_streamed(net):
    assert isinstance(net, ThinkingLoop)
    x = (
        torch.rand(2, 19, 8, 8)
        if isinstance(net, ChessNetwork)
        else torch.rand(2, *(1, 9) if net.config.dims == 1 else (3, 5, 5))
    )
    with torch.inference_mode():
        *whole, state = net(x, 3)
        streamed = list(net.iterate(x, 3))
        *resumed, _ = net(x, 1, net(x, 2)[-1], start=2)
    assert len(streamed) == 3
    for a, b, c in zip(whole, streamed[-1][:-1], resumed, strict=True):
        assert torch.equal(a, b) and torch.allclose(a, c, atol=1e-6)
    assert torch.equal(state, streamed[-1][-1])


def test_recurrence_yields_each_thought_and_final_thought_the_last():
    step = lambda x, state, index: state * 2 + x + index  # noqa: E731
    assert [int(t) for t in recurrence(step, torch.tensor(1), torch.tensor(0), 3)] == [1, 4, 11]
    assert int(final_thought(step, torch.tensor(1), torch.tensor(0), 3)) == 11
    assert int(final_thought(step, torch.tensor(1), torch.tensor(5), 0)) == 5
    with pytest.raises(TimeoutError):
        list(recurrence(step, torch.tensor(1), torch.tensor(0), 3, deadline=0.0))


def test_iterations_streams_batches_changes_and_an_intervention():
    torch.manual_seed(0)
    net = build_network(NetworkConfig(dims=1, width=6)).eval()
    x = torch.rand(5, 1, 7)
    flipped = []

    def intervene(batch, state):
        flipped.append(batch[1])
        return (batch[0].flip(2), batch[1]), torch.zeros_like(state)

    with torch.inference_mode():
        steps = list(iterations(net, 5, 4, lambda rows: (x[rows], rows), 2, changes=True, intervene=(2, intervene)))
        expected = list(net.iterate(x[0:2], 2)) + list(net.iterate(x[0:2].flip(2), 2, torch.zeros(2, 6, 7), start=2))
    assert [(s.rows.start, s.number) for s in steps][:5] == [(0, 1), (0, 2), (0, 3), (0, 4), (2, 1)]
    assert len(steps) == 12 and len(flipped) == 3  # three batches (2, 2, 1), each intervened on once
    for step, (logits, state) in zip(steps[:4], expected, strict=True):
        assert torch.allclose(step.outputs[0], logits, atol=1e-6) and torch.allclose(step.state, state, atol=1e-6)
    assert torch.equal(steps[2].change, torch.zeros(2, 6, 7).sub(steps[2].state).flatten(1).norm(dim=1))
    assert len(list(iterations(net, 0, 2, lambda rows: (x[rows],)))) == 2  # an empty set is one empty batch


def test_halting_step_is_one_rule_for_numpy_and_torch():
    stable, same, least = np.array([0, 2, 2]), np.array([True, True, False]), np.array([0.99, 0.5, 0.99])
    counts, halts = halting_step(stable, same, least, patience=3, confidence=0.9)
    assert counts.tolist() == [1, 3, 0] and halts.tolist() == [False, False, False]
    counts, halts = halting_step(np.array([2, 2]), np.array([True, True]), np.array([0.95, 0.5]), 3, 0.9)
    assert halts.tolist() == [True, False]
    torch_counts, torch_halts = halting_step(
        torch.tensor([2, 2]), torch.tensor([True, True]), torch.tensor([0.95, 0.5]), 3, 0.9
    )
    assert torch_counts.tolist() == counts.tolist() and torch_halts.tolist() == halts.tolist()


def test_the_networks_import_no_circle():
    imported = {
        node.module
        for node in ast.walk(ast.parse((ROOT / "agents" / "chess_network.py").read_text()))
        if isinstance(node, ast.ImportFrom)
    }
    assert "agents.networks" not in imported


def test_the_thin_scripts_run_their_commands():
    names = ["watch", "recurrence", "overthinking", "halting_rules", "bench", "maze_demo"]
    program = (
        "import runpy, sys\n"
        f"for name in {names!r}:\n"
        "    sys.argv = [name, '--help']\n"
        "    try:\n"
        "        runpy.run_path(f'scripts/{name}.py', run_name='__main__')\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code == 0, name\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("usage: ") == len(names)
