"""The solve path's speed-ups change how answers are computed, never what they are: today's network against the
original path kept by the benchmark, and ``think="auto"`` reading the heads every few iterations."""

import numpy as np
import pytest
import torch

from agents.solver import load_solver
from puzzles import mazes, prefix_sums
from trainers.benchmark_solve import _original_head, _original_step, original_solve


def instances(family):
    if family == "prefix_sums":
        return prefix_sums.generate(6, 24, np.random.default_rng(0))[0]
    return mazes.generate(3, 9, np.random.default_rng(0))[0]


@pytest.mark.parametrize("family", ["prefix_sums", "mazes"])
def test_in_place_blocks_give_the_original_thoughts_bit_for_bit(family):
    solver = load_solver(family)
    net, x = solver.net, solver.problem.encode(instances(family))
    with torch.inference_mode():
        entered = net._enter(x)
        state = torch.relu(net.projection[0](entered))
        for _ in range(12):
            state = _original_step(net, entered, state)
        logits, thought = net(x, 12)
        assert torch.equal(thought, net._leave(state))
        assert torch.equal(logits, _original_head(net, state))


@pytest.mark.parametrize("family", ["prefix_sums", "mazes"])
@pytest.mark.parametrize("readout", ["last", "max_conf"])
def test_solve_answers_as_the_original_path(family, readout):
    solver = load_solver(family, batch_size=2)  # several batches
    solver.readout = readout
    puzzles = instances(family)
    assert np.array_equal(solver.solve(puzzles, think=20), original_solve(solver, puzzles, 20))


@pytest.mark.parametrize("readout", ["last", "max_conf"])
def test_auto_reading_every_few_iterations_that_never_halts_equals_the_fixed_budget(readout):
    solver = load_solver("prefix_sums", batch_size=4)
    solver.readout, solver.halt_every, solver.halt_confidence = readout, 3, 1.01  # never sure enough
    bits = instances("prefix_sums")
    answers, iterations = solver.solve_auto(bits, cap=7)  # reads after 3, 6 and 7
    assert (iterations == 7).all()
    if readout == "last":
        assert np.array_equal(answers, solver.solve(bits, think=7))
    else:  # the most confident of the three reads
        trace = list(solver.think_trace(bits, think=7))
        best = np.argmax([[trace[t - 1].confidence[n] for t in (3, 6, 7)] for n in range(len(bits))], axis=1)
        expected = [trace[(3, 6, 7)[b] - 1].prediction[n] for n, b in enumerate(best)]
        assert np.array_equal(answers, np.stack(expected))


def test_auto_reading_every_four_iterations_halts_at_the_first_read_that_repeats_the_one_before():
    solver = load_solver("prefix_sums", batch_size=4)
    solver.readout, solver.halt_every, solver.halt_confidence = "last", 4, 0.0
    bits = prefix_sums.generate(10, 40, np.random.default_rng(1))[0]
    answers, iterations = solver.solve_auto(bits, cap=50)
    trace = [step.prediction for step in solver.think_trace(bits, think=50)]
    for n in range(len(bits)):
        reads = [t for t in range(8, 49, 4) if np.array_equal(trace[t - 1][n], trace[t - 5][n])]
        assert iterations[n] == (reads[0] if reads else 50)
        assert np.array_equal(answers[n], trace[iterations[n] - 1][n])
    assert (iterations < 50).all()
    solver.halt_every = 0
    with pytest.raises(ValueError, match="halt_every"):
        solver.solve_auto(bits, cap=5)
