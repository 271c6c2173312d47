"""Hostile puzzles and budgets: every family refuses what has no meaning, answers an empty batch in its own shape,
and no caller can make a solver think without bound."""

import time

import chess
import numpy as np
import pytest

from agents import load_policy, load_solver
from agents.networks import MAX_THINK
from agents.problems import get_problem
from agents.solver import Solver
from puzzles import mazes, prefix_sums, sudoku
from trainers.cli import run_main
from trainers.play import terminal as play
from trainers.play.session import GameSession

FAMILIES = ("prefix_sums", "mazes", "mazes_image", "sudoku", "chess_puzzles")


def empty_batch(family):
    """A batch of no puzzles of the family, in its native format."""
    return {
        "prefix_sums": np.zeros((0, 16), np.uint8),
        "mazes": np.zeros((0, 3, 24, 24), np.float32),
        "mazes_image": np.zeros((0, 3, 24, 24), np.float32),
        "sudoku": np.zeros((0, 9, 9), np.int8),
        "chess_puzzles": np.array([], dtype=object),
    }[family]


def one_puzzle(family):
    """One puzzle of the family, so an empty batch's answer can be compared with a full one's."""
    rng = np.random.default_rng(0)
    if family == "chess_puzzles":
        return np.array(["6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"], dtype=object)
    if family == "sudoku":
        return sudoku.generate(1, 40, rng)[0]
    if family.startswith("mazes"):
        return mazes.generate(1, 9, rng)[0]
    return prefix_sums.generate(1, 16, rng)


@pytest.fixture(scope="module")
def solvers():
    # mazes_image has no shipped model: the maze network reads its images as well as compact views.
    loaded = {name: load_solver(name) for name in ("prefix_sums", "mazes", "sudoku", "chess_puzzles")}
    loaded["mazes_image"] = Solver(loaded["mazes"].net, get_problem("mazes_image"))
    return loaded


@pytest.mark.parametrize("family", FAMILIES)
def test_an_empty_batch_is_answered_in_the_family_shape(solvers, family):
    solver = solvers[family]
    full = solver.solve(one_puzzle(family), think=2)
    for answers in (solver.solve(empty_batch(family), think=2), solver.solve(empty_batch(family), think="auto")):
        assert answers.shape == (0, *full.shape[1:]) and answers.dtype == full.dtype
    answers, iterations = solver.solve_auto(empty_batch(family), cap=3)
    assert answers.shape == (0, *full.shape[1:]) and iterations.shape == (0,)
    steps = list(solver.think_trace(empty_batch(family), think=2))
    assert [step.prediction.shape for step in steps] == [(0, *full.shape[1:])] * 2


def maze_image(change):
    image = mazes.generate(2, 9, np.random.default_rng(1))[0]
    change(image[1])
    return image


def recolour(image, source, target):
    """Every pixel of colour ``source`` turned to ``target`` (RGB tuples)."""
    where = (image == np.array(source, np.float32)[:, None, None]).all(axis=0)
    image[:, where] = np.array(target, np.float32)[:, None]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda image: image.fill(0.0), r"maze 1 has 0 start\(s\) \(green\) and 0 goal\(s\)"),
        (lambda image: image.fill(1.0), "maze 1 is not a maze image"),
        (lambda image: recolour(image, (0, 1, 0), (1, 1, 1)), r"maze 1 has 0 start\(s\) \(green\) and 1 goal"),
        (lambda image: recolour(image, (1, 0, 0), (0, 1, 0)), r"maze 1 has 2 start\(s\) \(green\) and 0 goal"),
        (lambda image: image.__setitem__((slice(None), 7, 8), 0.0), "maze 1 is not a maze image: every element"),
    ],
    ids=["all black", "all white", "no start", "two starts no goal", "a torn block"],
)
@pytest.mark.parametrize("family", ["mazes", "mazes_image"])
def test_a_maze_needs_one_start_and_one_goal_drawn_as_a_maze(solvers, family, change, message):
    with pytest.raises(ValueError, match=message):
        solvers[family].solve(maze_image(change), think=2)


# ------------------------------------------------------------------------------------------ thinking is bounded
def quickly(action, error, match):
    """``action()`` raises ``error`` matching ``match`` within a second."""
    started = time.perf_counter()
    with pytest.raises(error, match=match):
        action()
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("family", FAMILIES)
def test_no_budget_beyond_the_maximum_is_run(solvers, family):
    solver, puzzle = solvers[family], one_puzzle(family)
    beyond = f"think must be from 1 to {MAX_THINK}"
    quickly(lambda: solver.solve(puzzle, think=10**9), ValueError, beyond)
    quickly(lambda: solver.solve(puzzle, think="auto", cap=10**9), ValueError, beyond)
    quickly(lambda: list(solver.think_trace(puzzle, think=MAX_THINK + 1)), ValueError, beyond)
    quickly(lambda: solver.solve(puzzle, think=2.5), ValueError, "whole number of iterations, got 2.5")
    quickly(lambda: solver.net(solver.problem.encode(puzzle), 10**12), ValueError, "iters must be from 0")


def test_a_card_cannot_ask_for_unbounded_thinking(solvers):
    net = solvers["prefix_sums"].net
    for think, match in ((10**12, f"from 1 to {MAX_THINK}"), (2.5, "got 2.5"), ("abc", "got 'abc'")):
        with pytest.raises(ValueError, match=f"recommended_think must be .*{match}"):
            Solver(net, get_problem("prefix_sums"), {"recommended_think": think})
    with pytest.raises(ValueError, match="problem 'sudoku' needs a 2D network"):
        Solver(net, get_problem("sudoku"))


def test_auto_keeps_its_cap_within_the_maximum(solvers):
    solver = Solver(solvers["mazes"].net, get_problem("mazes"), {"recommended_think": MAX_THINK})
    assert solver.default_think == MAX_THINK
    solver.halt_confidence = 0.0  # halts as soon as the prediction is stable: the cap is only checked
    answers, iterations = solver.solve_auto(one_puzzle("mazes"))
    assert iterations.max() < 100


@pytest.mark.parametrize("family", ["prefix_sums", "mazes"])
@pytest.mark.parametrize("readout", ["last", "max_conf"])
def test_a_wall_clock_budget_stops_long_thinking(solvers, family, readout):
    solver = Solver(solvers[family].net, get_problem(family), {"readout": readout})
    puzzle = one_puzzle(family)
    for run in (
        lambda: solver.solve(puzzle, think=MAX_THINK, max_seconds=0.2),
        lambda: solver.solve(puzzle, think="auto", cap=MAX_THINK, max_seconds=0.2),
        lambda: list(solver.think_trace(puzzle, think=MAX_THINK, max_seconds=0.2)),
    ):
        solver.halt_patience = MAX_THINK  # auto never halts on its own
        quickly(run, TimeoutError, f"wall-clock budget .* after [0-9]+ of {MAX_THINK} iterations")
    for seconds in (0, -1, float("nan"), float("inf"), "1", True):
        with pytest.raises(ValueError, match="max_seconds must be a positive number"):
            solver.solve(puzzle, think=2, max_seconds=seconds)
    assert np.array_equal(solver.solve(puzzle, think=5, max_seconds=60), solver.solve(puzzle, think=5))


def test_an_unsolvable_sudoku_is_refused_quickly(solvers):
    busy = "000005080000601043000000000010500000000106000300000005530000061000000004000000000"
    grid = np.array([int(c) for c in busy], dtype=np.int8).reshape(9, 9)
    quickly(lambda: solvers["sudoku"].solve(grid), ValueError, "gave up after 5000 guesses")


# ------------------------------------------------------------------------------------------ the chess player
@pytest.fixture(scope="module")
def policy():
    return load_policy("chess")


def test_the_chess_policy_bounds_its_thinking(policy):
    board = chess.Board()
    beyond = f"think must be from 1 to {MAX_THINK}"
    quickly(lambda: policy.analyse(board, 10**9), ValueError, beyond)
    quickly(lambda: policy.act_batch([board, board], think=MAX_THINK + 1), ValueError, beyond)
    quickly(lambda: policy.act(board, think=2.5), ValueError, "got 2.5")
    quickly(lambda: policy.analyse(board, MAX_THINK, max_seconds=0.2), TimeoutError, "wall-clock budget")
    quickly(lambda: policy.analyse(board.fen()), TypeError, "chess.Board positions, got str")
    quickly(lambda: GameSession(policy, think=10**9), ValueError, beyond)
    assert policy.act(board, think=3, max_seconds=60) == policy.act(board, think=3)


def test_play_refuses_a_budget_beyond_the_maximum_before_loading(monkeypatch, capsys):
    monkeypatch.setattr("agents.chess_policy.load_policy", lambda *a: pytest.fail("loaded the network"))
    for think in ("1000000000", "0", "-5"):
        with pytest.raises(SystemExit) as exit_info:
            run_main(lambda think=think: play.main(["--think", think]))
        assert exit_info.value.code == 2
        assert f"--think must be from 1 to {MAX_THINK}" in capsys.readouterr().err


def test_a_very_long_line_is_refused_without_being_echoed(policy):
    session = GameSession(policy, think=1)
    for line in ("e" * 200_000, "x" * 201, "O-O" + "!" * 500):
        reply = session.handle(line)
        assert not reply.ok and len(reply.message) < 200 and session.board == chess.Board()
    reply = session.handle("Qh5" + "+" * 150)  # below the line limit: refused, and echoed cut short
    assert not reply.ok and "Illegal move: Qh5+++" in reply.message and "..." in reply.message
    assert len(reply.message) < 400
