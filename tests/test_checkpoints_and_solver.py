import pickle

import numpy as np
import pytest
import torch

from agents import NetworkConfig, build_network, load_checkpoint, load_solver, save_checkpoint
from agents.problems import get_problem
from agents.solver import Solver
from puzzles import prefix_sums


@pytest.fixture
def tiny_checkpoint(tmp_path):
    torch.manual_seed(0)
    net = build_network(NetworkConfig(width=6, blocks=1, max_iters=4))
    stem = save_checkpoint(tmp_path / "tiny", net, {"problem": "prefix_sums", "name": "tiny"})
    return stem, net


def test_round_trip_never_unpickles(tiny_checkpoint, monkeypatch):
    stem, net = tiny_checkpoint

    def refuse(*args, **kwargs):
        raise AssertionError("loading a checkpoint must not unpickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    loaded, card = load_checkpoint(stem)
    assert card["name"] == "tiny" and card["network"]["width"] == 6
    for key, value in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)
    x = torch.randn(2, 1, 9)
    assert torch.equal(loaded(x, 3)[0], net.eval()(x, 3)[0])


def test_loading_by_either_file_name(tiny_checkpoint):
    stem, _ = tiny_checkpoint
    for path in (stem, stem.with_suffix(".json"), stem.with_suffix(".safetensors")):
        load_checkpoint(path)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_solver(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="no shipped checkpoint"):
        load_solver("no_such_model")


def test_corrupt_checkpoint_is_a_clear_error(tiny_checkpoint):
    stem, _ = tiny_checkpoint
    weights = stem.with_suffix(".safetensors")
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ValueError, match="corrupt checkpoint"):
        load_checkpoint(stem)


def test_corrupt_card_is_a_clear_error(tiny_checkpoint):
    stem, _ = tiny_checkpoint
    stem.with_suffix(".json").write_text("{ not json")
    with pytest.raises(ValueError, match="corrupt model card"):
        load_checkpoint(stem)


def test_checkpoint_writes_leave_no_temp_files(tiny_checkpoint):
    stem, _ = tiny_checkpoint
    assert sorted(p.name for p in stem.parent.iterdir()) == ["tiny.json", "tiny.safetensors"]


def test_solver_validates_inputs_and_budget(tiny_checkpoint):
    solver = load_solver(tiny_checkpoint[0])
    with pytest.raises(TypeError, match="dtype"):
        solver.solve(np.zeros((2, 8), dtype=np.float32), think=3)
    with pytest.raises(ValueError, match="shape"):
        solver.solve(np.zeros((2, 2, 8), dtype=np.uint8), think=3)
    with pytest.raises(ValueError, match="0 or 1"):
        solver.solve(np.full((2, 8), 3, dtype=np.uint8), think=3)
    with pytest.raises(ValueError, match="think"):
        solver.solve(np.zeros((2, 8), dtype=np.uint8), think=0)


def test_solve_matches_the_trace_and_batches(tiny_checkpoint):
    solver = load_solver(tiny_checkpoint[0], batch_size=3)
    bits, _ = prefix_sums.generate(7, 20, 0)
    answers = solver.solve(bits, think=5)
    assert answers.shape == bits.shape and answers.dtype == np.uint8
    trace = list(solver.think_trace(bits, think=5))
    assert [step.iteration for step in trace] == [1, 2, 3, 4, 5]
    assert np.array_equal(trace[-1].prediction, answers)
    assert all(((0.5 <= s.confidence) & (s.confidence <= 1)).all() for s in trace)
    assert all((s.change >= 0).all() for s in trace)


def test_feed_forward_solver_refuses_too_many_iterations():
    net = build_network(NetworkConfig(kind="ff", width=4, blocks=1, max_iters=3))
    solver = Solver(net, get_problem("prefix_sums"))
    with pytest.raises(ValueError, match="feed-forward"):
        solver.solve(np.zeros((1, 4), dtype=np.uint8), think=4)


@pytest.mark.parametrize("readout", ["last", "max_conf"])
@pytest.mark.parametrize("patience, confidence", [(100, 0.9), (3, 1.01)])  # never stable enough, never sure enough
def test_auto_halting_that_never_halts_equals_the_fixed_budget(tiny_checkpoint, readout, patience, confidence):
    solver = load_solver(tiny_checkpoint[0], batch_size=4)
    solver.readout, solver.halt_patience, solver.halt_confidence = readout, patience, confidence
    bits, _ = prefix_sums.generate(6, 16, 1)
    answers, iterations = solver.solve_auto(bits, cap=7)
    assert (iterations == 7).all()
    assert np.array_equal(answers, solver.solve(bits, think=7))


@pytest.mark.parametrize("confidence", [0.0, 0.999])  # the shipped model is that sure a few iterations later
def test_auto_halting_stops_each_sample_once_its_prediction_is_stable_and_sure(confidence):
    solver = load_solver("prefix_sums", batch_size=4)  # several batches, samples dropped within each
    solver.readout, solver.halt_confidence = "last", confidence
    bits, _ = prefix_sums.generate(10, 40, 1)
    answers, iterations = solver.solve_auto(bits, cap=50)
    assert (iterations < 50).all()
    trace = [step.prediction for step in solver.think_trace(bits, think=50)]
    x = solver.problem.encode(bits)
    with torch.inference_mode():
        least = [solver.problem.least_confidence(logits, x).numpy() for logits, _ in solver.net.iterate(x, 50)]
    for n in range(len(bits)):
        # The first iteration i whose prediction equals those of the patience iterations before it and whose least
        # sure bit is sure enough, else the cap.
        stable = [
            i + 1
            for i in range(solver.halt_patience, 50)
            if all(np.array_equal(trace[i][n], trace[i - k][n]) for k in range(1, solver.halt_patience + 1))
            and least[i][n] >= confidence
        ]
        assert iterations[n] == (stable[0] if stable else 50)
        assert np.array_equal(answers[n], trace[iterations[n] - 1][n])
    assert np.array_equal(solver.solve(bits, think="auto", cap=50), answers)
    with pytest.raises(ValueError, match="auto"):
        solver.solve(bits, think="longer")


def test_max_confidence_readout_matches_the_evaluation(tiny_checkpoint):
    from trainers.evaluation import accuracy_per_iteration

    solver = load_solver(tiny_checkpoint[0])
    solver.readout = "max_conf"
    bits, _ = prefix_sums.generate(30, 12, 3)
    answers = solver.solve(bits, think=6)
    curve = accuracy_per_iteration(solver.net, solver.problem, bits, prefix_sums.solve(bits), 6)
    assert np.isclose((answers == prefix_sums.solve(bits)).all(axis=1).mean(), curve.max_conf[-1])


def test_least_confidence_is_the_least_sure_counted_position():
    from puzzles import sudoku

    problem = get_problem("sudoku")
    puzzles, _ = sudoku.generate(1, 36, np.random.default_rng(0))
    x = problem.encode(puzzles)
    blank = problem.loss_mask(x)[0]
    logits = torch.zeros(1, 9, 9, 9)  # uniform, 1/9, on the givens: they do not count
    logits[0, 0][blank] = 20.0  # every blank sure...
    row, col = blank.nonzero()[0]
    logits[0, 0, row, col] = 1.0  # ...but one
    expected = torch.softmax(logits[0, :, row, col], dim=0).max()
    assert torch.allclose(problem.least_confidence(logits, x), expected[None])
    assert get_problem("prefix_sums").least_confidence(torch.zeros(2, 2, 5), torch.zeros(2, 1, 5)).tolist() == [0.5] * 2


@pytest.mark.parametrize("readout, patience, confidence", [("last", 3, 0.9), ("max_conf", 2, 0.999), ("last", 1, 0.0)])
def test_replayed_halting_rules_reproduce_solve_auto(readout, patience, confidence):
    from trainers.halting import replay, trace_halting

    solver = load_solver("prefix_sums", batch_size=4)
    solver.readout, solver.halt_patience, solver.halt_confidence = readout, patience, confidence
    bits, _ = prefix_sums.generate(10, 40, 2)
    target = prefix_sums.solve(bits)
    answers, iterations = solver.solve_auto(bits, cap=30)
    trace = trace_halting(solver, bits, target, 30)
    replayed, right = replay(trace, patience, confidence)
    assert np.array_equal(replayed, iterations)
    assert np.array_equal(right, [np.array_equal(a, t) for a, t in zip(answers, target, strict=True)])
    assert 0 < trace.floor() <= iterations.mean() / 30
