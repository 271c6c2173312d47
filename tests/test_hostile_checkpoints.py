"""Hostile checkpoints and working directories: nothing a checkpoint holds may run code, substitute a model, hang,
or ask for a large allocation. Each probe goes to every loader and must come back, in under a second and without
a large allocation, as one ValueError that names the problem.

The loaders: ``load_checkpoint`` (which the trainers' warm starts, ``export`` and every script call), and on top of
it ``load_solver``, ``load_policy`` and ``load_labelled_checkpoints``.
"""

import contextlib
import json
import pickle
import resource
import shutil
import struct
import time
import tracemalloc

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from agents import load_checkpoint, load_policy, load_solver
from agents.checkpoint import (
    MAX_BLOCKS,
    MAX_CARD_BYTES,
    MAX_PARAMETERS,
    SHIPPED_DIR,
    is_shipped_name,
    load_labelled_checkpoints,
    load_training_state,
    resolve_checkpoint,
)
from agents.chess_network import ChessNetworkConfig
from agents.networks import MAX_THINK, NetworkConfig, build_network, network_config, parameter_shapes
from puzzles import prefix_sums

LOADERS = {
    "load_checkpoint": load_checkpoint,
    "load_solver": load_solver,
    "load_policy": load_policy,
    "load_labelled_checkpoints": lambda path: load_labelled_checkpoints([f"model={path}"]),
}
#: What a probe may map beyond what the process already has (a width of 20,000, built, would take tens of GB), and
#: what Python itself may allocate while refusing it.
ADDRESS_SPACE_BYTES = 256 * 2**20
PYTHON_BYTES = 16 * 2**20


class Payload:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def tiny_config(**changes):
    return NetworkConfig(width=6, blocks=1, max_iters=4, **changes).to_dict()


def write_checkpoint(stem, config=None, card=None, tensors=None, problem="prefix_sums"):
    """A checkpoint whose parts a test chooses: ``config`` (the metadata's network, any JSON value; default the tiny
    network's), ``card`` (any JSON value, or bytes written as they are; None for no card) and ``tensors`` (default:
    zeros of the tiny network's shapes, or of the config's when it is a small valid one)."""
    config = tiny_config() if config is None else config
    if tensors is None:
        try:
            shapes = parameter_shapes(network_config(config))
            tensors = good_tensors(config) if sum(np.prod(s) for s in shapes.values()) < 10**5 else good_tensors()
        except (TypeError, ValueError, AttributeError):
            tensors = good_tensors()
    metadata = {"network": json.dumps(config), "problem": problem}
    save_file(tensors, str(stem.with_suffix(".safetensors")), metadata=metadata)
    if card is not None:
        text = card if isinstance(card, bytes) else json.dumps(card).encode()
        stem.with_suffix(".json").write_bytes(text)
    return stem


def virtual_memory_bytes():
    """The process's address space now (``VmSize``)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextlib.contextmanager
def address_space_limited(extra_bytes):
    """While inside, the process may map at most ``extra_bytes`` more: a larger allocation fails at once (and the
    probe then raises something other than the expected ValueError), whatever the process's earlier peak."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (virtual_memory_bytes() + extra_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def refused(loader, stem, match):
    """Asserts that ``loader(stem)`` raises one ValueError matching ``match``, within a second, with the address
    space limited to :data:`ADDRESS_SPACE_BYTES` more and Python's own allocations below :data:`PYTHON_BYTES`."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with address_space_limited(ADDRESS_SPACE_BYTES), pytest.raises(ValueError, match=match):
            loader(stem)
        seconds = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0, f"refused after {seconds:.2f} s"
    assert python_peak < PYTHON_BYTES, f"Python allocated {python_peak / 2**20:.0f} MiB"


# ------------------------------------------------------------------------------------------ model substitution
def test_a_stray_checkpoint_in_the_working_directory_does_not_replace_a_shipped_one(tmp_path, monkeypatch):
    # A different model under the shipped name, in the working directory.
    shutil.copy(SHIPPED_DIR / "mazes.safetensors", tmp_path / "prefix_sums.safetensors")
    shutil.copy(SHIPPED_DIR / "mazes.json", tmp_path / "prefix_sums.json")
    monkeypatch.chdir(tmp_path)
    assert resolve_checkpoint("prefix_sums") == SHIPPED_DIR / "prefix_sums"
    bits = prefix_sums.generate(2, 16, rng=0)
    assert np.array_equal(load_solver("prefix_sums").solve(bits, think=40), np.cumsum(bits, axis=1) % 2)
    # The stray file is reachable only as a path.
    assert resolve_checkpoint("./prefix_sums").resolve() == tmp_path / "prefix_sums"
    assert load_solver("./prefix_sums").card["problem"] == "mazes"


def test_names_and_paths_are_told_apart():
    assert is_shipped_name("chess") and is_shipped_name("prefix_sums")
    for path in ("./chess", "runs/x/best", "chess.safetensors", "chess.json", "..", "a\\b"):
        assert not is_shipped_name(path), path
    with pytest.raises(FileNotFoundError, match=r"no shipped checkpoint 'nonesuch'.*\./nonesuch"):
        resolve_checkpoint("nonesuch")
    with pytest.raises(TypeError, match="a checkpoint is a shipped name or a path, got NoneType"):
        resolve_checkpoint(None)


def test_play_loads_the_shipped_chess_policy_not_a_stray_one(tmp_path, monkeypatch):
    from trainers.play import terminal as play

    shutil.copy(SHIPPED_DIR / "prefix_sums.safetensors", tmp_path / "chess.safetensors")
    shutil.copy(SHIPPED_DIR / "prefix_sums.json", tmp_path / "chess.json")
    monkeypatch.chdir(tmp_path)
    loaded = []

    def run(ui):
        loaded.append(ui.session.policy)
        return None

    monkeypatch.setattr(play.TerminalUI, "run", run)
    play.main([])  # --checkpoint defaults to the name "chess"
    assert type(loaded[0]).__name__ == "ChessPolicy" and loaded[0].card["problem"] == "chess_game"


# ------------------------------------------------------------------------------------------ code execution
def pickle_files(folder, marker):
    """Files whose unpickling creates ``marker``, each proven to be a working payload first."""
    raw = pickle.dumps(Payload(marker))
    pickle.loads(raw)  # the payload is real ...
    assert marker.exists()
    marker.unlink()
    torch.save({"model": Payload(marker)}, folder / "torch.pt")  # a torch zip around the same pickle
    return {"pickle": raw, "torch_zip": (folder / "torch.pt").read_bytes()}


@pytest.mark.parametrize("loader", LOADERS)
def test_pickle_payloads_never_run(tmp_path, loader):
    marker = tmp_path / "ran"
    for kind, content in pickle_files(tmp_path, marker).items():
        stem = tmp_path / kind
        stem.with_suffix(".safetensors").write_bytes(content)
        refused(LOADERS[loader], stem, "corrupt checkpoint")
        # ... and as the model card beside good weights
        write_checkpoint(tmp_path / f"{kind}_card", card=content)
        refused(LOADERS[loader], tmp_path / f"{kind}_card", "corrupt model card")
    assert not marker.exists()


def test_a_pickled_training_state_never_runs(tmp_path):
    marker = tmp_path / "ran"
    state = tmp_path / "state.pt"
    state.write_bytes(pickle_files(tmp_path, marker)["torch_zip"])
    with pytest.raises(ValueError, match=f"corrupt training state {state}"):
        load_training_state(state)
    assert not marker.exists()


# ------------------------------------------------------------------------------------------ the probes
def good_tensors(config=None):
    """Zeros of the shapes the tiny network (or ``config``) holds."""
    shapes = parameter_shapes(network_config(config or tiny_config()))
    return {name: torch.zeros(shape) for name, shape in shapes.items()}


def changed_tensors(change):
    tensors = good_tensors()
    change(tensors)
    return tensors


def raw_metadata(stem, network_text):
    save_file({"x": torch.zeros(1)}, str(stem.with_suffix(".safetensors")), metadata={"network": network_text})


def truncate(stem):
    weights = write_checkpoint(stem).with_suffix(".safetensors")
    weights.write_bytes(weights.read_bytes()[:50])


DEEP = "[" * 100_000 + "]" * 100_000
MAZES = NetworkConfig(dims=2, in_channels=3, width=6, blocks=1).to_dict()
CHESS = ChessNetworkConfig(width=4).to_dict()

#: Each probe: ``(write(stem), message)``, a checkpoint that every loader must refuse with that message.
PROBES = {
    "truncated": (truncate, "corrupt checkpoint"),
    "header_of_a_terabyte": (
        lambda s: s.with_suffix(".safetensors").write_bytes(struct.pack("<Q", 2**40) + b"{}"),
        "corrupt checkpoint",
    ),
    "no_network": (lambda s: save_file({"x": torch.zeros(1)}, str(s.with_suffix(".safetensors"))), "no network"),
    "network_a_list": (lambda s: write_checkpoint(s, config=[1, 2]), "bad network config: a network config is a dict"),
    "network_null": (lambda s: raw_metadata(s, "null"), "bad network config: a network config is a dictionary"),
    "network_not_json": (lambda s: raw_metadata(s, "{"), "bad network config"),
    "network_nested_deep": (lambda s: raw_metadata(s, DEEP), "bad network config"),
    "width_a_string": (lambda s: write_checkpoint(s, config=tiny_config() | {"width": "abc"}), "width must be a whole"),
    "width_10**6": (lambda s: write_checkpoint(s, config=tiny_config() | {"width": 10**6}), "parameters"),
    "width_20000": (lambda s: write_checkpoint(s, config=MAZES | {"width": 20_000}, problem="mazes"), "parameters"),
    "chess_width_10**6": (
        lambda s: write_checkpoint(s, config=CHESS | {"width": 10**6}, problem="chess_game"),
        "parameters",
    ),
    "ff_10**5_stages": (
        lambda s: write_checkpoint(s, config=tiny_config(kind="ff") | {"max_iters": 10**5}),
        f"a checkpoint may have {MAX_BLOCKS}",
    ),
    "max_iters_10**12": (
        lambda s: write_checkpoint(s, config=tiny_config() | {"max_iters": 10**12}),
        f"max_iters must be at most {MAX_THINK}",
    ),
    "extra_tensor": (
        lambda s: write_checkpoint(s, tensors=good_tensors() | {"smuggled": torch.zeros(3)}),
        r"unexpected \['smuggled'\]",
    ),
    "missing_tensor": (
        lambda s: write_checkpoint(s, tensors=changed_tensors(lambda t: t.pop("recall.0.weight"))),
        r"missing \['recall.0.weight'\]",
    ),
    "wrong_shape": (
        lambda s: write_checkpoint(s, tensors=good_tensors() | {"head.0.weight": torch.zeros(6, 6, 5)}),
        r"head.0.weight has shape \(6, 6, 5\)",
    ),
    "integer_weights": (
        lambda s: write_checkpoint(s, tensors={k: v.int() for k, v in good_tensors().items()}),
        "holds I32 values",
    ),
    "nan_weights": (
        lambda s: write_checkpoint(s, tensors=changed_tensors(lambda t: t["head.0.weight"].fill_(float("nan")))),
        "head.0.weight holds NaN or infinite",
    ),
    "inf_weights": (
        lambda s: write_checkpoint(s, tensors=changed_tensors(lambda t: t["recall.0.weight"][1, 1].fill_(-np.inf))),
        "recall.0.weight holds NaN or infinite",
    ),
    "card_null": (lambda s: write_checkpoint(s, card=b"null"), "must be a JSON object, got NoneType"),
    "card_a_list": (lambda s: write_checkpoint(s, card=[1]), "must be a JSON object, got list"),
    "card_a_string": (lambda s: write_checkpoint(s, card="prefix_sums"), "must be a JSON object, got str"),
    "card_not_json": (lambda s: write_checkpoint(s, card=b"{ not json"), "corrupt model card"),
    "card_not_utf8": (lambda s: write_checkpoint(s, card=b"\xff\xfe{"), "corrupt model card"),
    "card_nested_deep": (lambda s: write_checkpoint(s, card=DEEP.encode()), "corrupt model card"),
    "card_too_large": (
        lambda s: write_checkpoint(s, card=b'{"notes": "' + b"x" * MAX_CARD_BYTES + b'"}'),
        f"a card may have at most {MAX_CARD_BYTES}",
    ),
    "problem_a_list": (lambda s: write_checkpoint(s, card={"problem": ["mazes"]}), "problem must be a name"),
    "problem_unknown": (lambda s: write_checkpoint(s, card={"problem": "go"}, problem=""), "unknown problem 'go'"),
    "problem_does_not_fit": (
        lambda s: write_checkpoint(s, card={"problem": "mazes"}, problem=""),
        r"problem 'mazes' needs a 2D network with 3 input and 2 output channels; the weights are 1D",
    ),
    "sudoku_card_on_a_chess_net": (
        lambda s: write_checkpoint(s, config=CHESS, card={"problem": "sudoku"}, problem="sudoku"),
        "a 'chess' network cannot play problem 'sudoku'",
    ),
    "chess_card_on_a_puzzle_net": (
        lambda s: write_checkpoint(s, card={"problem": "chess_game"}, problem=""),
        "a 'dt' network cannot play problem 'chess_game'",
    ),
    "card_and_weights_disagree": (
        lambda s: write_checkpoint(s, card={"problem": "sudoku"}),
        "its card names problem 'sudoku', its weights 'prefix_sums'",
    ),
    "card_describes_another_network": (
        lambda s: write_checkpoint(s, card={"network": tiny_config() | {"width": 7}}),
        "the card describes another network",
    ),
    "think_2.5": (lambda s: write_checkpoint(s, card={"recommended_think": 2.5}), "recommended_think must be a whole"),
    "think_abc": (lambda s: write_checkpoint(s, card={"recommended_think": "abc"}), "whole number .* got 'abc'"),
    "think_true": (lambda s: write_checkpoint(s, card={"recommended_think": True}), "whole number .* got True"),
    "think_10**12": (
        lambda s: write_checkpoint(s, card={"recommended_think": 10**12}),
        f"recommended_think must be from 1 to {MAX_THINK}",
    ),
    "recipe_max_iters_10**12": (
        lambda s: write_checkpoint(s, card={"recipe": {"max_iters": 10**12}}),
        "recipe.max_iters must be from 1",
    ),
    "recipe_a_list": (lambda s: write_checkpoint(s, card={"recipe": [1]}), "recipe must be an object"),
    "readout_unknown": (lambda s: write_checkpoint(s, card={"readout": "mean"}), "readout must be"),
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", PROBES)
def test_every_loader_refuses_every_probe_quickly_and_without_a_large_allocation(tmp_path, loader, name):
    write, message = PROBES[name]
    stem = tmp_path / "probe"
    write(stem)
    refused(LOADERS[loader], stem, message)


def test_the_limits_leave_room_for_every_shipped_model():
    for weights in sorted(SHIPPED_DIR.glob("*.safetensors")):
        net, _ = load_checkpoint(weights)
        assert sum(p.numel() for p in net.parameters()) < MAX_PARAMETERS // 100, weights


def test_the_parameter_shapes_are_those_of_the_built_networks():
    configs = [
        NetworkConfig(kind=kind, dims=dims, geometry=geometry, recall=recall, head=head, blocks=2, width=4, max_iters=3)
        for kind in ("dt", "ff", "soft")
        for dims in (1, 2)
        for geometry in ("grid", "sudoku")
        for recall in (True, False)
        for head in ((), (5,), (3, 4))
        if not (geometry == "sudoku" and (dims == 1 or kind == "soft"))
    ] + [ChessNetworkConfig(width=4, blocks=2, policy_width=3, value_width=5), ChessNetworkConfig(width=4, norm=True)]
    for config in configs:
        built = {name: tuple(tensor.shape) for name, tensor in build_network(config).state_dict().items()}
        assert built == parameter_shapes(config), config


def test_solvers_and_policies_point_to_each_other():
    from agents import load_policy, load_solver

    with pytest.raises(ValueError, match="load it with load_policy"):
        load_solver("chess")
    with pytest.raises(ValueError, match="mazes solver, not a chess policy: load it with load_solver"):
        load_policy("mazes")
