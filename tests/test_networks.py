import pytest
import torch

from agents.networks import NetworkConfig, build_network


def count(net):
    return sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize(
    "config, params",
    [  # the reference implementation's parameter counts
        (NetworkConfig(dims=1, in_channels=1, width=400, recall=True), 3_123_600),
        (NetworkConfig(dims=2, in_channels=3, width=128, recall=True), 783_504),
        (NetworkConfig(dims=2, in_channels=3, width=128, recall=False), 632_592),
        (NetworkConfig(dims=2, in_channels=12, width=512, recall=True), 12_056_976),
    ],
)
def test_parameter_counts_match_the_original(config, params):
    assert count(build_network(config)) == params


def test_no_biases_and_no_normalisation():
    net = build_network(NetworkConfig(dims=2, in_channels=3, width=16))
    assert all(not name.endswith("bias") for name, _ in net.named_parameters())
    assert not any(isinstance(m, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)) for m in net.modules())


@pytest.mark.parametrize("kind", ["dt", "ff", "soft"])
@pytest.mark.parametrize("recall", [True, False])
@pytest.mark.parametrize("dims, shape", [(1, (3, 1, 7)), (1, (2, 1, 64)), (2, (2, 3, 9, 11))])
@pytest.mark.parametrize("width", [4, 10])
def test_shapes_for_any_length_and_width(kind, recall, dims, shape, width):
    net = build_network(
        NetworkConfig(kind=kind, dims=dims, in_channels=shape[1], width=width, recall=recall, max_iters=5)
    )
    x = torch.randn(shape)
    logits, state = net(x, 3)
    assert logits.shape == (shape[0], 2, *shape[2:])
    assert state.shape == (shape[0], width, *shape[2:])
    assert (state >= 0).all()  # ReLU after the residual add


def test_iterate_streams_the_same_as_forward_and_continues_from_state():
    torch.manual_seed(0)
    net = build_network(NetworkConfig(width=8))
    x = torch.randn(2, 1, 12)
    steps = list(net.iterate(x, 5))
    logits5, state5 = net(x, 5)
    assert torch.allclose(steps[-1][0], logits5) and torch.allclose(steps[-1][1], state5)
    logits3, state3 = net(x, 3)
    logits_more, _ = net(x, 2, state3)
    assert torch.allclose(logits_more, logits5, atol=1e-6)


def test_feed_forward_refuses_more_stages_than_it_has():
    net = build_network(NetworkConfig(kind="ff", width=4, max_iters=3))
    net(torch.randn(1, 1, 5), 3)
    with pytest.raises(ValueError, match="3 stages"):
        net(torch.randn(1, 1, 5), 2, start=2)


def test_bad_config_is_rejected():
    with pytest.raises(ValueError, match="kind"):
        NetworkConfig(kind="rnn")
    with pytest.raises(ValueError, match="unknown network settings"):
        NetworkConfig.from_dict({"depth": 3})


def loop_as_soft_net(dims: int, blocks: int = 2, max_iters: int = 4):
    """A DT-Recall net and the soft-sharing net that is the same loop: template 2b+j is the DT's conv j of block
    b, and every stage mixes exactly that template for that conv."""
    torch.manual_seed(0)
    common = {"dims": dims, "in_channels": 3, "width": 6, "blocks": blocks, "max_iters": max_iters}
    loop = build_network(NetworkConfig(kind="dt", **common))
    soft = build_network(NetworkConfig(kind="soft", templates=2 * blocks, **common))
    soft.load_state_dict({k: v for k, v in loop.state_dict().items() if not k.startswith("stages.")}, strict=False)
    with torch.no_grad():
        for b, block in enumerate(loop.stages[0]):
            soft.templates[2 * b].copy_(block.conv1.weight)
            soft.templates[2 * b + 1].copy_(block.conv2.weight)
        soft.coefficients.copy_(torch.eye(2 * blocks).reshape(blocks, 2, 2 * blocks).expand(max_iters, -1, -1, -1))
    return loop, soft


@pytest.mark.parametrize("dims, shape", [(1, (2, 3, 11)), (2, (2, 3, 7, 9))])
def test_a_soft_sharing_net_can_be_exactly_a_loop(dims, shape):
    loop, soft = loop_as_soft_net(dims)
    x = torch.randn(shape)
    assert torch.allclose(loop(x, 4)[0], soft(x, 4)[0], atol=1e-5)
    with pytest.raises(ValueError, match="4 stages"):
        soft(x, 5)
    # Its layer similarity matrix has the loop's period: conv j of block b matches itself in every stage.
    similarity = soft.layer_similarity()
    period = torch.arange(16) % 4
    assert torch.equal(similarity, (period[:, None] == period[None, :]).float())


def test_soft_sharing_checkpoints_round_trip(tmp_path):
    from agents.checkpoint import load_checkpoint, save_checkpoint

    _, soft = loop_as_soft_net(2)
    save_checkpoint(tmp_path / "soft", soft, {"problem": "mazes"})
    loaded, card = load_checkpoint(tmp_path / "soft")
    x = torch.randn(1, 3, 5, 5)
    assert card["network"]["kind"] == "soft" and torch.equal(loaded(x, 3)[0], soft(x, 3)[0])


def test_soft_sharing_settings_are_checked():
    with pytest.raises(ValueError, match="geometry 'grid'"):
        NetworkConfig(kind="soft", dims=2, geometry="sudoku")
    with pytest.raises(ValueError, match="templates"):
        NetworkConfig(kind="soft", templates=0)
    with pytest.raises(ValueError, match="only a soft-sharing network"):
        build_network(NetworkConfig(width=4)).layer_similarity()
