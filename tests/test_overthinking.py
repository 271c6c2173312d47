"""The overthinking study: input changes, interventions, Table 5.5's summary and the one-command report."""

import json

import numpy as np
import pytest
import torch

from agents.checkpoint import load_checkpoint
from agents.networks import NetworkConfig, build_network
from agents.problems import get_problem
from puzzles import mazes, prefix_sums
from trainers.commands import overthinking as overthinking_command
from trainers.overthinking import Trace, flip_prefix_bit, move_maze_goal, trace_thought


def test_moving_the_goal_keeps_a_valid_maze_whose_path_is_two_cells_shorter():
    images, paths = mazes.generate(30, 13, np.random.default_rng(0))
    moved, new_paths = move_maze_goal(images, paths, np.random.default_rng(0))
    mazes.validate_images(moved)
    for before, after, old_path, new_path in zip(images, moved, paths, new_paths, strict=True):
        grid_after = mazes.image_to_compact(after)
        codes = np.zeros(grid_after.shape[1:], np.uint8)
        codes[grid_after.max(axis=0) > 0] = mazes.OPEN
        codes[(grid_after[0] == 0) & (grid_after[1] == 1)] = mazes.START
        codes[(grid_after[0] == 1) & (grid_after[1] == 0)] = mazes.GOAL
        compact_path = mazes.image_to_compact(new_path)
        assert np.array_equal(compact_path, mazes.shortest_path(codes))  # the stored answer is the new maze's
        assert np.array_equal(before.max(axis=0) > 0, after.max(axis=0) > 0)  # same walls
        assert (new_path <= old_path).all()  # the new goal lies on the old path
        old_length = mazes.image_to_compact(old_path).sum()
        assert compact_path.sum() == (max(old_length - 4, 3) if old_length > 3 else old_length)


def test_flipping_a_bit_changes_one_bit_and_the_answer_follows():
    bits = prefix_sums.generate(50, 16, np.random.default_rng(1))
    flipped, answers = flip_prefix_bit(bits, prefix_sums.solve(bits), np.random.default_rng(2))
    assert ((flipped != bits).sum(axis=1) == 1).all()
    assert np.array_equal(answers, prefix_sums.solve(flipped))


def test_summary_counts_iterations_from_the_start_after_the_intervention():
    correct = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0], [1, 1, 0], [1, 1, 0]], dtype=bool)
    trace = Trace(correct, np.zeros(correct.shape), at=2)
    # After iteration 2: sample 0 is right again at iteration 4, sample 1 at 4, sample 2 never.
    expected = {"iterations_to_solution": 4.0, "peak": pytest.approx(2 / 3), "final": pytest.approx(2 / 3)}
    assert trace.summary() == expected
    assert Trace(np.zeros((3, 2), bool), np.zeros((3, 2))).summary()["iterations_to_solution"] is None


def tiny_net(recall=True):
    torch.manual_seed(0)
    return build_network(NetworkConfig(kind="dt", dims=1, width=8, recall=recall, blocks=1, max_iters=4))


def test_zeros_restart_the_thought_and_a_swap_hands_over_the_next_puzzles_thought():
    problem = get_problem("prefix_sums")
    bits = prefix_sums.generate(6, 12, np.random.default_rng(0))
    net = tiny_net()
    clean = trace_thought(net, problem, bits, prefix_sums.solve(bits), 6)
    zeros = trace_thought(net, problem, bits, prefix_sums.solve(bits), 6, "zeros", at=3)
    swap = trace_thought(net, problem, bits, prefix_sums.solve(bits), 6, "swap", at=3)
    assert np.allclose(zeros.change[:3], clean.change[:3])
    with torch.inference_mode():
        x = problem.encode(bits)
        from_zero = net(x, 1, torch.zeros_like(net.initial_state(x)))[1]
        state3 = net(x, 3)[1]
        after_swap = net(x, 1, state3.roll(1, dims=0))[1]
    assert np.allclose(zeros.change[3], from_zero.flatten(1).norm(dim=1).numpy(), atol=1e-5)
    assert np.allclose(swap.change[3], (after_swap - state3.roll(1, dims=0)).flatten(1).norm(dim=1).numpy(), atol=1e-5)


def test_bad_interventions_are_refused():
    problem, bits = get_problem("prefix_sums"), np.zeros((2, 8), np.uint8)
    with pytest.raises(ValueError, match="unknown intervention"):
        trace_thought(tiny_net(), problem, bits, bits, 4, "shout", at=1)
    with pytest.raises(ValueError, match="after iteration"):
        trace_thought(tiny_net(), problem, bits, bits, 4, "noise", at=4)
    sudoku = get_problem("sudoku")
    with pytest.raises(ValueError, match="no input change"):
        trace_thought(tiny_net(), sudoku, np.zeros((1, 9, 9), np.uint8), np.zeros((1, 9, 9), np.uint8), 4, "input", 1)


def test_the_shipped_maze_model_recovers_from_a_swap_and_follows_a_moved_goal():
    net, card = load_checkpoint("mazes")
    problem = get_problem(card["problem"])
    images, paths = problem.generate(8, 13, np.random.default_rng(3))
    for kind in ("swap", "input"):
        trace = trace_thought(net, problem, images, paths, 120, kind, at=60)
        assert trace.correct[59].all()  # solved before the intervention
        assert trace.correct[-1].all(), kind  # and again at the end, the new puzzle's answer for "input"


def test_the_command_writes_the_report_and_notes_missing_models(tmp_path):
    overthinking_command.main(
        ["--models", "shipped=mazes", "absent=runs/nowhere/best", "--samples", "4", "--iters", "12", "--late", "5"]
        + ["--out", str(tmp_path)]
    )
    report = json.loads((tmp_path / "overthinking.json").read_text())
    assert set(report["summary"]["shipped"]) == {"clean", "noise", "zeros", "swap", "input"}
    assert report["notes"] == ["absent: no checkpoint at `runs/nowhere/best` (left out)"]
    assert "Table 5.5" in (tmp_path / "overthinking.md").read_text()
    for name in ("accuracy", "interventions", "change"):
        assert (tmp_path / f"overthinking_{name}.png").stat().st_size > 0
    with pytest.raises(ValueError, match="LABEL=CHECKPOINT"):
        overthinking_command.main(["--models", "mazes", "--out", str(tmp_path)])
    with pytest.raises(FileNotFoundError, match="none of the models"):
        overthinking_command.main(["--models", "absent=runs/nowhere/best", "--out", str(tmp_path)])
