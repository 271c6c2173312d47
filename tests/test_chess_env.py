"""Tests of ``DeepThink/Chess-v0`` (envs/chess_game.py): API checkers, rules, opponents, determinism."""

from __future__ import annotations

import warnings

import chess
import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from envs.chess_game import ChessEnv
from puzzles.chess_encoding import NUM_ACTIONS, encode_move
from puzzles.chess_game import game_planes

SCHOLAR = "r1bqkb1r/pppp1ppp/2n2n2/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 4 4"  # Qxf7# mates
STALEMATE_IN_ONE = "k7/8/1Q6/8/8/8/8/7K w - - 0 1"  # Kg2 stalemates Black


def _stockfish_available() -> bool:
    try:
        from puzzles.miner import find_stockfish

        find_stockfish()
    except FileNotFoundError:
        return False
    return True


needs_stockfish = pytest.mark.skipif(not _stockfish_available(), reason="Stockfish is not installed")


def _action(env: ChessEnv, uci: str) -> int:
    return encode_move(env.board, chess.Move.from_uci(uci))


def _illegal_action(env: ChessEnv) -> int:
    return int(np.flatnonzero(~env.action_masks())[0])


def _legal_action(env: ChessEnv) -> int:
    return int(np.flatnonzero(env.action_masks())[0])


class Scripted:
    """A duck-typed policy opponent that plays a fixed list of moves and records its calls."""

    def __init__(self, moves: list[str]) -> None:
        self.moves = list(moves)
        self.calls: list[tuple[str, dict]] = []

    def act(self, board: chess.Board, **kwargs) -> chess.Move:
        self.calls.append((board.fen(), kwargs))
        return chess.Move.from_uci(self.moves.pop(0))


def test_registered_and_spaces():
    env = gym.make("DeepThink/Chess-v0")
    assert env.observation_space == gym.spaces.Box(0, 1, (19, 8, 8), np.float32)
    assert env.action_space == gym.spaces.Discrete(NUM_ACTIONS)
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.shape == (19, 8, 8)
    mask = env.unwrapped.action_masks()
    assert mask.dtype == bool and mask.shape == (NUM_ACTIONS,) and mask.sum() == 20
    assert np.array_equal(info["action_mask"], mask)
    assert env.get_wrapper_attr("action_masks")().sum() == 20
    env.unwrapped.board.push_uci("e2e4")  # a copy: the game is unchanged
    assert env.unwrapped.board.ply() == 0
    env.close()


def test_gymnasium_env_checker():
    from gymnasium.utils.env_checker import check_env

    env = gym.make("DeepThink/Chess-v0", render_mode="ansi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env.unwrapped)
    env.close()


def test_sb3_env_checker():
    sb3_checker = pytest.importorskip("stable_baselines3.common.env_checker")
    env = ChessEnv(agent_color="random")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SB3 warns that a float (19, 8, 8) Box is not a uint8 image
        sb3_checker.check_env(env)
    env.close()


def test_random_masked_fuzz():
    rng = np.random.default_rng(0)
    env = ChessEnv(agent_color="random", max_plies=160)
    steps = episodes = 0
    ends = set()
    while steps < 2000:
        obs, info = env.reset(seed=episodes)
        episodes += 1
        done = False
        while not done:
            mask = env.action_masks()
            assert np.array_equal(mask, info["action_mask"]) and mask.any()
            if steps % 20 == 0:
                assert env.observation_space.contains(obs)
                assert np.array_equal(obs, game_planes(env.board))  # the agent is to move when it observes
            if rng.random() < 0.002:
                action = int(rng.integers(NUM_ACTIONS))  # an unmasked, usually illegal action
            else:
                action = rng.choice(np.flatnonzero(mask))
            obs, reward, terminated, truncated, info = env.step(action)
            assert type(reward) is float and type(terminated) is bool and type(truncated) is bool
            assert reward in (-1.0, 0.0, 1.0) and not (terminated and truncated)
            assert reward == 0.0 or terminated
            assert obs.dtype == np.float32 and obs.shape == (19, 8, 8)
            done = terminated or truncated
            steps += 1
        ends.add((terminated, truncated, info["result"]))
    assert episodes > 15
    assert (False, True, "*") in ends and any(end[0] and end[2] != "*" for end in ends)
    env.close()


def test_illegal_move_loses_without_raising():
    env = ChessEnv(agent_color="black")
    obs, _ = env.reset(seed=3)
    before = env.board.fen()
    new_obs, reward, terminated, truncated, info = env.step(_illegal_action(env))
    assert (reward, terminated, truncated, info["illegal"]) == (-1.0, True, False, True)
    assert info["result"] == "1-0" and env.board.fen() == before and np.array_equal(new_obs, obs)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


@pytest.mark.parametrize(
    "action, error",
    [
        (-1, ValueError),
        (NUM_ACTIONS, ValueError),
        (10**12, ValueError),
        (np.int64(-5), ValueError),
        (None, TypeError),
        (float("nan"), TypeError),
        (1.5, TypeError),
        ("e2e4", TypeError),
        (True, TypeError),
        (np.array([1, 2]), TypeError),
    ],
)
def test_an_action_outside_the_action_space_is_refused_and_the_game_goes_on(action, error):
    env = ChessEnv(agent_color="black")
    obs, _ = env.reset(seed=3)
    before = env.board.fen()
    with pytest.raises(error, match=r"0\.\.4671"):
        env.step(action)
    assert env.board.fen() == before
    _, reward, terminated, _, info = env.step(_legal_action(env))
    assert not terminated and not info["illegal"]


def test_accepts_numpy_actions():
    env = ChessEnv()
    env.reset(seed=0)
    action = _action(env, "e2e4")
    _, reward, terminated, _, info = env.step(np.array([action]))
    assert not terminated and not info["illegal"] and info["plies"] == 2
    _, _, terminated, _, info = env.step(np.int64(_action(env, "d2d4")))
    assert not terminated and info["plies"] == 4


def test_determinism_under_seed():
    def play(seed: int) -> tuple[list[str], list[float], list[np.ndarray]]:
        fens = [chess.STARTING_FEN, SCHOLAR, STALEMATE_IN_ONE]
        env = ChessEnv(agent_color="random", starting_fens=fens, max_plies=120)
        rng = np.random.default_rng(seed)
        rewards, observations = [], []
        for episode in range(4):
            obs, info = env.reset(seed=seed + episode)
            observations.append(obs)
            done = False
            while not done:
                obs, reward, terminated, truncated, info = env.step(rng.choice(np.flatnonzero(info["action_mask"])))
                rewards.append(reward)
                observations.append(obs)
                done = terminated or truncated
        return [move.uci() for move in env.board.move_stack], rewards, observations

    first, second, other = play(11), play(11), play(12)
    assert first[0] == second[0] and first[1] == second[1]
    assert all(np.array_equal(a, b) for a, b in zip(first[2], second[2], strict=True))
    assert first[0] != other[0]


def test_random_colour_is_seeded():
    env = ChessEnv(agent_color="random")
    colours = [env.reset(seed=seed)[1]["agent_color"] for seed in range(20)]
    assert set(colours) == {"white", "black"}
    assert colours == [env.reset(seed=seed)[1]["agent_color"] for seed in range(20)]
    assert env.reset(seed=0, options={"agent_color": "black"})[1]["agent_color"] == "black"


def test_win_draw_loss_rewards_and_terminal_view():
    env = ChessEnv()
    env.reset(options={"fen": SCHOLAR})
    obs, reward, terminated, truncated, info = env.step(_action(env, "h5f7"))
    assert (reward, terminated, truncated, info["result"]) == (1.0, True, False, "1-0")
    assert not env.action_masks().any() and not info["action_mask"].any()
    assert obs[0, 0, 4] == 1.0 and obs[6, 7, 4] == 1.0  # still White's view: own king e1, enemy king e8
    with pytest.raises(RuntimeError):
        env.step(0)

    env.reset(options={"fen": STALEMATE_IN_ONE})
    _, reward, terminated, _, info = env.step(_action(env, "h1g2"))
    assert (reward, terminated, info["result"]) == (0.0, True, "1/2-1/2")

    fool = Scripted(["e7e5", "d8h4"])
    env = ChessEnv(opponent=fool)
    env.reset(seed=0)
    env.step(_action(env, "f2f3"))
    _, reward, terminated, _, info = env.step(_action(env, "g2g4"))
    assert (reward, terminated, info["result"]) == (-1.0, True, "0-1")


def test_truncation_at_ply_cap():
    env = ChessEnv(max_plies=4)
    env.reset(seed=0)
    assert env.step(env.action_masks().argmax())[3] is False
    obs, reward, terminated, truncated, info = env.step(env.action_masks().argmax())
    assert (reward, terminated, truncated, info["plies"]) == (0.0, False, True, 4)
    assert np.array_equal(obs, game_planes(env.board))  # a real position with the agent to move
    env = ChessEnv(max_plies=2, agent_color="black")
    assert env.reset(seed=0)[1]["plies"] == 1
    _, _, terminated, truncated, info = env.step(env.action_masks().argmax())
    assert (terminated, truncated, info["plies"]) == (False, True, 3)


def test_policy_opponent_is_called():
    policy = Scripted(["e7e5", "b8c6"])
    env = gym.make("DeepThink/Chess-v0", opponent=policy, opponent_think=7)
    env.reset(seed=0)
    env.step(_action(env.unwrapped, "e2e4"))
    env.step(_action(env.unwrapped, "g1f3"))
    assert [kwargs for _, kwargs in policy.calls] == [{"think": 7}, {"think": 7}]
    assert policy.calls[0][0].startswith("rnbqkbnr/pppppppp/8/8/4P3/")
    assert [move.uci() for move in env.unwrapped.board.move_stack] == ["e2e4", "e7e5", "g1f3", "b8c6"]

    seen = []

    def first_move(board: chess.Board) -> chess.Move:
        seen.append(board.ply())
        return next(iter(board.legal_moves))

    env = ChessEnv(opponent=first_move, agent_color="black")
    _, info = env.reset(seed=0)
    assert seen == [0] and info["plies"] == 1

    env = ChessEnv(opponent=Scripted(["e2e5"]), agent_color="black")
    with pytest.raises(ValueError, match="not a legal chess.Move"):
        env.reset(seed=0)


def test_fen_option_and_errors():
    black_to_move = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1"
    env = ChessEnv(agent_color="black")
    obs, info = env.reset(options={"fen": black_to_move})
    assert info["plies"] == 0 and env.board.fen() == chess.Board(black_to_move).fen()
    assert obs[5, 1].sum() == 8  # Black's own pawns, seen from Black's side on the second row
    env = ChessEnv(agent_color="white")
    _, info = env.reset(seed=1, options={"fen": black_to_move})
    assert info["plies"] == 1 and env.board.turn == chess.WHITE

    with pytest.raises(ValueError, match="not a FEN"):
        env.reset(options={"fen": "not a position"})
    with pytest.raises(ValueError, match="not a legal chess position"):
        env.reset(options={"fen": "k7/8/8/8/8/8/8/KK6 w - - 0 1"})
    with pytest.raises(ValueError, match="finished"):
        env.reset(options={"fen": "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"fenn": black_to_move})
    with pytest.raises(ValueError, match="ended the game"):
        ChessEnv(opponent=Scripted(["h5f7"]), agent_color="black").reset(options={"fen": SCHOLAR})
    with pytest.raises(ValueError, match=r"starting_fens\[1\]"):
        ChessEnv(starting_fens=[chess.STARTING_FEN, "8/8/8 w"])


def test_constructor_errors():
    with pytest.raises(ValueError, match="opponent"):
        ChessEnv(opponent="stockfsh")
    with pytest.raises(ValueError, match="opponent"):
        ChessEnv(opponent=42)
    with pytest.raises(ValueError, match="agent_color"):
        ChessEnv(agent_color="red")
    with pytest.raises(ValueError, match="max_plies"):
        ChessEnv(max_plies=0)
    with pytest.raises(ValueError, match="opponent_nodes"):
        ChessEnv(opponent="stockfish", opponent_nodes=0)
    with pytest.raises(ValueError, match="render_mode"):
        ChessEnv(render_mode="human")
    with pytest.raises(ValueError, match="opponent_think must be from 1 to 100000"):
        ChessEnv(opponent=Scripted([]), opponent_think=10**9)


def test_a_missing_engine_is_named_when_the_env_is_made(tmp_path):
    with pytest.raises(FileNotFoundError, match="engine_path '.*nonesuch' is not an executable file"):
        gym.make("DeepThink/Chess-v0", opponent="stockfish", engine_path=str(tmp_path / "nonesuch"))
    (tmp_path / "text").write_text("not a program")
    with pytest.raises(FileNotFoundError, match="is not an executable file"):
        ChessEnv(opponent="stockfish", engine_path=tmp_path / "text")
    with pytest.raises(TypeError, match="engine_path"):
        ChessEnv(opponent="stockfish", engine_path=42)
    ChessEnv(engine_path=str(tmp_path / "nonesuch"))  # no Stockfish opponent, no engine needed


def test_render_ansi():
    env = gym.make("DeepThink/Chess-v0", render_mode="ansi", agent_color="black", opponent=Scripted(["e2e4"]))
    env.reset(seed=0)
    text = env.render()
    lines = text.splitlines()
    assert lines[0] == "1 R N B K Q B N R" and lines[7] == "8 r n b k q b n r"
    assert lines[8] == "  h g f e d c b a"
    assert "Last move: e4 (e2e4, opponent)" in text and "Agent plays Black" in text
    white = ChessEnv(render_mode="ansi")
    white.reset(options={"fen": SCHOLAR})
    assert white.render().splitlines()[0] == "8 r . b q k b . r" and "Last move: none" in white.render()
    white.step(_action(white, "h5f7"))
    assert "Last move: Qxf7# (h5f7, agent)" in white.render() and "result 1-0" in white.render()
    with pytest.warns(UserWarning, match="render_mode"):
        assert ChessEnv().render() is None


@needs_stockfish
def test_stockfish_opponent():
    env = ChessEnv(opponent="stockfish", opponent_nodes=20, max_plies=200)
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0)
    done = False
    while not done:
        _, reward, terminated, truncated, info = env.step(rng.choice(np.flatnonzero(info["action_mask"])))
        done = terminated or truncated
    replay = chess.Board()
    for move in env.board.move_stack:
        assert replay.is_legal(move)
        replay.push(move)
    assert reward <= 0.0 and not info["illegal"]
    assert env._engine is not None
    env.close()
    env.close()
    assert env._engine is None


@needs_stockfish
def test_stockfish_elo():
    env = ChessEnv(opponent="stockfish", opponent_elo=1500, opponent_nodes=50, agent_color="black")
    _, info = env.reset(seed=0)
    assert info["plies"] == 1
    env.close()
    env = ChessEnv(opponent="stockfish", opponent_elo=100, agent_color="black")
    with pytest.raises(ValueError, match="opponent_elo"):
        env.reset(seed=0)
    env.close()
