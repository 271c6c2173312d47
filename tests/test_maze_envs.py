"""Tests of ``DeepThink/Maze-v0`` and ``DeepThink/MazeNav-v0`` (envs/mazes.py): API checkers, fuzz, scoring, walking."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from envs.mazes import MazeEnv, MazeNavEnv
from puzzles import mazes

IDS = ["DeepThink/Maze-v0", "DeepThink/MazeNav-v0"]
MOVES = {(-1, 0): 0, (0, 1): 1, (1, 0): 2, (0, -1): 3}  # (row, col) offset -> action
# A 3x3 maze: S . .  /  # # .  /  G . .  (6 moves, the start in a corner with walls below).
HOOK = np.array([[2, 1, 1], [0, 0, 1], [3, 1, 1]], dtype=np.uint8)


def _path_actions(grid: np.ndarray) -> list[int]:
    """The moves along the shortest path of a grid, start to goal, computed from the path mask."""
    path = mazes.shortest_path(grid).astype(bool)
    size = grid.shape[0]
    position, goal = tuple(np.argwhere(grid == mazes.START)[0]), tuple(np.argwhere(grid == mazes.GOAL)[0])
    visited, actions = {position}, []
    while position != goal:
        row, col = position
        [(position, action)] = [  # exactly one unvisited path neighbour: the path is a simple chain
            ((row + dr, col + dc), action)
            for (dr, dc), action in MOVES.items()
            if 0 <= row + dr < size and 0 <= col + dc < size and path[row + dr, col + dc]
            if (row + dr, col + dc) not in visited
        ]
        visited.add(position)
        actions.append(action)
    return actions


def _image(grid: np.ndarray) -> np.ndarray:
    """The native image of a grid."""
    return mazes.compact_to_image(mazes.COLOURS[grid].transpose(2, 0, 1)[None])[0]


def _expected_mask(grid: np.ndarray, position: tuple[int, int]) -> np.ndarray:
    size = grid.shape[0]
    return np.array(
        [
            0 <= position[0] + dr < size
            and 0 <= position[1] + dc < size
            and grid[position[0] + dr, position[1] + dc] > 0
            for dr, dc in MOVES
        ]
    )


# ------------------------------------------------------------------------------------------------ both


@pytest.mark.parametrize("render_mode", [None, "ansi", "rgb_array"])
@pytest.mark.parametrize("size", [9, 13])
@pytest.mark.parametrize("env_id", IDS)
def test_env_checkers(env_id, size, render_mode):
    from gymnasium.utils.env_checker import check_env as gym_check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gym.make(env_id, size=size, render_mode=render_mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from Gymnasium's checker
        gym_check_env(env.unwrapped)
        # SB3 takes a (C, H, W) Box for an image and warns that it is float and small for its CnnPolicy.
        warnings.filterwarnings("ignore", message=".*(is an image|minimal resolution)")
        sb3_check_env(env, skip_render_check=False)
    env.close()


@pytest.mark.parametrize("env_class", [MazeEnv, MazeNavEnv])
def test_bad_arguments(env_class):
    for size in (8, 1, 0, "9", True, 9.0):
        with pytest.raises(ValueError, match="maze size"):
            env_class(size=size)
    with pytest.raises(ValueError, match="render_mode"):
        env_class(render_mode="human")
    with pytest.raises(ValueError, match="max_steps"):
        MazeNavEnv(max_steps=0)
    for penalty in (-0.1, float("nan"), float("inf"), "0.01", True):
        with pytest.raises(ValueError, match="step_penalty"):
            MazeNavEnv(step_penalty=penalty)


@pytest.mark.parametrize("env_id", IDS)
def test_seeding_is_deterministic(env_id):
    env = gym.make(env_id)
    first = [env.reset(seed=seed)[0] for seed in range(5)]
    again = [env.reset(seed=seed)[0] for seed in range(5)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert len({a.tobytes() for a in first}) == 5
    env.reset(seed=7)
    sequence = [env.reset()[0] for _ in range(3)]
    env.reset(seed=7)
    assert all(np.array_equal(a, env.reset()[0]) for a in sequence)


# ------------------------------------------------------------------------------------------------ Maze-v0


def test_maze_fuzz_with_malformed_answers():
    rng = np.random.default_rng(0)
    env = gym.make("DeepThink/Maze-v0", partial_credit=True, render_mode="ansi")
    side = mazes.image_side(9)
    zeros = np.zeros((side, side), dtype=np.int64)
    malformed = [None, "path", 3, zeros + 2, zeros + 256, zeros + 257, zeros - 1, zeros + 0.5, zeros * np.nan]
    malformed += [zeros[:-1], zeros[None], zeros.astype(object), zeros.astype(complex), [[0, 1], [1]], {}]
    steps = 0
    for episode in range(2000):
        env.reset(seed=episode)
        solution = env.unwrapped.solution
        if episode % 10 == 0:
            with pytest.raises(ValueError):
                env.step(malformed[(episode // 10) % len(malformed)])
        kind = episode % 4
        if kind == 0:
            answer = solution
        elif kind == 1:
            answer = rng.integers(0, 2, solution.shape).astype(np.int8)
        elif kind == 2:
            answer = np.where(rng.random(solution.shape) < 0.02, 1 - solution, solution).astype(bool)
        else:
            answer = env.action_space.sample()
        obs, reward, terminated, truncated, info = env.step(answer)
        steps += 1
        assert type(reward) is float and 0.0 <= reward <= 1.0 and (terminated, truncated) == (True, False)
        assert (reward == 1.0) == info["exact"] and info["exact"] == (kind == 0 or reward == 1.0)
        assert env.observation_space.contains(obs) and isinstance(env.render(), str)
        with pytest.raises(RuntimeError):
            env.step(solution)
    assert steps >= 2000


def test_maze_true_solution_wrong_answers_and_walls():
    images, paths = mazes.generate(2, 13, 5)
    env = MazeEnv(size=13, partial_credit=True)
    obs, _ = env.reset(options={"puzzle": images[0]})
    assert np.array_equal(obs, images[0]) and obs.dtype == np.float32
    _, reward, terminated, _, info = env.step(paths[0])
    assert (reward, terminated, info["exact"], info["correct_fraction"]) == (1.0, True, True, 1.0)
    assert np.array_equal(info["solution"], paths[0])

    open_pixels = images[1].max(axis=0) > 0
    walls = ~open_pixels
    env.reset(options={"puzzle": images[1]})
    answer = paths[1] | walls  # every wall pixel marked: it does not count
    assert env.step(answer)[1] == 1.0

    env.reset(options={"puzzle": images[1]})
    answer = paths[1].copy()
    answer[np.argwhere(paths[1])[0][0], np.argwhere(paths[1])[0][1]] = 0  # one path pixel missed
    _, reward, _, _, info = env.step(answer)
    assert not info["exact"] and 0.0 < reward < 1.0
    assert reward == pytest.approx(1 - 1 / open_pixels.sum())

    env.reset(options={"puzzle": images[1]})
    _, reward, _, _, info = env.step(np.ones_like(paths[1]))
    assert reward == pytest.approx(paths[1].sum() / open_pixels.sum())

    strict = MazeEnv(size=13)
    strict.reset(options={"puzzle": images[1]})
    _, reward, _, _, info = strict.step(np.zeros_like(paths[1]))
    assert reward == 0.0 and not info["exact"] and 0.0 < info["correct_fraction"] < 1.0


def test_maze_posed_puzzles_are_checked():
    grid = mazes.generate_grid(9, np.random.default_rng(0))
    image = _image(grid)
    assert np.array_equal(image, mazes.generate(1, 9, 0)[0][0])
    env = MazeEnv()
    with pytest.raises(ValueError, match="size-9"):
        env.reset(options={"puzzle": mazes.generate(1, 13, 0)[0][0]})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"maze": image})
    pixel = image.copy()
    pixel[:, 4, 4] = 1 - pixel[:, 4, 4]  # one pixel of a 2x2 block
    blue = image.copy()
    blue[:, 3:5, 3:5] = np.array([0, 0, 1], dtype=np.float32)[:, None, None]
    two_goals, walled_in = grid.copy(), grid.copy()
    two_goals[grid == mazes.START] = mazes.GOAL
    goal = np.argwhere(grid == mazes.GOAL)[0]
    walled_in[max(goal[0] - 1, 0) : goal[0] + 2, max(goal[1] - 1, 0) : goal[1] + 2] = mazes.WALL
    walled_in[tuple(goal)] = mazes.GOAL
    two_goals, walled_in = _image(two_goals), _image(walled_in)
    bad = [None, "maze", image[0], image * 2, image.astype(int)[:, :-1], pixel, blue, two_goals, walled_in]
    for puzzle in bad:
        with pytest.raises(ValueError):
            env.reset(options={"puzzle": puzzle})
    obs, _ = env.reset(options={"puzzle": image.astype(int).tolist()})  # lists of 0/1 ints are fine
    assert np.array_equal(obs, image)


def test_maze_renders():
    env = MazeEnv(render_mode="rgb_array")
    env.reset(seed=1)
    side = mazes.image_side(9)
    picture = env.render()
    assert picture.shape == (side, side, 3) and picture.dtype == np.uint8
    assert np.array_equal(picture, (env.puzzle.transpose(1, 2, 0) * 255).astype(np.uint8))
    env.step(np.zeros((side, side), dtype=np.int8))
    answered = env.render()
    assert answered.shape == (side, side, 3) and not np.array_equal(answered, picture)

    text_env = MazeEnv(render_mode="ansi")
    text_env.reset(seed=1)
    assert len(text_env.render().splitlines()) == 9 and set(text_env.render()) <= set("#.SG\n")
    text_env.step(text_env.solution)
    assert text_env.render().count("o") + 2 == int(mazes.image_to_compact(text_env.solution).sum())
    assert text_env.render().endswith("answer: exact")
    text_env.reset(seed=1)
    text_env.step(np.ones((side, side), dtype=np.int8))
    assert "x" in text_env.render() and "wrong" in text_env.render()
    silent = MazeEnv()
    silent.reset(seed=0)
    assert silent.render() is None


# ------------------------------------------------------------------------------------------------ MazeNav-v0


def test_mazenav_random_fuzz():
    rng = np.random.default_rng(0)
    env = gym.make("DeepThink/MazeNav-v0", size=9, max_steps=60, render_mode="ansi")
    invalid = [-1, 4, 1.5, "up", None, True, np.array([1, 2]), np.float32(1.0)]
    steps = episodes = 0
    ends = set()
    while steps < 2500:
        obs, info = env.reset(seed=episodes)
        grid = env.unwrapped.grid
        episodes += 1
        done = False
        while not done:
            position = info["position"]
            mask = env.unwrapped.action_masks()
            assert np.array_equal(mask, info["action_mask"]) and np.array_equal(mask, _expected_mask(grid, position))
            assert obs[3, position[0], position[1]] == 1.0 and obs[3].sum() == 1.0
            if steps % 50 == 0:
                with pytest.raises(ValueError):
                    env.step(invalid[(steps // 50) % len(invalid)])
            action = int(rng.integers(4)) if rng.random() < 0.3 else int(rng.choice(np.flatnonzero(mask)))
            obs, reward, terminated, truncated, info = env.step(action)
            steps += 1
            moved = info["position"] != position
            assert (
                moved == mask[action]
                and abs(info["position"][0] - position[0]) + abs(info["position"][1] - position[1]) == moved
            )
            assert type(reward) is float and reward == (1.0 if terminated else -0.01)
            assert env.observation_space.contains(obs) and not (terminated and truncated)
            done = terminated or truncated
            if steps % 100 == 0:
                assert "@" in env.render()
        ends.add((terminated, truncated))
        with pytest.raises(RuntimeError):
            env.step(0)
    assert episodes > 30 and ends == {(True, False), (False, True)}


@pytest.mark.parametrize("size", [9, 13])
def test_mazenav_shortest_path_reaches_goal(size):
    env = gym.make("DeepThink/MazeNav-v0", size=size)
    for seed in range(5):
        obs, info = env.reset(seed=seed)
        grid = env.unwrapped.grid
        assert np.array_equal(obs[:3], mazes.COLOURS[grid].transpose(2, 0, 1))
        actions = _path_actions(grid)
        assert len(actions) == info["shortest_path_length"]
        rewards = []
        for index, action in enumerate(actions):
            _, reward, terminated, truncated, info = env.step(action)
            rewards.append(reward)
            assert terminated == (index == len(actions) - 1) and not truncated
        assert rewards == [-0.01] * (len(actions) - 1) + [1.0]
        assert grid[info["position"]] == mazes.GOAL and info["steps"] == info["shortest_path_length"]


def test_mazenav_walls_edges_masks_and_penalty():
    env = MazeNavEnv(size=3, step_penalty=0.5, render_mode="ansi")
    obs, info = env.reset(options={"maze": HOOK})
    assert info["position"] == (0, 0) and info["shortest_path_length"] == 6
    assert info["action_mask"].tolist() == [False, True, False, False]
    for action in (0, 2, 3):  # off the board, into the wall, off the board
        new_obs, reward, terminated, truncated, info = env.step(action)
        assert info["position"] == (0, 0) and reward == -0.5 and not (terminated or truncated)
        assert np.array_equal(new_obs, obs)
    assert info["steps"] == 3
    env.step(1)
    assert env.action_masks().tolist() == [False, True, False, True]
    env.step(1)
    assert env.action_masks().tolist() == [False, False, True, True]
    assert env.render().splitlines()[:3] == ["S.@", "##.", "G.."]
    env.unwrapped.grid[:] = 0  # a copy
    assert env.action_masks().any()


def test_mazenav_truncation():
    env = MazeNavEnv(size=3, max_steps=3)
    env.reset(options={"maze": HOOK})
    assert env.step(0)[3] is False and env.step(0)[3] is False
    _, reward, terminated, truncated, info = env.step(0)
    assert (reward, terminated, truncated, info["steps"]) == (-0.01, False, True, 3)
    with pytest.raises(RuntimeError):
        env.step(1)

    env = MazeNavEnv()  # the default cap: four times the open elements
    env.reset(seed=3)
    limit = 4 * int((env.grid != mazes.WALL).sum())
    blocked = int(np.flatnonzero(~env.action_masks())[0])
    for _ in range(limit - 1):
        assert not env.step(blocked)[3]
    assert env.step(blocked)[3] is True


def test_mazenav_reset_options():
    images, _ = mazes.generate(1, 9, 2)
    grid = mazes.generate_grid(9, np.random.default_rng(2))
    env = MazeNavEnv()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    obs, _ = env.reset(options={"maze": grid})
    assert np.array_equal(env.grid, grid) and obs[3][grid == mazes.START] == 1.0
    env.reset(options={"maze": images[0]})
    assert np.array_equal(env.grid, grid)  # the same seed draws the same maze in both views
    two_starts = grid.copy()
    two_starts[0, 0] = two_starts[0, 2] = mazes.START
    cut = HOOK.copy()
    cut[0, 1] = 0
    bad = [{"puzzle": grid}, {"maze": grid[:-2, :-2]}, {"maze": grid + 4}, {"maze": two_starts}]
    bad += [{"maze": None}, {"maze": "grid"}, {"maze": grid.astype(object)}, {"maze": images[0][:, :-2, :-2]}]
    for options in bad:
        with pytest.raises(ValueError):
            env.reset(options=options)
    with pytest.raises(ValueError, match="no path"):
        MazeNavEnv(size=3).reset(options={"maze": np.array([[2, 0, 1], [0, 0, 0], [3, 0, 1]])})


def test_mazenav_rgb_array():
    env = gym.make("DeepThink/MazeNav-v0", size=13, render_mode="rgb_array")
    env.reset(seed=0)
    picture = env.render()
    side = mazes.image_side(13)
    assert picture.shape == (side, side, 3) and picture.dtype == np.uint8
    row, col = np.argwhere(env.unwrapped.grid == mazes.START)[0]
    assert picture[3 + 2 * row, 3 + 2 * col].tolist() == [0, 0, 255]
