"""The think-longer sweep: same weights at several budgets, rated jointly against a reference."""

import json

import chess
import pytest
import torch

from agents.checkpoint import save_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.chess_policy import load_policy
from puzzles.chess_game import read_openings
from trainers.tournament.think_longer import plot_think_curve, think_sweep


@pytest.fixture
def policy(tmp_path):
    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8, policy_width=8, value_width=8))
    return load_policy(save_checkpoint(tmp_path / "chess", net, {"problem": "chess_game", "recipe": {"max_iters": 2}}))


def test_sweep_rates_every_budget_against_the_reference(policy, tmp_path):
    openings = read_openings()[:2]
    matches, report = think_sweep(policy, [1, 2, 4], reference=2, openings=openings, ply_cap=12, progress=False)
    assert sorted(matches) == [1, 4]
    for think, match in matches.items():
        assert len(match.games) == 4 and match.player_a == f"think={think}"
        assert all(game.plies <= 12 for game in match.games)
    row = report["budgets"]["4"]
    assert row["match"]["games"] == 4 and row["fitted_error"] > 0
    json.dumps(report)
    plot_think_curve(report, tmp_path / "curve.png", "test")
    assert (tmp_path / "curve.png").stat().st_size > 1000


def test_sweep_needs_another_budget(policy):
    with pytest.raises(ValueError, match="other than the reference"):
        think_sweep(policy, [2], reference=2, openings=[chess.Board()], progress=False)


def test_search_budgets_are_rated_beside_thinking_at_equal_block_evaluations(policy, tmp_path):
    openings = read_openings()[:1]
    matches, report = think_sweep(
        policy, [4], reference=2, openings=openings, ply_cap=8, progress=False, searches=[0, 1, 3]
    )
    assert sorted(map(str, matches)) == ["('search', 1)", "('search', 3)", "4"]
    assert matches["search", 3].player_a == "think=2:search=3"
    assert report["budgets"]["4"]["block_evaluations"] == 4
    # think 2 and 1 + 3 searched positions a move: 8 block evaluations
    assert {s: r["block_evaluations"] for s, r in report["searches"].items()} == {"1": 4, "3": 8}
    assert all(r["match"]["games"] == 2 and r["fitted_error"] > 0 for r in report["searches"].values())
    plot_think_curve(report, tmp_path / "curve.png", "test")
    assert (tmp_path / "curve.png").stat().st_size > 1000


def test_search_budgets_are_simulations(policy):
    with pytest.raises(ValueError, match="simulations"):
        think_sweep(policy, [4], reference=2, openings=[chess.Board()], progress=False, searches=[-1])


def test_rate_chess_keeps_every_game_and_draws_the_ladder(policy, tmp_path):
    from trainers.tournament import rate_chess

    out = tmp_path / "out"
    argv = ["--checkpoint", str(tmp_path / "chess"), "--think", "2", "--search", "1", "--random-games", "2"]
    rate_chess.main([*argv, "--ladder", "random:seed=5", "--pairs", "1", "--ply-cap", "6", "--out", str(out)])
    report = json.loads((out / "chess_strength.json").read_text())
    assert report["search"] == 1 and list(report["levels"]) == ["random", "random:seed=5"]
    assert all(level["games"] == 2 for level in report["levels"].values())
    assert (out / "chess_strength.pgn").read_text().count("[Event ") == 4
    assert (out / "chess_strength.png").stat().st_size > 1000
