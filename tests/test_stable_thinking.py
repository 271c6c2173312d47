"""Training for thought that stays put: a normalised thought, a penalty on its change, and the stable recipes, which
train at a random depth with truncated backpropagation from a detached thought."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from agents import NetworkConfig, build_network
from agents.checkpoint import load_checkpoint, save_checkpoint
from agents.networks import rms_normalise
from agents.problems import get_problem
from trainers.progressive import relative_change, thinking_loss
from trainers.recipes import RECIPES, get_recipe
from trainers.supervised import TrainConfig, Trainer


def test_a_normalised_thought_has_unit_root_mean_square_at_every_position_and_survives_a_checkpoint(tmp_path):
    torch.manual_seed(0)
    net = build_network(NetworkConfig(width=8, blocks=1, state_norm=True)).eval()
    x = get_problem("prefix_sums").encode(np.random.default_rng(0).integers(0, 2, (3, 10)))
    for _, state in net.iterate(x, 20):
        assert torch.allclose(state.pow(2).mean(dim=1), torch.ones(3, 10), atol=1e-2)  # eps 1e-6 in the root
    plain = build_network(NetworkConfig(width=8, blocks=1))
    plain.load_state_dict(net.state_dict())  # no parameters of its own: the same weights fit both
    assert not torch.allclose(plain(x, 20)[0], net(x, 20)[0])
    loaded, _ = load_checkpoint(save_checkpoint(tmp_path / "normed", net, {"name": "normed", "problem": "prefix_sums"}))
    assert loaded.config.state_norm and torch.equal(loaded(x, 5)[0], net(x, 5)[0])
    with pytest.raises(TypeError, match="state_norm must be true or false"):
        NetworkConfig(state_norm="yes")


def test_rms_normalise_is_per_position():
    state = torch.tensor([[[3.0, 0.0], [4.0, 2.0]]])  # (batch 1, channels 2, positions 2)
    expected = torch.tensor([[[3.0, 0.0], [4.0, 2.0]]]) / torch.tensor([[[12.5**0.5, 2.0**0.5]]])
    assert torch.allclose(rms_normalise(state), expected, atol=1e-5)


def test_relative_change():
    before = torch.tensor([[3.0, 4.0], [1.0, 0.0]])
    assert relative_change(before, before) == 0
    after = torch.tensor([[3.0, 4.0], [2.0, 0.0]])  # sample 1 unchanged, sample 2 moved by its own norm
    assert torch.isclose(relative_change(before, after), torch.tensor(0.5), atol=1e-5)


def test_the_change_penalty_is_added_to_the_loss_and_a_step_against_it_shrinks_the_change():
    torch.manual_seed(0)
    problem = get_problem("prefix_sums")
    net = build_network(NetworkConfig(width=8, blocks=1))
    inputs, targets = problem.generate(16, 8, np.random.default_rng(0))
    x, y = problem.encode(inputs), problem.encode_target(targets)
    _, parts = thinking_loss(net, x, y, None, 1.0, 6, np.random.default_rng(3), unroll=(12, 4), change_penalty=2.0)
    assert {"change", "loss_progressive"} <= set(parts)
    assert np.isclose(parts["loss"], parts["loss_progressive"] + 2.0 * parts["change"], rtol=1e-5)
    # Without the penalty the same draw scores the same logits (the split run is the same computation).
    _, plain_parts = thinking_loss(net, x, y, None, 1.0, 6, np.random.default_rng(3), unroll=(12, 4))
    assert np.isclose(plain_parts["loss"], parts["loss_progressive"], rtol=1e-5)

    def change() -> torch.Tensor:
        _, before = net(x, 9)
        _, after = net(x, 1, before, start=9)
        return relative_change(before, after)

    start = float(change().detach())
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3)
    for _ in range(3):
        optimizer.zero_grad()
        change().backward()
        optimizer.step()
    assert float(change().detach()) < start


def test_the_stability_settings_are_checked():
    with pytest.raises(ValueError, match="change_penalty must be at least 0"):
        TrainConfig(change_penalty=-1.0)
    with pytest.raises(ValueError, match="needs a recurrent network"):
        TrainConfig(change_penalty=0.1, network={"kind": "ff"})
    with pytest.raises(ValueError, match="alpha > 0"):
        TrainConfig(change_penalty=0.1, alpha=0.0)


@pytest.mark.parametrize("name", ["prefix_sums_stable", "mazes_stable"])
def test_the_stable_recipes_unroll_at_a_random_depth_far_past_the_training_regime(name):
    recipe = RECIPES[name]
    assert recipe.depth == "random" and recipe.alpha > 0 and recipe.max_depth >= 8 * recipe.max_iters
    assert recipe.unroll == (recipe.max_depth, recipe.bptt)


def test_a_tiny_stable_run_trains_with_every_option_and_resumes(tmp_path):
    config = get_recipe(
        "prefix_sums_tiny",
        epochs=1,
        depth="random",
        max_depth=24,
        bptt=3,
        change_penalty=0.1,
        network={"state_norm": True},
    )
    first = Trainer(config, tmp_path, progress=False)
    first.run()
    resumed = Trainer(replace(config, change_penalty=0.2), tmp_path, progress=False)
    with pytest.raises(ValueError, match="another config"):
        resumed.run()  # a changed recipe is refused ...
    same = Trainer(config, tmp_path, progress=False)
    assert same.run()["epoch"] == 1  # ... and the same one resumes: nothing left to do
    net, card = load_checkpoint(tmp_path / "best")
    assert net.config.state_norm and card["recipe"]["change_penalty"] == 0.1
