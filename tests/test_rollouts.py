"""SolverPolicy and rollout evaluation through the environments."""

import json
from dataclasses import replace

import numpy as np
import pytest

from agents import load_solver
from agents.solver_policy import SolverPolicy
from puzzles.families import FAMILIES
from tests.helpers import ROOT, write_chess_puzzles
from trainers.commands import env_table, evaluate
from trainers.rollouts import evaluate_rollouts, wilson_interval


def test_wilson_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(50, 100)
    assert low < 0.5 < high and high - low == pytest.approx(0.19, abs=0.01)
    assert wilson_interval(100, 100)[1] == pytest.approx(1.0) and wilson_interval(100, 100)[0] > 0.95


def test_shipped_prefix_sums_policy_extrapolates_with_more_thinking():
    policy = SolverPolicy(load_solver("prefix_sums"), think=5)
    short = evaluate_rollouts("DeepThink/PrefixSums-v0", policy, episodes=40, num_envs=7, size=48)
    policy = SolverPolicy(load_solver("prefix_sums"), think=100)
    long = evaluate_rollouts("DeepThink/PrefixSums-v0", policy, episodes=40, num_envs=7, size=48)
    assert short["success_rate"] < 0.5 and long["success_rate"] == 1.0
    assert long["episodes"] == 40 and long["iterations_per_episode"] == 100
    assert long["mean_return"] == 1.0 and long["mean_steps"] == 1.0


def test_rollouts_are_reproducible_and_check_arguments():
    policy = SolverPolicy(load_solver("prefix_sums"), think=3)
    first = evaluate_rollouts("DeepThink/PrefixSums-v0", policy, episodes=20, num_envs=3, seed=5, size=40)
    second = evaluate_rollouts("DeepThink/PrefixSums-v0", policy, episodes=20, num_envs=6, seed=5, size=40)
    assert first["successes"] == second["successes"]
    with pytest.raises(ValueError, match="positive"):
        evaluate_rollouts("DeepThink/PrefixSums-v0", policy, episodes=0)


def test_solver_policy_rejects_a_bad_budget():
    with pytest.raises(ValueError, match="think"):
        SolverPolicy(load_solver("prefix_sums"), think=0)
    assert np.array_equal(
        SolverPolicy(load_solver("prefix_sums"), think=50).act(np.array([1, 1, 0], np.int8), None), [1, 0, 0]
    )


@pytest.mark.parametrize("env_id", ["DeepThink/Maze-v0", "DeepThink/MazeNav-v0"])
def test_shipped_maze_policy_solves_and_navigates_small_mazes(env_id):
    policy = SolverPolicy(load_solver("mazes"), think=30)
    report = evaluate_rollouts(env_id, policy, episodes=20, num_envs=8, size=9)
    assert report["success_rate"] == 1.0 and report["iterations_per_episode"] == 30
    if env_id.endswith("Nav-v0"):  # it walks its planned path: a few steps, not a wander to truncation
        assert 1 < report["mean_steps"] < 60


def test_sudoku_fill_policy_places_its_answer_cell_by_cell():
    from agents.networks import NetworkConfig, build_network
    from agents.problems import get_problem
    from agents.solver import Solver
    from envs.sudoku import SudokuFillEnv
    from tests.test_sudoku import EASY, EASY_SOLUTION

    class Oracle(Solver):  # a solver that knows the answer: the policy's bookkeeping is what is tested
        def solve(self, inputs, think=None, cap=None):
            self.calls += 1
            return np.stack([EASY_SOLUTION] * len(inputs))

    config = NetworkConfig(kind="dt", dims=2, in_channels=10, out_channels=9, width=8, blocks=1, geometry="sudoku")
    solver = Oracle(build_network(config), get_problem("sudoku"))
    solver.calls = 0
    policy = SolverPolicy(solver, think=4)
    env = SudokuFillEnv()
    observation, _ = env.reset(options={"puzzle": EASY})
    total, steps, done = 0.0, 0, False
    while not done:
        observation, reward, done, _, _ = env.step(policy.act(observation, env.action_space))
        total, steps = total + reward, steps + 1
    assert total == 1.0 and steps == int((EASY == 0).sum()) and solver.calls == 1


def test_the_sudoku_familys_rollouts_use_the_product_solver():
    from agents.sudoku_solver import WideSudokuSolver

    solver = load_solver(FAMILIES["sudoku"].checkpoint)  # what the env table and evaluate --env load
    assert isinstance(solver, WideSudokuSolver)
    policy = SolverPolicy(solver, think=30)
    report = evaluate_rollouts("DeepThink/SudokuFill-v0", policy, episodes=4, num_envs=2, givens=36)
    assert report["success_rate"] == 1.0 and report["iterations_per_episode"] >= 30


def shorter(keep):
    """The env table's families with their first ``keep`` levels only (for speed)."""
    families = env_table.table_families()
    return lambda: [replace(f, test_levels=f.test_levels[: keep - 1]) for f in families]


def test_env_table_script_writes_the_markdown_table(tmp_path, monkeypatch):
    monkeypatch.setattr(env_table, "table_families", shorter(2))
    env_table.main(["--episodes", "2", "--num-envs", "2", "--out", str(tmp_path)])
    table = (tmp_path / "env_table.md").read_text()
    assert "| prefix sums | `DeepThink/PrefixSums-v0` | `prefix_sums` solver" in table
    assert "| mazes | `DeepThink/MazeNav-v0` |" in table and "size 13" in table
    if not (ROOT / "checkpoints" / "chess_puzzles.safetensors").is_file():
        assert "- chess puzzles: no shipped checkpoint `chess_puzzles` yet" in table


def test_env_table_script_measures_only_the_families_asked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(env_table, "table_families", shorter(1))
    env_table.main(["--episodes", "2", "--num-envs", "2", "--families", "mazes", "--out", str(tmp_path)])
    table = (tmp_path / "env_table.md").read_text()
    assert "| mazes |" in table and "prefix sums" not in table and "Sudoku" not in table
    with pytest.raises(ValueError, match="unknown families"):
        env_table.main(["--families", "maze", "--out", str(tmp_path)])


def test_env_table_plays_held_out_chess_puzzles_and_notes_what_it_cannot(tmp_path, tiny_chess_solver):
    chess = FAMILIES["chess_puzzles"]
    assert chess in env_table.table_families() and chess.policy_env == "DeepThink/ChessPuzzle-v0"
    assert (chess.checkpoint, chess.knob, chess.levels) == ("chess_puzzles", "difficulty", (1, 2, 3, 4, 5))
    assert chess.level_kwargs(3) == {"split": "held_out", "difficulty": (3, 3)}
    csv = write_chess_puzzles(tmp_path / "puzzles.csv")  # held-out puzzles at difficulties 1 and 2 only
    played = replace(
        chess,
        checkpoint=str(tiny_chess_solver),
        test_levels=((1, 2), 3),
        test_env_kwargs={**chess.test_env_kwargs, "path": str(csv)},
    )
    no_data = replace(played, title="no data", test_env_kwargs={"path": str(tmp_path / "absent.csv")})
    args = env_table.Args(episodes=3, num_envs=2, out=str(tmp_path))
    env_table.write_env_table(args, [played, no_data], command="test")
    table = (tmp_path / "env_table.md").read_text()
    assert "| chess puzzles | `DeepThink/ChessPuzzle-v0` |" in table
    assert "| difficulty 1 |" in table and "| difficulty 1-2 |" in table and "difficulty 3 |" not in table
    assert "- chess puzzles, difficulty 3: left out (no puzzle" in table and "'held_out' split" in table
    assert "- no data: no such puzzle file" in table
    rows = json.loads((tmp_path / "env_table.json").read_text())["rows"]
    assert [r["env_kwargs"]["difficulty"] for r in rows] == [[1, 1], [1, 2]]
    assert all(r["env_kwargs"]["split"] == "held_out" and r["episodes"] == 3 for r in rows)


def test_evaluate_script_sweeps_budgets_over_held_out_chess_puzzle_levels(tmp_path, tiny_chess_solver, monkeypatch):
    import envs.chess_puzzles

    monkeypatch.setattr(envs.chess_puzzles, "SHIPPED_PUZZLES", write_chess_puzzles(tmp_path / "puzzles.csv"))
    argv = ["--checkpoint", str(tiny_chess_solver), "--env", "DeepThink/ChessPuzzle-v0", "--sizes", "1", "2"]
    evaluate.main([*argv, "--thinks", "1", "3", "--episodes", "4", "--num-envs", "2", "--out", str(tmp_path)])
    reports = json.loads((tmp_path / "best_rollouts.json").read_text())["reports"]
    assert [(r["think"], r["level"]) for r in reports] == [(1, 1), (1, 2), (3, 1), (3, 2)]
    for r in reports:
        assert r["env_kwargs"] == {"difficulty": [r["level"], r["level"]], "split": "held_out"}
        assert r["episodes"] == 4 and 0 <= r["success_rate"] <= 1
    assert (tmp_path / "best_rollouts.png").stat().st_size > 0
