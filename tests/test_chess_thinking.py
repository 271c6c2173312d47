"""The chess trainer that makes iterations count: depths, ladder rungs, legal-move masks, resume."""

import numpy as np
import pytest
import torch

from agents.chess_policy import load_policy
from puzzles.chess_ladder import LadderConfig, chunk_split, generate_ladder
from trainers.chess_thinking import ThinkingChessConfig, ThinkingChessTrainer, load_split

SMALL = LadderConfig(budgets=(8, 64, 256), opening_plies=(2, 4), opening_nodes=32, max_ply=30)


@pytest.fixture(scope="module")
def ladder(tmp_path_factory):
    """Twenty one-game chunks: chunk 18 is the test split, 19 the validation split."""
    folder = tmp_path_factory.mktemp("ladder")
    generate_ladder(folder, 20, 1, seed=0, config=SMALL)
    return folder


def tiny(ladder, **changes):
    base = dict(data=str(ladder), chunks=20, network={"width": 8, "blocks": 1, "norm": True}, steps=6, batch_size=16)
    base |= dict(warmup_steps=1, max_depth=6, bptt=2, rung_starts=(1, 2, 4), eval_every=3, save_every=1)
    return ThinkingChessConfig(**{**base, **changes})


def test_unrolls_reach_the_tail_and_score_the_last_iterations():
    config = ThinkingChessConfig(max_depth=64, bptt=4)
    rng = np.random.default_rng(0)
    draws = [config.unroll(rng) for _ in range(2000)]
    depths = np.array([free + len(scored) for free, scored in draws])
    assert depths.min() == 1 and depths.max() == 64 and np.median(depths) < 16  # log-uniform: mostly shallow
    assert all(scored == list(range(free + 1, free + len(scored) + 1)) for free, scored in draws)
    progressive = ThinkingChessConfig(depth="progressive", max_iters=8)
    for free, scored in (progressive.unroll(rng) for _ in range(200)):
        assert len(scored) == 1 and free < scored[0] <= 8


def test_later_iterations_learn_deeper_rungs():
    ladder = ThinkingChessConfig(rung_starts=(1, 3, 6, 12, 24))
    assert [ladder.rung(t) for t in (1, 2, 3, 5, 6, 11, 12, 23, 24, 200)] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    top = ThinkingChessConfig(targets="top")
    assert {top.rung(t) for t in (1, 8, 64)} == {4}
    with pytest.raises(ValueError, match="rise from 1"):
        ThinkingChessConfig(rung_starts=(2, 4))


def test_splits_hold_whole_chunks_and_masks_hold_every_target(ladder):
    assert [chunk_split(i) for i in (0, 17, 18, 19, 38, 39)] == ["training"] * 2 + ["test", "validation"] * 2
    train = load_split(ladder, 20, "training", 0.5)
    val = load_split(ladder, 20, "validation", 0.5)
    assert len(train) > len(val) > 0 and train.actions.shape[1] == 3
    masks = train.masks(np.arange(len(train)))
    assert masks[np.arange(len(train))[:, None], train.actions].all()  # every rung's move is legal
    assert ((-1 <= train.values) & (train.values <= 1)).all()
    with pytest.raises(ValueError, match="hold no validation chunk"):
        load_split(ladder, 19, "validation", 0.5)
    with pytest.raises(FileNotFoundError, match="lacks"):
        load_split(ladder, 21, "training", 0.5)  # chunk 20 does not exist


def test_training_resumes_to_the_same_weights_and_keeps_the_best(ladder, tmp_path):
    straight = ThinkingChessTrainer(tiny(ladder), tmp_path / "straight", progress=False)
    assert straight.run()["step"] == 6
    interrupted = ThinkingChessTrainer(tiny(ladder, steps=6), tmp_path / "split", progress=False)
    # Stop after step 4 (a kill between saves), then let a fresh trainer resume the folder.
    original = interrupted.optimizer.step
    calls = {"n": 0}

    def step_then_stop(*args, **kwargs):
        original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt

    interrupted.optimizer.step = step_then_stop
    with pytest.raises(KeyboardInterrupt):
        interrupted.run()
    resumed = ThinkingChessTrainer(tiny(ladder), tmp_path / "split", progress=False)
    assert resumed.run()["step"] == 6
    for name, tensor in straight.net.state_dict().items():
        torch.testing.assert_close(tensor, resumed.net.state_dict()[name], rtol=0, atol=0, msg=name)
    metrics = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    assert len(metrics) == 2  # steps 3 and 6, none repeated
    assert (tmp_path / "split" / "best.safetensors").is_file()
    exported = resumed.export(tmp_path / "chess")
    assert load_policy(exported).net.config.norm  # the normalised network loads through the checked loader


def test_a_time_limit_stops_after_saving_and_the_run_resumes(ladder, tmp_path):
    stopped = ThinkingChessTrainer(tiny(ladder), tmp_path / "run", progress=False, max_seconds=0.0)
    assert stopped.run()["step"] == 0  # out of time before the first step: it saved and stopped
    assert (tmp_path / "run" / "state.pt").is_file()
    resumed = ThinkingChessTrainer(tiny(ladder), tmp_path / "run", progress=False)
    assert resumed.run()["step"] == 6


def test_a_normalised_thought_stays_bounded_over_long_unrolls():
    from agents.chess_network import ChessNetwork, ChessNetworkConfig

    x = torch.rand(4, 19, 8, 8)
    for norm in (False, True):
        net = ChessNetwork(ChessNetworkConfig(width=16, norm=norm))
        with torch.no_grad():  # a recurrent map that doubles the thought, as training can make one
            net.recall.weight.zero_()
            net.recall.weight[:, :16, 1, 1] = 2 * torch.eye(16)
            for block in net.stage:
                block.conv1.weight.zero_()
            sizes = [state.abs().max().item() for _, _, state in net.iterate(x, 64)]
        if norm:
            assert max(sizes) < 20
        else:
            assert sizes[-1] > 1e15 * sizes[0]
