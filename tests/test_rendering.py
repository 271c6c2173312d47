"""Every environment draws itself: ``rgb_array`` pictures drawn with numpy, readable ``ansi`` boards, and the
script that saves one picture of each."""

import warnings

import chess
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.rendering import (
    AGENT_INK,
    BLACK_PIECE,
    CHECKED,
    DARK_MOVED,
    FONT,
    INK,
    LIGHT_MOVED,
    MARGIN,
    SQUARE,
    WHITE_PIECE,
    WRONG_INK,
    bits_picture,
    blank,
    chess_picture,
    chess_text,
    draw_text,
    sudoku_picture,
)
from trainers.commands import env_pictures

SMALL = {"DeepThink/PrefixSums-v0": {"size": 8}, "DeepThink/Maze-v0": {"size": 5}, "DeepThink/MazeNav-v0": {"size": 5}}


def count(region: np.ndarray, colour) -> int:
    return int((region.reshape(-1, 3) == np.array(colour, dtype=np.uint8)).all(axis=1).sum())


def has(region: np.ndarray, colour) -> bool:
    return count(region, colour) > 0


def square_region(image: np.ndarray, square: chess.Square, orientation: chess.Color) -> np.ndarray:
    file, rank = chess.square_file(square), chess.square_rank(square)
    row, col = (7 - rank, file) if orientation == chess.WHITE else (rank, 7 - file)
    return image[row * SQUARE : (row + 1) * SQUARE, MARGIN + col * SQUARE : MARGIN + (col + 1) * SQUARE]


@pytest.mark.parametrize("env_id", list(envs.ENTRY_POINTS))
def test_every_env_renders_rgb_array_and_ansi_and_passes_the_checker(env_id):
    for mode in ("rgb_array", "ansi"):
        env = gym.make(env_id, render_mode=mode, **SMALL.get(env_id, {}))
        assert env.metadata["render_modes"] == ["ansi", "rgb_array"] and env.metadata["render_fps"] > 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a float Box observation that is not an image
            check_env(env.unwrapped)
        env.reset(seed=0)
        picture = env.render()
        if mode == "ansi":
            assert isinstance(picture, str) and picture.strip()
        else:
            assert isinstance(picture, np.ndarray) and picture.dtype == np.uint8 and picture.ndim == 3
            assert (
                picture.shape[2] == 3
                and min(picture.shape[:2]) >= 5
                and len(np.unique(picture.reshape(-1, 3), axis=0)) > 1
            )
        env.close()


def test_the_chess_picture_shows_pieces_the_last_move_a_check_and_the_side():
    board = chess.Board()
    board.push_san("e4")
    image = chess_picture(board, chess.WHITE)
    assert image.shape == (8 * SQUARE + MARGIN, 8 * SQUARE + MARGIN, 3) and image.dtype == np.uint8
    white_rook, black_rook = square_region(image, chess.A1, chess.WHITE), square_region(image, chess.A8, chess.WHITE)
    assert count(white_rook, WHITE_PIECE) > 2 * count(white_rook, BLACK_PIECE) > 0  # a light disc, dark letter
    assert count(black_rook, BLACK_PIECE) > 2 * count(black_rook, WHITE_PIECE) > 0  # a dark disc, light letter
    assert not has(square_region(image, chess.E3, chess.WHITE), WHITE_PIECE)  # an empty square
    for square in (chess.E2, chess.E4):  # the last move's squares, both light ones
        assert has(square_region(image, square, chess.WHITE), LIGHT_MOVED)
    moved = [count(square_region(image, square, chess.WHITE), LIGHT_MOVED) for square in (chess.E2, chess.E4)]
    assert count(image, LIGHT_MOVED) == sum(moved) and moved[0] == SQUARE * SQUARE  # e2 empty, e4 a pawn
    assert not has(image, DARK_MOVED)
    assert not has(image, CHECKED)
    flipped = chess_picture(board, chess.BLACK)
    assert has(flipped[:SQUARE, MARGIN + 7 * SQUARE :], WHITE_PIECE)  # a1 top right from Black's side
    assert not np.array_equal(flipped, image)
    # The rook on a1 is drawn with its letter: the same picture as a lone rook's letter elsewhere.
    assert not np.array_equal(square_region(image, chess.A1, chess.WHITE), square_region(image, chess.B1, chess.WHITE))

    board = chess.Board("4k3/8/8/8/8/8/8/4K2R w - - 0 1")
    board.push_san("Rh8+")
    assert has(square_region(chess_picture(board), chess.E8, chess.WHITE), CHECKED)


def test_chess_text_has_labels_from_either_side():
    lines = chess_text(chess.Board(), chess.BLACK)
    assert lines[0] == "1 R N B K Q B N R" and lines[-1] == "  h g f e d c b a" and lines[7].startswith("8 r")
    assert chess_text(chess.Board())[0] == "8 r n b q k b n r"


def test_the_chess_envs_draw_from_the_agents_side():
    env = gym.make("DeepThink/Chess-v0", render_mode="rgb_array", agent_color="black")
    env.reset(seed=0)  # the random opponent has opened
    picture = env.render()
    board = env.unwrapped.board
    np.testing.assert_array_equal(picture, chess_picture(board, chess.BLACK))
    last = board.peek()
    assert has(square_region(picture, last.to_square, chess.BLACK), LIGHT_MOVED) or has(
        square_region(picture, last.to_square, chess.BLACK), DARK_MOVED
    )

    env = gym.make("DeepThink/ChessPuzzle-v0", render_mode="ansi")
    env.reset(seed=1)
    text = env.render()
    agent = env.unwrapped.board.turn
    assert text.splitlines()[:9] == chess_text(env.unwrapped.board, agent)
    assert f"{chess.COLOR_NAMES[agent]} to move" in text
    mask = env.unwrapped.action_masks()
    env.step(int(np.flatnonzero(mask)[0]))
    assert "puzzle " in env.render() and ("solved" in env.render() or "failed" in env.render())


def test_the_sudoku_picture_colours_givens_answers_and_mistakes():
    env = gym.make("DeepThink/Sudoku-v0", render_mode="rgb_array")
    env.reset(seed=0)
    puzzle = env.unwrapped.puzzle
    assert has(env.render(), INK) and not has(env.render(), AGENT_INK)
    answer = env.unwrapped.solution.copy()
    blank_cell = tuple(np.argwhere(puzzle == 0)[0])
    answer[blank_cell] = answer[blank_cell] % 9 + 1
    env.step(answer)
    picture = env.render()
    row, col = blank_cell
    cell = picture[3 + row * 30 : 3 + (row + 1) * 30, 3 + col * 30 : 3 + (col + 1) * 30]
    assert has(cell, WRONG_INK) and has(picture, AGENT_INK)
    wrong_only = picture.copy()
    wrong_only[3 + row * 30 : 3 + (row + 1) * 30, 3 + col * 30 : 3 + (col + 1) * 30] = 255
    assert not has(wrong_only, WRONG_INK)  # only the wrong cell is red

    fill = gym.make("DeepThink/SudokuFill-v0", render_mode="rgb_array")
    fill.reset(seed=0)
    before = fill.render()
    cell = int(np.flatnonzero(fill.unwrapped.puzzle.reshape(-1) == 0)[0])
    fill.step(81 * (int(fill.unwrapped.solution.reshape(-1)[cell]) - 1) + cell)
    assert not has(before, AGENT_INK) and has(fill.render(), AGENT_INK)
    np.testing.assert_array_equal(sudoku_picture(np.zeros((9, 9), int)), sudoku_picture(np.zeros((9, 9), int)))


def test_the_bits_picture_marks_wrong_answer_bits():
    bits = np.array([1, 0, 1, 1, 0, 0, 1, 0] * 5)
    solution = np.cumsum(bits) % 2
    plain = bits_picture(bits)
    assert plain.shape[1] == 32 * 14 + 12 and plain.shape[0] == 2 * 20 + 6  # 40 bits: two lines of 32
    right = bits_picture(bits, solution, solution)
    assert has(right, AGENT_INK) and not has(right, WRONG_INK)
    wrong = solution.copy()
    wrong[35] ^= 1
    picture = bits_picture(bits, wrong, solution)
    top, left = 6 + 1 * (2 * 14 + 6) + 14, 6 + 3 * 14  # line 2, answer row, bit 35 = column 3
    assert has(picture[top : top + 14, left : left + 14], WRONG_INK)
    assert int((picture == np.array(WRONG_INK, dtype=np.uint8)).all(axis=2).sum()) < 14 * 14


def test_the_font_draws_distinct_glyphs_and_refuses_unknown_characters():
    drawn = {}
    for char in FONT:
        image = blank(7, 5, (0, 0, 0))
        draw_text(image, char, 0, 0, (255, 255, 255))
        drawn[char] = image[..., 0].tobytes()
    assert len(set(drawn.values())) == len(FONT) and set("0123456789KQRBNPabcdefgh") <= set(FONT)
    image = blank(10, 10)
    draw_text(image, "8", -3, 8, INK, scale=2)  # partly outside: clipped, no error
    draw_text(image, "8", 50, 50, INK)
    with pytest.raises(ValueError, match="no 'Z'"):
        draw_text(image, "Z", 0, 0, INK)


def test_the_picture_script_saves_one_png_per_environment(tmp_path, capsys):
    from matplotlib.image import imread

    written = env_pictures.main(["--out", str(tmp_path), "--seed", "1"])
    assert sorted(path.name for path in written) == sorted(
        f"{env_id.split('/')[1]}.png" for env_id in envs.ENTRY_POINTS
    )
    for path in written:
        image = imread(path)
        assert image.ndim == 3 and min(image.shape[:2]) >= 70 and path.stat().st_size < 20_000, path
    assert "Chess-v0.png  276x276" in capsys.readouterr().out
    assert not [path for path in tmp_path.iterdir() if path.suffix == ".tmp"]
