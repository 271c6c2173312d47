"""Watching a solver think: rich frames for each family, the script headless and live, GIF and PNG output."""

import io
import sys

import chess
import numpy as np
import pytest
import torch
from PIL import Image
from rich.console import Console

from agents.networks import NetworkConfig, build_network
from agents.problems import get_problem
from agents.solver import Solver, ThoughtStep, load_solver
from puzzles.mazes import image_to_compact
from trainers.cli import parse_args, run_main
from trainers.commands import watch as watch_command
from trainers.viewers.frames import frame_image, render_frame


def as_text(renderable) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def last_step(solver: Solver, inputs: np.ndarray, think: int) -> ThoughtStep:
    *_, step = solver.think_trace(inputs, think)
    return step


def fake_step(iteration: int) -> ThoughtStep:
    return ThoughtStep(iteration, np.zeros(0), np.array([0.5]), np.array([0.25]))


@pytest.fixture(scope="module")
def maze_solver():
    return load_solver("mazes")


def test_prefix_sums_frame_of_a_solved_example():
    solver = load_solver("prefix_sums")
    inputs, targets = solver.problem.generate(1, 32, np.random.default_rng(0))
    step = last_step(solver, inputs, 100)
    text = as_text(render_frame("prefix_sums", inputs[0], targets[0], step.prediction[0], step))
    assert "iteration 100" in text and "wrong bits 0" in text and "solved" in text
    assert "".join(map(str, targets[0])) in text


def test_prefix_sums_frame_wraps_rows_of_64_and_marks_wrong_bits():
    bits = np.random.default_rng(1).integers(0, 2, 100, dtype=np.uint8)
    target = np.cumsum(bits) % 2
    prediction = target.copy()
    prediction[[3, 70]] ^= 1
    text = as_text(render_frame("prefix_sums", bits, target, prediction, fake_step(7)))
    assert "bits 0-63" in text and "bits 64-99" in text
    assert "   ^" in text and "wrong bits 2" in text and "solved" not in text


def test_maze_frame_with_the_shipped_model(maze_solver):
    inputs, targets = maze_solver.problem.generate(1, 9, np.random.default_rng(3))
    step = last_step(maze_solver, inputs, 30)
    text = as_text(render_frame("mazes", inputs[0], targets[0], step.prediction[0], step))
    assert "iteration 30" in text and "solved" in text
    rows = text.splitlines()[:11]  # the 9x9 maze inside its outer wall, two characters a cell
    assert all(len(row.rstrip()) <= 22 for row in rows) and rows[0] == "█" * 22
    assert "S " in text and "G " in text and "oo" in text


def test_maze_frame_shows_wrong_and_missed_cells():
    inputs, targets = get_problem("mazes").generate(1, 9, np.random.default_rng(4))
    prediction = targets[0].copy()
    white = image_to_compact(inputs[0]).min(axis=0) > 0.5  # open cells, neither start nor goal
    r, c = np.argwhere((image_to_compact(targets[0]) > 0) & white)[0]
    prediction[3 + 2 * r : 5 + 2 * r, 3 + 2 * c : 5 + 2 * c] = 0
    text = as_text(render_frame("mazes", inputs[0], targets[0], prediction, fake_step(2)))
    assert ".." in text.split("S start")[0] and "wrong cells 1" in text and "solved" not in text


def test_sudoku_frame_with_an_untrained_network():
    torch.manual_seed(0)
    config = NetworkConfig(
        kind="dt", dims=2, in_channels=10, out_channels=9, width=8, blocks=1, geometry="sudoku", head=(8,)
    )
    solver = Solver(build_network(config), get_problem("sudoku"))
    inputs, targets = solver.problem.generate(1, 40, np.random.default_rng(0))
    step = last_step(solver, inputs, 3)
    prediction = step.prediction[0]
    text = as_text(render_frame("sudoku", inputs[0], targets[0], prediction, step))
    wrong = int((prediction != targets[0]).sum())
    assert "iteration 3" in text and f"wrong cells {wrong}" in text
    assert text.count("+-------+-------+-------+") == 8 and "answer" in text and "solution" in text
    image = frame_image("sudoku", inputs[0], targets[0], prediction, 3)
    assert image.mode == "RGB" and image.width >= 9 * 24


def test_script_headless_writes_a_gif_and_a_png(tmp_path, capsys):
    gif, png = tmp_path / "sums.gif", tmp_path / "out" / "sums.png"
    watch_command.main(
        ["--checkpoint", "prefix_sums", "--size", "16", "--think", "20", "--every", "5", "--no-live"]
        + ["--save", str(gif), str(png)]
    )
    out = capsys.readouterr().out
    assert "iteration 20" in out and "after 20 iterations" in out and "iteration 5 " not in out
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames == 5  # iterations 1, 5, 10, 15, 20
    with Image.open(png) as image:
        assert image.format == "PNG"
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path / "out").glob(".*.tmp"))


def test_script_on_a_maze_headless_and_live(tmp_path, capsys):
    gif = tmp_path / "maze.gif"
    watch_command.main(["--checkpoint", "mazes", "--size", "9", "--think", "12", "--every", "3", "--no-live"])
    assert "iteration 12" in capsys.readouterr().out
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    argv = ["--checkpoint", "mazes", "--size", "9", "--think", "12", "--every", "3", "--fps", "0", "--save", str(gif)]
    watch_command.watch(parse_args(watch_command.Args, argv), console=console)
    assert "iteration 3" in screen.getvalue() and "iteration 12" in screen.getvalue()
    with Image.open(gif) as image:
        assert image.n_frames == 5  # iterations 1, 3, 6, 9, 12


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--checkpoint", "no_such_model"], "no shipped checkpoint 'no_such_model'"),
        (["--checkpoint", "mazes", "--size", "10"], "maze size must be an odd integer"),
        (["--checkpoint", "prefix_sums", "--save", "out.jpg"], "--save writes .gif or .png"),
        (["--checkpoint", "prefix_sums", "--every", "0"], "--every"),
    ],
)
def test_bad_arguments_give_one_clear_error(argv, message, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["watch.py", *argv])
    with pytest.raises(SystemExit) as exit_info:
        run_main(watch_command.main)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_script_explains_its_flags(capsys):
    with pytest.raises(SystemExit) as exit_info:
        watch_command.main(["--help"])
    assert exit_info.value.code == 0
    assert "--no-live" in capsys.readouterr().out


def test_chess_frame_shades_the_squares_the_shipped_model_marks(tmp_path, capsys):
    from trainers.viewers.frames import chess_square_colours

    solver = load_solver("chess_puzzles")
    inputs, targets = solver.problem.generate(1, 2, np.random.default_rng(1))
    step = last_step(solver, inputs, 5)
    prediction = step.prediction[0]
    text = as_text(render_frame("chess_puzzles", inputs[0], targets[0], prediction, step))
    verdict = "right" if prediction == targets[0] else "wrong"
    assert f"move {prediction} ({verdict})" in text and "a b c d e f g h" in text and f"solution {targets[0]}" in text
    colours = chess_square_colours(chess.Board(inputs[0]), step.scores[0])
    move = chess.Move.from_uci(prediction)
    squares = {(7 - chess.square_rank(s), chess.square_file(s)) for s in (move.from_square, move.to_square)}
    blue = colours[..., 2].astype(int) - colours[..., 0]  # marked squares turn blue
    assert min(blue[s] for s in squares) > np.median(blue)  # the decoded move's squares are among the marked
    image = frame_image("chess_puzzles", inputs[0], targets[0], prediction, 5, step.scores[0])
    assert image.mode == "RGB" and image.width >= 8 * 32
    with pytest.raises(ValueError, match="scores"):
        frame_image("chess_puzzles", inputs[0], targets[0], prediction, 5)
    gif, png = tmp_path / "chess.gif", tmp_path / "chess.png"
    watch_command.main(["--checkpoint", "chess_puzzles", "--think", "4", "--no-live", "--save", str(gif), str(png)])
    assert "iteration 4" in capsys.readouterr().out
    with Image.open(gif) as animation, Image.open(png) as strip:
        assert animation.n_frames == 4 and strip.width > 4 * 8 * 32  # a board per strip iteration (1, 2, 3, 4)
