"""Tests of ``DeepThink/Sudoku-v0`` and ``DeepThink/SudokuFill-v0`` (envs/sudoku.py): checkers, scoring, masks, fuzz."""

from __future__ import annotations

import itertools
import warnings

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from envs.sudoku import SudokuEnv, SudokuFillEnv, legal_mask
from puzzles import sudoku

IDS = ["DeepThink/Sudoku-v0", "DeepThink/SudokuFill-v0"]
# The puzzle of Wikipedia's "Sudoku" article and its solution.
PUZZLE = np.array(
    [[int(c) for c in row.replace(".", "0")] for row in "53..7.... 6..195... .98....6. 8...6...3 4..8.3..1 "
     "7...2...6 .6....28. ...419..5 ....8..79".split()],
    dtype=np.int8,
)  # fmt: skip
SOLUTION = np.array(
    [[int(c) for c in row] for row in "534678912 672195348 198342567 859761423 426853791 713924856 961537284 "
     "287419635 345286179".split()],
    dtype=np.int8,
)  # fmt: skip


@pytest.fixture(scope="module")
def pool() -> list[tuple[np.ndarray, np.ndarray]]:
    """A few generated (puzzle, solution) pairs to pose, so fuzzing does not pay for generation."""
    rng = np.random.default_rng(0)
    return [sudoku.make_puzzle(45, rng) for _ in range(4)]


def _two_solution_puzzle() -> np.ndarray:
    """SOLUTION with a 'deadly rectangle' a-b / b-a blanked (two rows of one band): exactly two solutions."""
    for r1, r2 in itertools.combinations(range(9), 2):
        for c1, c2 in itertools.combinations(range(9), 2):
            same_band, other_stacks = r1 // 3 == r2 // 3, c1 // 3 != c2 // 3
            a, b = SOLUTION[r1, c1], SOLUTION[r1, c2]
            if same_band and other_stacks and SOLUTION[r2, c2] == a and SOLUTION[r2, c1] == b:
                grid = SOLUTION.copy()
                grid[[r1, r1, r2, r2], [c1, c2, c1, c2]] = 0
                return grid
    raise AssertionError("no deadly rectangle in SOLUTION")


def _action(cell: int, digit: int) -> int:
    return 81 * (digit - 1) + cell


def _rule_mask(grid: np.ndarray) -> np.ndarray:
    """The legal placements by brute force over the rules, same layout as the env's mask."""
    mask = np.zeros(729, dtype=bool)
    flat = grid.reshape(81)
    for cell in range(81):
        if flat[cell]:
            continue
        for digit in range(1, 10):
            mask[_action(cell, digit)] = all(flat[peer] != digit for peer in sudoku.PEERS[cell])
    return mask


# ----------------------------------------------------------------------------------------------- both ids
def test_registered_spaces_and_arguments():
    env = gym.make("DeepThink/Sudoku-v0", givens=40)
    assert env.observation_space == gym.spaces.Box(0, 9, (9, 9), np.int8)
    assert env.action_space.shape == (9, 9) and (env.action_space.start == 1).all()
    assert (env.action_space.nvec == 9).all()
    fill = gym.make("DeepThink/SudokuFill-v0", givens=40)
    assert fill.observation_space == gym.spaces.Box(0, 9, (9, 9), np.int8)
    assert fill.action_space == gym.spaces.Discrete(729)
    for bad in (16, 82, True, 36.0, "36"):
        with pytest.raises(ValueError, match="givens"):
            SudokuEnv(givens=bad)
    with pytest.raises(ValueError, match="givens"):
        SudokuFillEnv(givens=81)  # nothing to fill
    with pytest.raises(ValueError, match="render_mode"):
        SudokuEnv(render_mode="human")
    with pytest.raises(ValueError, match="render_mode"):
        SudokuFillEnv(render_mode="human")
    with pytest.raises(ValueError, match="partial_credit"):
        SudokuEnv(partial_credit=1)
    with pytest.raises(ValueError, match="illegal_action"):
        SudokuFillEnv(illegal_action="ignore")


@pytest.mark.parametrize("env_id", IDS)
def test_gymnasium_env_checker(env_id):
    from gymnasium.utils.env_checker import check_env

    env = gym.make(env_id, givens=45, render_mode="ansi")
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_sb3_env_checker(env_id):
    sb3_checker = pytest.importorskip("stable_baselines3.common.env_checker")
    env = gym.make(env_id, givens=45)
    with warnings.catch_warnings():
        # SB3 warns about the (9, 9) observation and about Sudoku-v0's 2-D MultiDiscrete with start=1 (documented)
        warnings.simplefilter("ignore")
        sb3_checker.check_env(env)
    env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_generation_is_seeded_with_the_givens(env_id):
    env = gym.make(env_id, givens=45)
    first, _ = env.reset(seed=3)
    again, _ = env.reset(seed=3)
    other, _ = env.reset(seed=4)
    assert first.dtype == np.int8 and first.shape == (9, 9) and int((first > 0).sum()) == 45
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    sudoku.validate(first)  # a unique solution


@pytest.mark.parametrize("env_id", IDS)
def test_reset_options_are_checked(env_id):
    env = gym.make(env_id)
    with pytest.raises(ValueError, match="several solutions"):
        env.reset(options={"puzzle": _two_solution_puzzle()})
    contradiction = PUZZLE.copy()
    contradiction[0, 2] = 5
    for puzzle, match in [
        (PUZZLE[:8], "shape"),
        (PUZZLE.reshape(81), "shape"),
        (np.where(PUZZLE == 9, 10, PUZZLE), "0 \\(blank\\) to 9"),
        (PUZZLE.astype(float), "integers"),
        (contradiction, "contradiction"),
        (np.zeros((9, 9), int), "several solutions"),
    ]:
        with pytest.raises(ValueError, match=match):
            env.reset(options={"puzzle": puzzle})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"puzzle": PUZZLE, "givens": 30})
    obs, _ = env.reset(options={"puzzle": PUZZLE.tolist()})
    assert np.array_equal(obs, PUZZLE) and np.array_equal(env.unwrapped.solution, SOLUTION)


# ----------------------------------------------------------------------------------------------- Sudoku-v0
@pytest.mark.parametrize("partial_credit", [False, True])
def test_sudoku_solution_scores_one(partial_credit):
    env = gym.make("DeepThink/Sudoku-v0", partial_credit=partial_credit, render_mode="ansi")
    env.reset(options={"puzzle": PUZZLE})
    obs, reward, terminated, truncated, info = env.step(SOLUTION.astype(np.int64))
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert info["exact"] and info["correct_fraction"] == 1.0
    assert np.array_equal(info["solution"], SOLUTION) and np.array_equal(obs, PUZZLE)
    assert "exact" in env.render()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(SOLUTION)


@pytest.mark.parametrize("partial_credit", [False, True])
def test_sudoku_changing_a_given_scores_zero(partial_credit):
    env = gym.make("DeepThink/Sudoku-v0", partial_credit=partial_credit)
    env.reset(options={"puzzle": PUZZLE})
    answer = SOLUTION.copy()
    answer[0, 0] = 1 if answer[0, 0] != 1 else 2  # a given, every blank right
    _, reward, terminated, _, info = env.step(answer)
    assert reward == 0.0 and terminated and not info["exact"] and info["correct_fraction"] == 0.0


def test_sudoku_partial_credit():
    blanks = int((PUZZLE == 0).sum())
    answer = SOLUTION.copy()
    wrong = np.argwhere(PUZZLE == 0)[:3]
    answer[wrong[:, 0], wrong[:, 1]] = answer[wrong[:, 0], wrong[:, 1]] % 9 + 1
    for partial_credit, expected in [(False, 0.0), (True, (blanks - 3) / blanks)]:
        env = gym.make("DeepThink/Sudoku-v0", partial_credit=partial_credit, render_mode="ansi")
        env.reset(options={"puzzle": PUZZLE})
        _, reward, _, _, info = env.step(answer)
        assert reward == pytest.approx(expected) and not info["exact"]
        assert info["correct_fraction"] == pytest.approx((blanks - 3) / blanks)
        assert env.render().count("[") == 3  # the three wrong cells are marked


def test_sudoku_fuzz_random_and_malformed_answers(pool):
    env = gym.make("DeepThink/Sudoku-v0", partial_credit=True)
    env.action_space.seed(0)
    rng = np.random.default_rng(0)
    malformed = [
        lambda a: a[:8],
        lambda a: a.reshape(81),
        lambda a: a[0, 0],
        lambda a: np.where(a == a[0, 0], 0, a),
        lambda a: np.where(a == a[0, 0], 10, a),
        lambda a: -a,
        lambda a: np.full((9, 9), "x"),
        lambda a: None,
    ]
    steps = 0
    for index in range(400):
        puzzle, solution = pool[index % len(pool)]
        env.reset(options={"puzzle": puzzle})
        answer = env.action_space.sample()
        for bad in range(4):
            with pytest.raises(ValueError):
                env.step(malformed[(4 * index + bad) % len(malformed)](answer))  # the episode stays open
        if index % 10 == 0:
            answer = np.where(rng.random((9, 9)) < 0.5, solution, answer)
        _, reward, terminated, _, info = env.step(answer)
        steps += 5
        assert 0.0 <= reward <= 1.0 and terminated
        assert set(info) == {"exact", "correct_fraction", "solution"}
        assert reward == (1.0 if info["exact"] else info["correct_fraction"])
    assert steps >= 2000


# ----------------------------------------------------------------------------------------------- SudokuFill-v0
def test_fill_solution_digit_by_digit_reaches_plus_one():
    env = gym.make("DeepThink/SudokuFill-v0", givens=40, render_mode="ansi")
    obs, info = env.reset(seed=1)
    solution = env.unwrapped.solution
    assert info["givens"] == 40 and info["filled"] == 40 and not info["illegal"]
    blanks = np.flatnonzero(obs.reshape(81) == 0)
    assert len(blanks) == 81 - 40
    for step, cell in enumerate(blanks, start=1):
        action = _action(int(cell), int(solution.reshape(81)[cell]))
        assert env.unwrapped.action_masks()[action]
        obs, reward, terminated, truncated, info = env.step(action)
        last = step == len(blanks)
        assert (reward, terminated, truncated) == (1.0 if last else 0.0, last, False)
        assert info["filled"] == 40 + step
    assert np.array_equal(obs, solution) and not info["action_mask"].any()
    assert "filled 81/81" in env.render()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_fill_illegal_actions_end_with_minus_one(pool):
    puzzle, solution = pool[0]
    env = gym.make("DeepThink/SudokuFill-v0")
    given = int(np.flatnonzero(puzzle.reshape(81))[0])
    blank = int(np.flatnonzero(puzzle.reshape(81) == 0)[0])
    repeated = next(d for d in range(1, 10) if d in puzzle.reshape(81)[list(sudoku.PEERS[blank])])
    mask = legal_mask(puzzle)
    assert not mask[_action(given, int(puzzle.reshape(81)[given]))] and not mask[_action(blank, repeated)]
    for action in [
        _action(given, int(puzzle.reshape(81)[given])),  # a filled cell, even with its own digit
        _action(blank, repeated),  # a digit already among the cell's peers
    ]:
        env.reset(options={"puzzle": puzzle})
        obs, reward, terminated, truncated, info = env.step(action)
        assert (reward, terminated, truncated, info["illegal"]) == (-1.0, True, False, True)
        assert np.array_equal(obs, puzzle) and not env.unwrapped.action_masks().any()
        with pytest.raises(RuntimeError):
            env.step(0)
    with pytest.raises(RuntimeError):
        SudokuFillEnv().step(0)  # before reset


@pytest.mark.parametrize(
    "action, error",
    [(729, ValueError), (-1, ValueError), (10**12, ValueError), (1.5, TypeError), (float("nan"), TypeError)]
    + [("7", TypeError), (None, TypeError), (True, TypeError), (np.array([1, 2]), TypeError)],
)
def test_fill_refuses_an_action_outside_the_action_space_and_goes_on(pool, action, error):
    puzzle, _ = pool[0]
    env = gym.make("DeepThink/SudokuFill-v0")
    _, info = env.reset(options={"puzzle": puzzle})
    with pytest.raises(error, match=r"0\.\.728"):
        env.step(action)
    _, _, terminated, _, info = env.step(int(np.flatnonzero(info["action_mask"])[0]))
    assert not info["illegal"] and info["filled"] == int((puzzle > 0).sum()) + 1


def test_fill_mask_does_not_reveal_the_solution(pool):
    puzzle, solution = pool[1]
    env = gym.make("DeepThink/SudokuFill-v0")
    _, info = env.reset(options={"puzzle": puzzle})
    legal = info["action_mask"].reshape(9, 81)  # (digit - 1, cell)
    cell = int(np.flatnonzero(legal.sum(0) >= 2)[0])
    wrong = next(d + 1 for d in np.flatnonzero(legal[:, cell]) if d + 1 != solution.reshape(81)[cell])
    _, reward, terminated, _, info = env.step(_action(cell, wrong))  # legal by the rules, not the solution
    assert reward == 0.0 and not terminated and not info["illegal"]


def test_fill_wrong_placements_reach_a_dead_end(pool):
    puzzle, solution = pool[2]
    env = gym.make("DeepThink/SudokuFill-v0")
    _, info = env.reset(options={"puzzle": puzzle})
    terminated, steps = False, 0
    while not terminated:
        actions = np.flatnonzero(info["action_mask"])
        right = solution.reshape(81)[actions % 81] == actions // 81 + 1
        action = int(actions[~right][0]) if (~right).any() else int(actions[0])
        obs, reward, terminated, truncated, info = env.step(action)
        steps += 1
    assert reward == 0.0 and not truncated and not info["illegal"] and (obs == 0).any()
    assert not info["action_mask"].any() and steps < 81 - 45


def test_fill_fuzz_random_and_masked_actions(pool):
    env = gym.make("DeepThink/SudokuFill-v0")
    env.action_space.seed(0)
    rng = np.random.default_rng(0)
    counts = {"random": 0, "masked": 0}
    for mode in counts:
        episodes = 0
        _, info = env.reset(options={"puzzle": pool[0][0]})
        while counts[mode] < (500 if mode == "random" else 1500):  # random actions mostly end at once
            mask = env.unwrapped.action_masks()
            assert np.array_equal(mask, info["action_mask"])
            if counts[mode] % 50 == 0:
                assert np.array_equal(mask, _rule_mask(env.unwrapped.grid))
            action = env.action_space.sample() if mode == "random" else int(rng.choice(np.flatnonzero(mask)))
            obs, reward, terminated, truncated, info = env.step(action)
            counts[mode] += 1
            sudoku.check_grid(obs)  # a placement the mask allows never breaks the rules
            assert reward in (-1.0, 0.0, 1.0) and not truncated and (reward == -1.0) == info["illegal"]
            assert (reward == -1.0) == (not mask[action])
            if terminated:
                episodes += 1
                _, info = env.reset(options={"puzzle": pool[episodes % len(pool)][0]})
        assert episodes > 5
    assert sum(counts.values()) >= 2000


def test_fill_is_deterministic_under_a_seed():
    def trajectory(seed: int) -> list:
        env = gym.make("DeepThink/SudokuFill-v0", givens=45)
        obs, info = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        out = [obs.tobytes()]
        for _ in range(20):
            obs, reward, terminated, _, info = env.step(int(rng.choice(np.flatnonzero(info["action_mask"]))))
            out.append((obs.tobytes(), reward, terminated))
            if terminated:
                break
        return out

    assert trajectory(5) == trajectory(5)
    assert trajectory(5)[0] != trajectory(6)[0]


def test_fill_reset_rejects_a_complete_grid_and_masks_match_the_rules():
    env = gym.make("DeepThink/SudokuFill-v0", render_mode="ansi")
    with pytest.raises(ValueError, match="no blank"):
        env.reset(options={"puzzle": SOLUTION})
    obs, info = env.reset(options={"puzzle": PUZZLE})
    assert np.array_equal(info["action_mask"], _rule_mask(PUZZLE)) and info["givens"] == int((PUZZLE > 0).sum())
    assert np.array_equal(legal_mask(SOLUTION), np.zeros(729, bool))
    assert "filled 30/81" in env.render()
