"""Stable-Baselines3 baselines: extractors, tiny PPO / MaskablePPO runs, the training script and the env table."""

import json
from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from puzzles.families import FAMILIES
from trainers.cli import run_main
from trainers.commands import env_table, train_sb3
from trainers.rollouts import evaluate_rollouts
from trainers.sb3_baselines import (
    BitsCNN,
    MazeCNN,
    MazeThinker,
    SB3Policy,
    SudokuCNN,
    baseline_setup,
    load_baseline,
    load_model,
    make_model,
    observation_action_masks,
    save_model,
    set_iters,
    thinkers,
)

TINY_PPO = {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "device": "cpu"}


def maze_observations(size, count=3, seed=0):
    env = gym.make("DeepThink/MazeNav-v0", size=size)
    observations = [env.reset(seed=seed + i)[0] for i in range(count)]
    return torch.as_tensor(np.stack(observations))


def maze_space(size):
    return spaces.Box(0.0, 1.0, (4, size, size), dtype=np.float32)


@pytest.mark.parametrize("extractor", [MazeCNN, MazeThinker])
def test_maze_extractors_give_one_feature_size_for_every_maze_size(extractor):
    torch.manual_seed(0)
    net = extractor(maze_space(9), width=16)
    small, large = net(maze_observations(9)), net(maze_observations(13))
    assert small.shape == (3, 16) == large.shape == (3, net.features_dim)
    assert torch.isfinite(large).all()


def test_maze_features_are_read_at_the_walker():
    torch.manual_seed(0)
    net = MazeCNN(maze_space(9), width=8, layers=2)
    observations = maze_observations(9, count=1)
    moved = observations.clone()
    walker = tuple(int(i) for i in np.argwhere(observations[0, 3].numpy() == 1)[0])
    moved[0, 3][walker] = 0
    moved[0, 3, 0, 0] = 1  # the walker elsewhere, the maze unchanged
    assert not torch.allclose(net(observations), net(moved))


def test_the_thinker_thinks_longer_when_iters_is_raised():
    torch.manual_seed(0)
    net = MazeThinker(maze_space(9), width=8, iters=2)
    observations = maze_observations(13)
    short = net(observations)
    net.iters = 6
    assert not torch.allclose(short, net(observations))


def test_sudoku_cnn_flattens_per_cell_features():
    net = SudokuCNN(spaces.Box(0, 9, (9, 9), dtype=np.int8), width=4, layers=2)
    env = gym.make("DeepThink/SudokuFill-v0", givens=60)
    grid = torch.as_tensor(env.reset(seed=0)[0][None]).float()  # SB3 hands extractors float observations
    assert net(grid).shape == (1, 81 * 4) == (1, net.features_dim)


def test_bits_cnn_flattens_per_bit_features():
    net = BitsCNN(spaces.MultiBinary(8), width=4, layers=2)
    bits = torch.as_tensor(np.random.default_rng(0).integers(0, 2, (3, 8))).float()
    assert net(bits).shape == (3, 8 * 4) == (3, net.features_dim)
    with pytest.raises(ValueError, match=r"reads \(n,\) bit strings"):
        BitsCNN(maze_space(9))


def test_masks_read_off_observations_match_the_environments():
    maze = gym.make("DeepThink/MazeNav-v0", size=11)
    observation, _ = maze.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(30):
        assert np.array_equal(observation_action_masks(observation), maze.unwrapped.action_masks())
        observation, *_ = maze.step(int(rng.integers(4)))
    sudoku = gym.make("DeepThink/SudokuFill-v0", givens=60)
    grid, _ = sudoku.reset(seed=0)
    assert np.array_equal(observation_action_masks(grid), sudoku.unwrapped.action_masks())
    with pytest.raises(ValueError, match="no action masks"):
        observation_action_masks(np.zeros((3, 5)))


def test_bad_combinations_are_named():
    with pytest.raises(ValueError, match="no SB3 baseline for 'DeepThink/Maze-v0'"):
        baseline_setup("DeepThink/Maze-v0", "ppo", "cnn")
    with pytest.raises(ValueError, match="trains with algo maskable_ppo"):
        baseline_setup("DeepThink/SudokuFill-v0", "ppo", "cnn")
    with pytest.raises(ValueError, match="takes extractor cnn, not 'thinker'"):
        baseline_setup("DeepThink/SudokuFill-v0", "maskable_ppo", "thinker")
    with pytest.raises(ValueError, match="PrefixSums-v0 takes extractor cnn, not 'thinker'"):
        baseline_setup("DeepThink/PrefixSums-v0", "ppo", "thinker")


@pytest.mark.parametrize(
    ("algo", "extractor", "kwargs"),
    [("ppo", "cnn", {"width": 16, "layers": 2}), ("ppo", "thinker", {"width": 8, "iters": 2})],
)
def test_ppo_on_mazes_trains_saves_reloads_and_evaluates_at_two_sizes(tmp_path, algo, extractor, kwargs):
    model = make_model("DeepThink/MazeNav-v0", algo, extractor, level=9, seed=0, extractor_kwargs=kwargs, **TINY_PPO)
    model.learn(256)
    save_model(model, tmp_path / "model.safetensors")
    loaded = load_model(tmp_path / "model.safetensors", device="cpu")
    policy = SB3Policy(loaded)
    for size in (9, 13):
        report = evaluate_rollouts("DeepThink/MazeNav-v0", policy, episodes=3, num_envs=2, size=size, max_steps=20)
        assert report["episodes"] == 3 and 0 <= report["success_rate"] <= 1
    if extractor == "thinker":
        assert report["iterations_per_episode"] == 2 * report["mean_steps"]
        set_iters(loaded, 5)
        assert [t.iters for t in thinkers(loaded)] == [5]
    else:
        with pytest.raises(ValueError, match="no MazeThinker"):
            set_iters(loaded, 5)


def test_maskable_ppo_on_sudoku_trains_saves_reloads_and_evaluates_at_two_levels(tmp_path):
    model = make_model(
        "DeepThink/SudokuFill-v0", "maskable_ppo", "cnn", level=60, extractor_kwargs={"width": 4}, **TINY_PPO
    )
    model.learn(256)
    save_model(model, tmp_path / "model.safetensors")
    policy = SB3Policy(load_model(tmp_path / "model.safetensors", device="cpu"))
    for givens in (60, 56):
        report = evaluate_rollouts("DeepThink/SudokuFill-v0", policy, episodes=2, num_envs=2, givens=givens)
        assert report["episodes"] == 2 and report["mean_return"] >= 0  # masked: never an illegal action (-1)


def test_prefix_sums_train_with_partial_credit_unless_told_otherwise():
    kwargs = {"extractor_kwargs": {"width": 4}, **TINY_PPO}
    model = make_model("DeepThink/PrefixSums-v0", "ppo", "cnn", level=8, **kwargs)
    assert model.get_env().get_attr("partial_credit") == [True, True]
    assert model.action_space == spaces.MultiBinary(8)
    exact = make_model("DeepThink/PrefixSums-v0", "ppo", "cnn", level=8, env_kwargs={"partial_credit": False}, **kwargs)
    assert exact.get_env().get_attr("partial_credit") == [False, False]


def script():
    return train_sb3


@pytest.fixture(scope="module")
def prefix_sums_run(tmp_path_factory):
    """A tiny PPO baseline on 8-bit prefix sums, evaluated at 8 bits and (not: its action head is 8 long) 16."""
    out = tmp_path_factory.mktemp("prefix_sums") / "run"
    script().main(
        [
            *("--env", "DeepThink/PrefixSums-v0", "--algo", "ppo", "--extractor", "cnn", "--size", "8"),
            *("--width", "8", "--timesteps", "256", "--n-envs", "2", "--n-steps", "64", "--n-epochs", "1"),
            *("--eval-sizes", "8", "16", "--eval-episodes", "20", "--eval-envs", "4", "--device", "cpu"),
            *("--out", str(out)),
        ]
    )
    return out


def test_the_script_trains_prefix_sums_and_skips_lengths_its_action_head_cannot_answer(prefix_sums_run):
    card = json.loads((prefix_sums_run / "card.json").read_text())
    assert card["train_level"] == {"size": 8} and card["train_env_kwargs"] == {"partial_credit": True}
    assert card["args"]["partial_credit"] is None  # the environment's default, recorded as resolved above
    played, skipped = card["results"]
    assert played["level"] == 8 and played["episodes"] == 20 and 0 <= played["success_rate"] <= 1
    assert played["mean_return"] == played["success_rate"]  # evaluated on exact answers, without partial credit
    assert skipped == {
        "level": 16,
        "skipped": "SB3's MultiBinary action head has a fixed length (8), not MultiBinary(16)",
    }
    policy = SB3Policy(load_model(prefix_sums_run / "model.safetensors", device="cpu"))
    (answer,) = policy.act_batch([np.ones(8, np.int8)], spaces.MultiBinary(8))
    assert answer.shape == (8,) and answer.dtype == np.int8 and set(answer.tolist()) <= {0, 1}
    assert policy.cannot_act(spaces.MultiBinary(8)) is None


def test_the_env_table_shows_levels_a_baseline_cannot_play_as_na(prefix_sums_run, tmp_path):
    short = replace(FAMILIES["prefix_sums"], train_level=8, test_levels=(16,))
    args = env_table.Args(episodes=4, num_envs=2, baselines=[str(prefix_sums_run)], out=str(tmp_path))
    env_table.write_env_table(args, [short], command="test")
    table = (tmp_path / "env_table.md").read_text()
    baseline = "ppo + cnn, 256 steps at size 8, partial-credit reward"  # trained on it, scored on exact answers
    assert f"| {baseline} | size 8 | n/a" not in table and f"| {baseline} | size 16 | n/a | - |" in table
    assert table.count("| n/a |") == 1  # the solver, which answers any length, plays both sizes
    assert f"- prefix sums, {baseline}: n/a at size 16 (SB3's MultiBinary action head has a fixed length (8)" in table
    rows = json.loads((tmp_path / "env_table.json").read_text())["rows"]
    assert [("skipped" in r, r["level"]) for r in rows if r["policy"] == baseline] == [
        (False, "size 8"),
        (True, "size 16"),
    ]


def test_the_script_trains_evaluates_and_writes_the_card(tmp_path, capsys):
    out = tmp_path / "run"
    script().main(
        [
            *("--env", "DeepThink/MazeNav-v0", "--algo", "maskable_ppo", "--extractor", "thinker"),
            *("--width", "8", "--iters", "2", "--timesteps", "128", "--n-envs", "2", "--n-steps", "64"),
            *("--n-epochs", "1", "--eval-sizes", "5", "7", "--eval-iters", "3", "--eval-episodes", "2"),
            *("--eval-envs", "2", "--device", "cpu", "--no-deterministic", "--out", str(out)),
        ]
    )
    assert "success %" in capsys.readouterr().out
    card = json.loads((out / "card.json").read_text())
    assert card["command"].startswith("python scripts/train_sb3.py") and card["timesteps"] == 128
    assert card["train_level"] == {"size": 9} and card["train_iters"] == 2 and "torch threads" in card["hardware"]
    assert [(r["level"], r["iters"]) for r in card["results"]] == [(5, 2), (7, 2), (5, 3), (7, 3)]
    assert all(0 <= r["success_rate"] <= 1 and len(r["interval"]) == 2 for r in card["results"])
    assert load_model(out / "model.safetensors", device="cpu").num_timesteps == 128
    # The README's table puts the run beside the solvers, choosing actions as the run's evaluation did.
    name, env_id, policy = load_baseline(out)
    assert env_id == "DeepThink/MazeNav-v0" and name.endswith("128 steps at size 9, sampled actions")
    assert policy.deterministic is False
    # --evaluate-only adds the budgets and levels the card lacks, without training or repeating a result.
    before = card["results"]
    script().main(
        [
            *("--env", "DeepThink/MazeNav-v0", "--algo", "maskable_ppo", "--extractor", "thinker"),
            *("--eval-sizes", "5", "--eval-iters", "3", "4", "--eval-episodes", "2", "--eval-envs", "2"),
            *("--device", "cpu", "--no-deterministic", "--out", str(out), "--evaluate-only"),
        ]
    )
    card = json.loads((out / "card.json").read_text())
    assert card["results"][:4] == before and [(r["level"], r["iters"]) for r in card["results"][4:]] == [(5, 4)]
    assert card["timesteps"] == 128


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--env", "DeepThink/SudokuFill-v0", "--algo", "maskable_ppo", "--extractor", "thinker"], "takes extractor"),
        (["--env", "DeepThink/SudokuFill-v0", "--algo", "ppo"], "trains with algo maskable_ppo"),
        (["--env", "DeepThink/Chess-v0"], "no SB3 baseline"),
        (["--algo", "dqn"], "not 'dqn'"),
        (["--extractor", "cnn", "--iters", "5"], "the cnn's depth is --layers"),
        (["--eval-sizes", "10"], "odd"),
        (["--env", "DeepThink/PrefixSums-v0", "--extractor", "thinker"], "PrefixSums-v0 takes extractor cnn"),
        (["--partial-credit"], "--partial-credit is an option of DeepThink/PrefixSums-v0, not of DeepThink/MazeNav"),
    ],
)
def test_a_bad_command_exits_with_a_clear_error(tmp_path, capsys, flags, message):
    module = script()
    with pytest.raises(SystemExit) as exit_info:
        run_main(lambda: module.main([*flags, "--timesteps", "1", "--out", str(tmp_path / "run")]))
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # rejected before anything is trained or written


def test_the_script_explains_its_flags(capsys):
    with pytest.raises(SystemExit) as exit_info:
        script().main(["--help"])
    assert exit_info.value.code == 0 and "--eval-iters" in capsys.readouterr().out


def test_a_masked_chess_puzzle_baseline_trains_on_the_training_split_and_plays_held_out_puzzles(tmp_path):
    from puzzles.chess_puzzles import is_held_out
    from tests.helpers import write_chess_puzzles

    csv = str(write_chess_puzzles(tmp_path / "puzzles.csv"))
    family = baseline_setup("DeepThink/ChessPuzzle-v0", "maskable_ppo", "cnn")
    assert family.train_kwargs(2) == {"split": "training", "difficulty": (2, 2)}
    assert family.level_kwargs(2) == {"split": "held_out", "difficulty": (2, 2)}
    tiny = {**TINY_PPO, "n_steps": 16, "batch_size": 32}
    extractor = {"width": 4, "layers": 1}
    model = make_model(
        "DeepThink/ChessPuzzle-v0",
        "maskable_ppo",
        "cnn",
        1,
        env_kwargs={"path": csv},
        extractor_kwargs=extractor,
        **tiny,
    )
    (puzzles, _) = model.get_env().get_attr("puzzles")
    assert puzzles and all(not is_held_out(p.puzzle_id) and p.difficulty == 1 for p in puzzles)
    model.learn(32)
    # The masks read off an observation are the environment's own, so the policy only plays legal moves.
    env = gym.make("DeepThink/ChessPuzzle-v0", path=csv)
    for index in range(len(env.unwrapped.puzzles)):
        observation, _ = env.reset(options={"index": index})
        assert (observation_action_masks(observation) == env.unwrapped.action_masks().astype(bool)).all()
    kwargs = {"path": csv, **family.level_kwargs(1)}
    report = evaluate_rollouts("DeepThink/ChessPuzzle-v0", SB3Policy(model), 6, 2, 0, **kwargs)
    assert report["episodes"] == 6 and 0 <= report["success_rate"] <= 1


def test_the_chess_extractor_names_the_planes_it_reads():
    from trainers.sb3_baselines import ChessCNN

    assert ChessCNN(spaces.Box(0.0, 1.0, (19, 8, 8)), width=4).features_dim == 256
    with pytest.raises(ValueError, match=r"\(19, 8, 8\) game planes"):
        ChessCNN(spaces.Box(0.0, 1.0, (4, 8, 8)))


def test_sampled_actions_repeat_with_the_policys_seed_and_keep_to_the_masks():
    model = make_model(
        "DeepThink/MazeNav-v0", "maskable_ppo", "cnn", level=9, extractor_kwargs={"width": 4}, **TINY_PPO
    )
    env = gym.make("DeepThink/MazeNav-v0", size=9)
    observations = []
    for i in range(40):  # a few steps in, where the walker has a choice (the start is a dead end)
        observation, _ = env.reset(seed=i)
        for _ in range(3):
            stepped, _, terminated, truncated, _ = env.step(
                int(np.flatnonzero(observation_action_masks(observation))[-1])
            )
            if terminated or truncated:
                break
            observation = stepped
        observations.append(observation)
    space = env.action_space

    def sampled(seed):
        return SB3Policy(model, deterministic=False, seed=seed).act_batch(observations, space)

    assert sampled(3) == sampled(3) and sampled(3) != sampled(4)  # an untrained policy samples nearly uniformly
    assert all(observation_action_masks(o)[a] for o, a in zip(observations, sampled(5), strict=True))
    bits = make_model("DeepThink/PrefixSums-v0", "ppo", "cnn", level=8, extractor_kwargs={"width": 4}, **TINY_PPO)
    strings = [np.ones(8, np.int8)] * 20
    draws = SB3Policy(bits, deterministic=False, seed=1).act_batch(strings, spaces.MultiBinary(8))
    again = SB3Policy(bits, deterministic=False, seed=1).act_batch(strings, spaces.MultiBinary(8))
    assert all(np.array_equal(a, b) and set(a.tolist()) <= {0, 1} for a, b in zip(draws, again, strict=True))
