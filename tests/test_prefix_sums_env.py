"""DeepThink/PrefixSums-v0 and the shared one-shot environment behaviour of envs.solve."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import envs  # noqa: F401


@pytest.mark.parametrize("size", [1, 8, 32])
def test_checkers_pass(size):
    check_env(gym.make("DeepThink/PrefixSums-v0", size=size, render_mode="ansi").unwrapped)
    sb3_check_env(gym.make("DeepThink/PrefixSums-v0", size=size))


def test_exact_answer_scores_one_and_ends_the_episode():
    env = gym.make("DeepThink/PrefixSums-v0", size=16, render_mode="ansi")
    bits, info = env.reset(seed=3)
    _, reward, terminated, truncated, info = env.step(np.cumsum(bits) % 2)
    assert (reward, terminated, truncated, info["exact"]) == (1.0, True, False, True)
    assert "answer" in env.render()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(16, dtype=np.int8))


def test_partial_credit_is_the_fraction_of_right_bits():
    for partial, expected in ((False, 0.0), (True, 15 / 16)):
        env = gym.make("DeepThink/PrefixSums-v0", size=16, partial_credit=partial)
        bits, _ = env.reset(seed=0)
        answer = np.cumsum(bits) % 2
        answer[5] ^= 1
        _, reward, _, _, info = env.step(answer)
        assert reward == pytest.approx(expected) and not info["exact"]
        assert info["correct_fraction"] == pytest.approx(15 / 16)


def test_posed_puzzles_seeding_and_bad_input():
    env = gym.make("DeepThink/PrefixSums-v0", size=4)
    bits, _ = env.reset(options={"puzzle": [1, 0, 1, 1]})
    assert bits.tolist() == [1, 0, 1, 1]
    assert np.array_equal(env.reset(seed=9)[0], env.reset(seed=9)[0])
    with pytest.raises(ValueError, match="4-bit"):
        env.reset(options={"puzzle": [1, 0, 1]})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"bits": [1, 0, 1, 1]})
    env.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(5, dtype=np.int8))
    with pytest.raises(ValueError, match="action space"):
        env.step(np.full(4, 2))
    with pytest.raises(ValueError, match="positive number of bits"):
        gym.make("DeepThink/PrefixSums-v0", size=0)


def test_random_fuzz_never_raises():
    env = gym.make("DeepThink/PrefixSums-v0", size=12, partial_credit=True, render_mode="ansi")
    env.action_space.seed(0)
    for episode in range(2000):
        env.reset(seed=episode)
        _, reward, terminated, _, _ = env.step(env.action_space.sample())
        assert terminated and 0.0 <= reward <= 1.0
        env.render()
