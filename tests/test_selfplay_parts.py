"""Self-play parts: the actors' games and samples, the replay buffer, the learner, the Elo table, the recipe."""

import json

import chess
import numpy as np
import pytest
import torch

from agents.chess_network import ChessNetwork, ChessNetworkConfig
from puzzles.chess_encoding import encode_move
from puzzles.chess_game import game_planes
from trainers.chess_supervised import to_input
from trainers.selfplay.actors import PlaySettings, SelfPlayActor, store_planes, weights_of
from trainers.selfplay.buffer import FIELDS, ReplayBuffer, load_buffer, save_buffer
from trainers.selfplay.config import RunOptions, SelfPlayConfig
from trainers.selfplay.evaluator import EloTable
from trainers.selfplay.learner import Learner, LearnSettings, policy_value_loss

TINY = {"width": 8, "policy_width": 8, "value_width": 8}


@pytest.fixture
def tiny_net():
    torch.manual_seed(0)
    return ChessNetwork(ChessNetworkConfig(**TINY))


def play_games(net, count=2, ply_cap=12, concurrent=2):
    actor = SelfPlayActor(PlaySettings(1, 3, 3, 1.0, concurrent, ply_cap), net.config.to_dict(), 7, [0])
    actor.set_weights(4, weights_of(net))
    games = []
    while len(games) < count:
        games.extend(actor.step())
    return games


def test_actor_games_carry_consistent_samples(tiny_net):
    games = play_games(tiny_net)
    for game in games:
        assert game.actor == 7 and game.generation == 4 and game.plies == len(game.planes) <= 12
        board = chess.Board(game.start_fen)
        for i, uci in enumerate(game.moves):
            legal = game.legal[i][game.legal[i] >= 0]
            assert sorted(legal) == sorted(encode_move(board, m) for m in board.legal_moves)
            assert game.targets[i][: len(legal)].sum() == pytest.approx(1.0, abs=1e-2)
            assert not game.targets[i][len(legal) :].any()
            assert (game.planes[i] == store_planes(game_planes(board))).all()
            sign = 1 if board.turn == chess.WHITE else -1
            expected = {"1-0": sign, "0-1": -sign, "1/2-1/2": 0}[game.result]
            assert game.outcomes[i] == expected
            board.push_uci(uci)
    with pytest.raises(RuntimeError, match="weights"):
        SelfPlayActor(PlaySettings(1, 1, 1, 1.0, 1, 4), tiny_net.config.to_dict(), 0, [0]).step()


def positions(values):
    count = len(values)
    arrays = {name: np.zeros((count, *shape), dtype) for name, (shape, dtype) in FIELDS.items()}
    arrays["outcomes"] = np.asarray(values, np.float32)
    return arrays


def test_replay_buffer_keeps_the_newest_positions_and_saves_them(tmp_path):
    buffer = ReplayBuffer(5)
    for start in (0, 3, 6):
        buffer.add(positions(range(start, start + 3)))
    assert len(buffer) == 5 and buffer.added == 9
    assert buffer.state()["outcomes"].tolist() == [4, 5, 6, 7, 8]
    save_buffer(tmp_path / "buffer.npz", buffer.state())
    restored = ReplayBuffer(5)
    restored.load_state(load_buffer(tmp_path / "buffer.npz"))
    assert restored.state()["outcomes"].tolist() == [4, 5, 6, 7, 8] and restored.added == 9
    first, again = restored.sample(20, [1, 2]), restored.sample(20, [1, 2])
    assert set(first["outcomes"]) <= {4, 5, 6, 7, 8} and (first["outcomes"] == again["outcomes"]).all()
    with pytest.raises(ValueError, match="missing"):
        buffer.add({"outcomes": np.zeros(1, np.float32)})
    with pytest.raises(ValueError, match="empty"):
        ReplayBuffer(3).sample(1, [0])


def test_policy_loss_sees_only_the_legal_moves():
    logits = torch.randn(2, 4672)
    legal = torch.tensor([[3, 9, -1], [5, -1, -1]], dtype=torch.int16)
    targets = torch.tensor([[0.25, 0.75, 0.0], [1.0, 0.0, 0.0]])
    outcomes, value = torch.zeros(2), torch.zeros(2)
    base, _, entropy = policy_value_loss(logits, value, legal, targets, outcomes)
    logits[:, 100:] += 50.0  # illegal moves only
    assert policy_value_loss(logits, value, legal, targets, outcomes)[0] == pytest.approx(base.item())
    expected = -(0.25 * torch.log_softmax(logits[0, [3, 9]], 0)[0] + 0.75 * torch.log_softmax(logits[0, [3, 9]], 0)[1])
    assert base.item() == pytest.approx(expected.item() / 2, rel=1e-5)  # the second row's loss is 0
    assert entropy.item() == pytest.approx(-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)) / 2, rel=1e-5)


def test_learner_fits_the_targets_and_resumes_exactly(tiny_net):
    buffer = ReplayBuffer(500)
    for game in play_games(tiny_net, count=2):
        game.targets[:] = 0
        game.targets[:, 0] = 1  # a sharp target: the first legal move
        buffer.add_games([game])
    settings = LearnSettings(think=2, batch_size=16, lr=1e-2, weight_decay=0.0, clip=1.0, value_weight=1.0, seed=0)
    learner = Learner(settings, tiny_net.config.to_dict(), weights_of(tiny_net), buffer.sample)
    everything = {k: torch.from_numpy(v) for k, v in buffer.state().items()}

    def loss() -> float:
        with torch.no_grad():
            logits, value, _ = learner.net(to_input(everything["planes"].numpy()), 2)
            policy, _, entropy = policy_value_loss(
                logits, value, everything["legal"], everything["targets"], everything["outcomes"]
            )
        return (policy - entropy).item()

    before = loss()
    learner.train(20)
    assert loss() < before - 0.5  # closer to the targets
    copy = Learner(settings, tiny_net.config.to_dict(), weights_of(tiny_net), buffer.sample)
    copy.load_state(learner.state())
    assert learner.train(2) == copy.train(2)  # same weights, optimiser, generator and batches


def test_elo_table_rates_generations_against_generation_zero():
    def row(generation, a, b, penta, wins, draws, losses):
        match = {"wins": wins, "draws": draws, "losses": losses}
        return {"generation": generation, "a": a, "b": b, "games": 2 * sum(penta), "score": wins + draws / 2,
                "pentanomial": penta, "match": match}  # fmt: skip

    table = EloTable()
    assert table.latest() is None and table.ratings() == []
    table.add([row(1, "gen 1", "gen 0", [0, 1, 2, 4, 3], 12, 6, 2)])
    table.add([row(2, "gen 2", "gen 0", [0, 0, 2, 4, 4], 14, 5, 1), row(2, "gen 2", "gen 1", [1, 2, 4, 2, 1], 8, 4, 8)])
    ratings = {r["player"]: r for r in table.ratings()}
    assert ratings["gen 0"]["elo"] == 0 and ratings["gen 2"]["low"] > 0
    assert table.latest()["player"] == "gen 2" and table.evaluated() == [1, 2]
    pooled = table.head_to_head("gen 0", "gen 2")
    assert (pooled.wins, pooled.draws, pooled.losses) == (1, 5, 14) and pooled.pentanomial == (4, 4, 2, 0, 0)
    assert EloTable.from_dict(json.loads(json.dumps(table.to_dict()))).ratings() == table.ratings()


def test_recipe_and_options_are_checked():
    with pytest.raises(ValueError, match="search"):
        SelfPlayConfig(search=0)
    with pytest.raises(TypeError, match="think"):
        SelfPlayConfig(think=2.5)
    with pytest.raises(ValueError, match="min_buffer"):
        SelfPlayConfig(buffer_size=10, min_buffer=20)
    with pytest.raises(ValueError, match="unknown"):
        SelfPlayConfig.from_dict({"rounds": 3})
    with pytest.raises(ValueError, match="backend"):
        RunOptions(backend="threads")
    with pytest.raises(ValueError, match="ray"):
        RunOptions(backend="process", address="auto")
    assert RunOptions(workers=0).actors >= 1 and RunOptions(backend="inline").actors == 1
