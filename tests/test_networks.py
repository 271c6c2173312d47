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


@pytest.mark.parametrize("kind", ["dt", "ff"])
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
