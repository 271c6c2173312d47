"""``DeepThink/ChessPuzzle-v0`` (envs/chess_puzzles.py): checkers, the line and its replies, rewards, errors."""

import warnings

import chess
import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from envs.chess_puzzles import SHIPPED_PUZZLES, ChessPuzzleEnv
from puzzles.chess_encoding import NUM_ACTIONS, encode_move
from puzzles.chess_game import game_planes
from tests.helpers import solved_chess_puzzles, write_chess_puzzles

HEADER = "PuzzleId,FEN,Moves,Rating,RatingDeviation,Popularity,NbPlays,Themes,GameUrl,OpeningTags\n"
ROWS = [
    # White mates with Qxf7# after Black's Nf6 (the only mate).
    "m1,r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR b KQkq - 3 3,g8f6 h5f7,5,,,,mateIn1,,\n",
    # Black plays two moves of a line against a reply, from Black's side.
    "line2,rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1,e2e4 e7e5 g1f3 b8c6,12,,,,opening,,\n",
    # After Ka8-b8, Rg8# is the line, and Rh8# mates as well (accepted, as Lichess does).
    "twomates,k7/8/1K6/8/8/8/7R/6R1 b - - 0 1,a8b8 g1g8,30,,,,mateIn1,,\n",
]


@pytest.fixture
def puzzle_file(tmp_path):
    path = tmp_path / "puzzles.csv"
    path.write_text(HEADER + "".join(ROWS))
    return path


def action(env, uci):
    board = env.unwrapped.board
    return encode_move(board, chess.Move.from_uci(uci))


def test_checkers_and_a_random_masked_fuzz(puzzle_file):
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SB3 warns that a float (19, 8, 8) Box is not an image
        check_env(gym.make("DeepThink/ChessPuzzle-v0", path=puzzle_file, render_mode="ansi").unwrapped)
        sb3_check_env(ChessPuzzleEnv(path=puzzle_file))
    env, rng, steps, rewards = ChessPuzzleEnv(path=puzzle_file), np.random.default_rng(0), 0, set()
    episode = 0
    while steps < 2000:
        obs, info = env.reset(seed=episode)
        episode += 1
        done = False
        while not done:
            mask = env.action_masks()
            assert np.array_equal(mask, info["action_mask"]) and mask.any()
            assert np.array_equal(obs, game_planes(env.board))
            pick = int(rng.integers(NUM_ACTIONS)) if rng.random() < 0.05 else rng.choice(np.flatnonzero(mask))
            obs, reward, terminated, truncated, info = env.step(pick)
            assert env.observation_space.contains(obs) and not truncated
            rewards.add(reward)
            done = terminated
            steps += 1
    assert rewards <= {0.0, 1.0} and 0.0 in rewards


def test_the_line_is_played_against_its_replies(puzzle_file):
    env = gym.make("DeepThink/ChessPuzzle-v0", path=puzzle_file, render_mode="ansi")
    obs, info = env.reset(options={"index": 1})  # sorted by difficulty: line2
    assert info["puzzle_id"] == "line2" and info["line_moves"] == 2 and env.unwrapped.board.turn == chess.BLACK
    obs, reward, terminated, _, info = env.step(action(env, "e7e5"))
    assert (reward, terminated, info["found"]) == (0.0, False, 1)
    assert env.unwrapped.board.peek() == chess.Move.from_uci("g1f3")  # the puzzle's reply
    assert env.render().splitlines()[0] == "1 R . B K Q B N R"  # from Black's side: h1 first, g1 empty
    obs, reward, terminated, _, info = env.step(action(env, "b8c6"))
    assert (reward, terminated, info["solved"], info["found"]) == (1.0, True, True, 2)
    assert not info["action_mask"].any() and "solved" in env.render()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


@pytest.mark.parametrize("partial_credit, expected", [(False, 0.0), (True, 0.5)])
def test_leaving_the_line_fails_with_optional_partial_credit(puzzle_file, partial_credit, expected):
    env = ChessPuzzleEnv(path=puzzle_file, partial_credit=partial_credit)
    env.reset(options={"index": 1})
    env.step(action(env, "e7e5"))
    _, reward, terminated, _, info = env.step(action(env, "g8f6"))  # not the line's b8c6
    assert (reward, terminated, info["solved"], info["illegal"]) == (expected, True, False, False)


def test_any_mate_solves_and_an_illegal_action_fails_without_raising(puzzle_file):
    env = ChessPuzzleEnv(path=puzzle_file)
    env.reset(options={"index": 2})
    assert env.step(action(env, "h2h8"))[1] == 1.0  # the other mate
    env.reset(options={"index": 0})
    _, reward, terminated, _, info = env.step(int(np.flatnonzero(~env.action_masks())[0]))
    assert (reward, terminated, info["illegal"]) == (0.0, True, True)


@pytest.mark.parametrize(
    "action, error",
    [(np.int64(NUM_ACTIONS + 3), ValueError), (-1, ValueError), (10**12, ValueError), (None, TypeError)]
    + [(float("nan"), TypeError), ("e2e4", TypeError)],
)
def test_an_action_outside_the_action_space_is_refused_and_the_puzzle_goes_on(puzzle_file, action, error):
    env = ChessPuzzleEnv(path=puzzle_file)
    env.reset(options={"index": 0})
    with pytest.raises(error, match=r"0\.\.4671"):
        env.step(action)
    assert not env.step(int(np.flatnonzero(env.action_masks())[0]))[4]["illegal"]


def test_difficulty_selects_puzzles_and_bad_settings_are_named(puzzle_file, tmp_path):
    env = ChessPuzzleEnv(path=puzzle_file, difficulty=(10, 40))
    assert [p.puzzle_id for p in env.puzzles] == ["line2", "twomates"]
    with pytest.raises(ValueError, match="no puzzle"):
        ChessPuzzleEnv(path=puzzle_file, difficulty=(100, 200))
    with pytest.raises(FileNotFoundError, match="no such puzzle file"):
        ChessPuzzleEnv(path=tmp_path / "absent.csv")
    if not SHIPPED_PUZZLES.is_file():
        with pytest.raises(FileNotFoundError, match="no shipped puzzle set"):
            gym.make("DeepThink/ChessPuzzle-v0")
    with pytest.raises(ValueError, match="index"):
        env.reset(options={"index": 2})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"fen": "8/8/8/8/8/8/8/8 w - - 0 1"})
    with pytest.raises(ValueError, match="render_mode"):
        ChessPuzzleEnv(path=puzzle_file, render_mode="human")
    for difficulty in ("x", (1,), (1, "2"), (float("nan"), 3), (True, 3), 5):
        with pytest.raises(ValueError, match=r"difficulty is None or a \(low, high\) pair of numbers"):
            ChessPuzzleEnv(path=puzzle_file, difficulty=difficulty)


def test_split_keeps_one_share_of_the_solvers_split_before_the_difficulty(tmp_path):
    path = write_chess_puzzles(tmp_path / "set.csv")
    rows = solved_chess_puzzles()

    def ids(**kwargs):
        return {p.puzzle_id for p in ChessPuzzleEnv(path=path, **kwargs).puzzles}

    everything, held = {r["id"] for r in rows}, {r["id"] for r in rows if r["held"]}
    assert ids() == ids(split="all") == everything and 0 < len(held) < len(everything)
    assert ids(split="held_out") == held and ids(split="training") == everything - held
    level = gym.make("DeepThink/ChessPuzzle-v0", path=path, split="held_out", difficulty=(2, 2)).unwrapped
    assert {p.puzzle_id for p in level.puzzles} == {r["id"] for r in rows if r["held"] and r["difficulty"] == 2}
    assert {p.fen for p in level.puzzles} == {r["fen"] for r in rows if r["held"] and r["difficulty"] == 2}
    with pytest.raises(ValueError, match="split must be one of 'all', 'held_out', 'training', got 'test'"):
        ChessPuzzleEnv(path=path, split="test")
    with pytest.raises(ValueError, match=r"no puzzle .* in the 'training' split has a difficulty in \(3, 5\)"):
        ChessPuzzleEnv(path=path, split="training", difficulty=(3, 5))
