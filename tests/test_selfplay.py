"""Self-play: the same weights on both sides, a bounded replay buffer, outcomes as targets, resume."""

import chess
import numpy as np
import pytest
import torch

from agents.checkpoint import save_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.chess_policy import load_policy
from trainers.arena import GameRecord
from trainers.selfplay import ReplayBuffer, SelfPlayConfig, SelfPlayTrainer, game_samples


def test_game_samples_score_each_position_for_its_mover():
    moves = ["f2f3", "e7e5", "g2g4", "d8h4"]  # fool's mate: Black wins
    record = GameRecord(0, True, "a", "b", "0-1", 4, moves, "checkmate", False, chess.STARTING_FEN)
    planes, actions, outcomes = game_samples(record)
    assert planes.shape == (4, 19, 8, 8) and len(actions) == 4
    assert outcomes.tolist() == [-1, 1, -1, 1]


def test_replay_buffer_keeps_the_newest_positions_in_order():
    buffer = ReplayBuffer(5)
    for start in (0, 3, 6):
        values = np.arange(start, start + 3)
        buffer.add(np.zeros((3, 19, 8, 8), np.uint8), values, values.astype(np.float32))
    assert buffer.size == 5 and buffer.state()["actions"].tolist() == [4, 5, 6, 7, 8]
    restored = ReplayBuffer(5)
    restored.load(buffer.state())
    assert restored.state()["outcomes"].tolist() == [4, 5, 6, 7, 8]
    assert set(restored.sample(20, np.random.default_rng(0))[1]) <= {4, 5, 6, 7, 8}


def test_think_schedule_raises_the_budget():
    config = SelfPlayConfig(think_schedule=[[0, 4], [3, 8], [6, 16]])
    assert [config.think_at(r) for r in (0, 2, 3, 5, 6, 99)] == [4, 4, 8, 8, 16, 16]


@pytest.fixture
def start(tmp_path):
    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8, policy_width=8, value_width=8))
    return save_checkpoint(tmp_path / "start", net, {"problem": "chess_game", "recipe": {"max_iters": 2}})


def test_selfplay_rounds_train_resume_and_export(start, tmp_path, labelled_positions, monkeypatch):
    config = SelfPlayConfig(
        start=str(start),
        rounds=2,
        games=4,
        ply_cap=12,
        steps=2,
        batch_size=8,
        max_iters=2,
        anchor_data=str(labelled_positions),
        buffer_size=100,
        think_schedule=[[0, 1], [1, 2]],
    )
    before = {k: v.clone() for k, v in load_policy(start).net.state_dict().items()}
    progress = SelfPlayTrainer(config, tmp_path / "run", progress=False).run()
    assert progress["round"] == 2 and progress["games"] == 8 and progress["positions"] > 0
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == 2 and '"think": 2' in lines[1] and '"anchor_loss": 0.0' not in lines[0]
    resumed = SelfPlayTrainer(SelfPlayConfig(**{**config.__dict__, "rounds": 3}), tmp_path / "run", progress=False)
    with pytest.raises(ValueError, match="another config"):
        resumed.run()
    trainer = SelfPlayTrainer(config, tmp_path / "run", progress=False)
    assert trainer.run()["round"] == 2  # nothing left to do
    trained_on = progress["hardware"]
    monkeypatch.setattr("trainers.selfplay.hardware", lambda: "the exporting machine")
    policy = load_policy(trainer.export(tmp_path / "chess"))
    assert policy.card["selfplay"]["games"] == 8
    assert policy.card["selfplay"]["hardware"] == trained_on  # the machine that trained, not the exporter
    changed = any(not torch.equal(before[k], v) for k, v in policy.net.state_dict().items())
    assert changed
