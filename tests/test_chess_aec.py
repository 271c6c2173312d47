"""Two-player chess as a PettingZoo AEC environment: PettingZoo's own API test, the same encoding and masks as
DeepThink/Chess-v0, the game's ends, and a core package that does not need PettingZoo."""

import importlib
import subprocess
import sys
import tomllib
import warnings

import chess
import numpy as np
import pytest

from envs.chess_game import ChessEnv
from puzzles.chess_encoding import NUM_ACTIONS, decode_move, encode_move, legal_action_mask
from puzzles.chess_game import game_planes
from tests.helpers import ROOT

pettingzoo = pytest.importorskip("pettingzoo")  # the dev extra installs it, so CI runs these

from envs.chess_aec import AGENTS, ChessAECEnv, env, raw_env  # noqa: E402

FOOLS_MATE = ["f2f3", "e7e5", "g2g4", "d8h4"]


def test_pettingzoo_api_test_passes():
    from pettingzoo.test import api_test

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its advice: Box observations, not the classic games' Dict with a mask
        api_test(env(render_mode="ansi"), num_cycles=200)
        api_test(raw_env(max_plies=20, starting_fens=["4k3/8/8/8/8/8/4P3/4K3 b - - 0 1"]), num_cycles=50)


def test_the_dev_and_marl_extras_install_pettingzoo():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("pettingzoo") for req in extras["dev"]) and extras["marl"] == ["pettingzoo>=1.24"]
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any("pettingzoo" in req for req in core)


def play(game, uci_moves):
    for uci in uci_moves:
        board = game.unwrapped.board
        game.step(encode_move(board, chess.Move.from_uci(uci)))


def test_observations_and_masks_are_chess_v0s_for_either_colour():
    rng = np.random.default_rng(0)
    game = raw_env()
    game.reset(seed=0)
    moves, views = [], []
    for _ in range(40):
        board = game.board
        agent = game.agent_selection
        observation = game.observe(agent)
        assert agent == AGENTS[0 if board.turn == chess.WHITE else 1]
        np.testing.assert_array_equal(observation["observation"], game_planes(board))
        np.testing.assert_array_equal(observation["action_mask"], legal_action_mask(board).astype(np.int8))
        assert observation["action_mask"].dtype == np.int8 and not game.observe(game._other(agent))["action_mask"].any()
        views.append(observation["observation"])
        action = int(rng.choice(np.flatnonzero(observation["action_mask"])))
        moves.append(action)
        game.step(action)
        if game.terminations[game.agent_selection]:
            break

    # Chess-v0 sees the same positions the same way, playing either side against the other side's moves.
    replay = chess.Board()
    played = []
    for action in moves:
        move = decode_move(replay, action)
        played.append(move)
        replay.push(move)
    for colour, first in ((chess.WHITE, 0), (chess.BLACK, 1)):
        replies = iter(played[1 - first :: 2])
        single = ChessEnv(opponent=lambda board, replies=replies: next(replies), agent_color=chess.COLOR_NAMES[colour])
        observation, info = single.reset(seed=0)
        for ply in range(first, len(moves) - 1, 2):
            np.testing.assert_array_equal(observation, views[ply])
            observation, *_ = single.step(moves[ply])


def test_checkmate_rewards_and_the_agents_leave_in_turn():
    game = env()
    game.reset()
    play(game, FOOLS_MATE)
    assert game.terminations == {"player_0": True, "player_1": True}
    assert game.rewards == {"player_0": -1.0, "player_1": 1.0}
    assert all(info["result"] == "0-1" and not info["illegal"] for info in game.infos.values())
    finished = []
    for agent in game.agent_iter():
        observation, reward, terminated, truncated, info = game.last()
        assert terminated and not truncated and not observation["action_mask"].any()
        finished.append((agent, reward))
        game.step(None)
    assert finished == [("player_0", -1.0), ("player_1", 1.0)] and game.agents == []


def test_an_illegal_action_loses_and_leaves_the_board():
    for action in [NUM_ACTIONS, -1, 3.5, "e2e4", True, np.array([1, 2]), 0]:  # 0 is no legal move at the start
        game = raw_env()
        game.reset()
        game.step(action)
        assert game.rewards == {"player_0": -1.0, "player_1": 1.0}, action
        assert game.infos["player_0"]["illegal"] and not game.infos["player_1"]["illegal"]
        assert game.board == chess.Board() and all(game.terminations.values())
    game = raw_env()
    game.reset()
    e4 = encode_move(chess.Board(), chess.Move.from_uci("e2e4"))
    game.step(np.array([e4], dtype=np.int32))  # one-element integer arrays are actions too
    assert game.board.peek() == chess.Move.from_uci("e2e4") and game.agent_selection == "player_1"


def test_draws_truncation_and_start_positions():
    game = raw_env()
    game.reset()
    play(game, ["g1f3", "g8f6", "f3g1", "f6g8"] * 2)
    assert all(game.terminations.values()) and game.rewards == {"player_0": 0.0, "player_1": 0.0}
    assert game.infos["player_1"]["result"] == "1/2-1/2"

    game = raw_env(max_plies=3)
    game.reset()
    play(game, ["e2e4", "e7e5", "g1f3"])
    assert all(game.truncations.values()) and not any(game.terminations.values())
    assert game.infos["player_0"]["plies"] == 3 and game.infos["player_0"]["result"] == "*"

    game = raw_env()
    game.reset(options={"fen": "4k3/8/8/8/8/8/4P3/4K3 b - - 0 1"})
    assert game.agent_selection == "player_1" and game.infos["player_1"]["color"] == "black"
    np.testing.assert_array_equal(game.observe("player_1")["observation"], game_planes(game.board))
    with pytest.warns(UserWarning, match="unknown reset options"):
        game.reset(options={"colour": "white"})
    for fen, words in [("not a fen", "not a FEN"), ("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1", "finished game")]:
        with pytest.raises(ValueError, match=words):
            game.reset(options={"fen": fen})
    for kwargs, words in [({"max_plies": 0}, "max_plies"), ({"render_mode": "human"}, "render_mode")]:
        with pytest.raises(ValueError, match=words):
            ChessAECEnv(**kwargs)
    picks = set()
    for seed in range(8):
        game = raw_env(starting_fens=["4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", "4k3/8/8/8/8/8/3P4/3K4 w - - 0 1"])
        game.reset(seed=seed)
        picks.add(game.board.fen())
    assert len(picks) == 2


def test_render_modes():
    game = raw_env(render_mode="ansi")
    game.reset()
    play(game, ["e2e4"])
    text = game.render()
    assert text.splitlines()[0] == "8 r n b q k b n r" and "Last move: e4 (e2e4)" in text and "black to move" in text
    game = raw_env(render_mode="rgb_array")
    game.reset()
    picture = game.render()
    assert picture.shape == (276, 276, 3) and picture.dtype == np.uint8


def test_the_core_package_does_not_need_pettingzoo(monkeypatch):
    code = (
        "import sys; sys.modules['pettingzoo'] = None\n"
        "import gymnasium as gym, envs\n"
        "gym.make('DeepThink/Chess-v0').reset(seed=0)\n"
        "assert 'envs.chess_aec' not in sys.modules\n"
        "try:\n    import envs.chess_aec\nexcept ImportError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'pip install "deep-thinking-suite[marl]"' in result.stdout

    monkeypatch.setitem(sys.modules, "pettingzoo", None)
    monkeypatch.delitem(sys.modules, "envs.chess_aec")
    with pytest.raises(ImportError, match=r"deep-thinking-suite\[marl\]"):
        importlib.import_module("envs.chess_aec")
