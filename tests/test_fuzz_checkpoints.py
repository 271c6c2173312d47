"""Fuzzing the checkpoint loaders: random bytes, random safetensors headers, random JSON as network metadata and
model card, random tensors, and damaged real checkpoints. Every loader must either load the checkpoint or refuse it
with a ValueError; nothing else may come out (no TypeError, KeyError, RecursionError, allocation failure, panic).

The default suite throws 100 random checkpoints at each loader; ``-m slow`` throws 1,000.
"""

import json
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save, save_file

from agents import load_checkpoint, load_policy, load_solver
from agents.checkpoint import expected_shapes, load_labelled_checkpoints, load_training_state
from agents.chess_network import ChessNetworkConfig
from agents.networks import NetworkConfig, network_config, parameter_shapes
from agents.problems import get_problem
from tests.test_hostile_checkpoints import address_space_limited

LOADERS = {
    "load_checkpoint": load_checkpoint,
    "load_solver": load_solver,
    "load_policy": load_policy,
    "load_labelled_checkpoints": lambda path: load_labelled_checkpoints([f"model={path}"]),
}
#: Names the fuzzer draws keys from: the settings of both configs and the keys the loaders read from a card.
KEYS = [*NetworkConfig.__dataclass_fields__, *ChessNetworkConfig.__dataclass_fields__]
KEYS += ["problem", "recommended_think", "readout", "recipe", "network", "name", "max_iters"]
PROBLEMS = ["prefix_sums", "mazes", "mazes_image", "sudoku", "chess_puzzles", "chess_game", "", "go"]
EXTREMES = [0, -1, 1, 2, 3, 10**6, 20_000, 10**12, 2**63, -(2**63), 2.5, float("nan"), True, None, "abc", [], {}]


def random_json(rng, depth=0):
    """Any JSON value, nested a few levels, leaning on the names and numbers the loaders care about."""
    kind = rng.integers(8 if depth < 4 else 5)
    if kind == 0:
        return EXTREMES[rng.integers(len(EXTREMES))]
    if kind == 1:
        return int(rng.integers(-5, 70))
    if kind == 2:
        return str(rng.choice(["dt", "ff", "soft", "chess", "grid", "sudoku", "last", "max_conf"]))
    if kind == 3:
        return str(rng.choice(PROBLEMS + KEYS))
    if kind == 4:
        return float(rng.normal() * 10)
    if kind == 5:
        return [random_json(rng, depth + 1) for _ in range(rng.integers(4))]
    return {str(rng.choice(KEYS)): random_json(rng, depth + 1) for _ in range(rng.integers(6))}


def valid_config(rng):
    """A small network config the loaders accept, as a dictionary, and the problem it fits."""
    problem = str(rng.choice(["prefix_sums", "mazes", "sudoku", "chess_puzzles", "chess_game"]))
    if problem == "chess_game":
        return ChessNetworkConfig(width=int(rng.integers(1, 5)), blocks=int(rng.integers(1, 3))).to_dict(), problem
    family = get_problem(problem)
    kind = str(rng.choice(["dt", "ff", "soft"]))
    geometry = "sudoku" if problem == "sudoku" and kind != "soft" and rng.random() < 0.5 else "grid"
    config = NetworkConfig(
        kind=kind,
        dims=family.dims,
        in_channels=family.in_channels,
        width=int(rng.integers(2, 7)),
        recall=bool(rng.random() < 0.7),
        blocks=int(rng.integers(1, 3)),
        out_channels=family.out_channels,
        head=tuple(int(w) for w in rng.integers(1, 6, size=rng.integers(3))),
        max_iters=int(rng.integers(1, 4)),
        geometry=geometry,
        templates=int(rng.integers(1, 3)),
    )
    return config.to_dict(), problem


def random_config(rng):
    """A valid config and its problem, or one with a few settings replaced by random JSON, or any JSON value."""
    choice = rng.random()
    config, problem = valid_config(rng)
    if choice < 0.15:
        return random_json(rng), problem
    if choice < 0.55:
        for _ in range(rng.integers(1, 3)):
            config[str(rng.choice(list(config) + KEYS))] = random_json(rng)
    return config, problem


def random_tensors(rng, config):
    """The config's tensors (zeros), now and then one dropped, added, reshaped, retyped or made NaN or infinite."""
    try:  # the loader's own bounds first: a config may ask for a million stages
        shapes = expected_shapes(network_config(config), "fuzzed")
        assert sum(np.prod(shape) for shape in shapes.values()) < 10**5
    except (TypeError, ValueError, AssertionError):
        shapes = {str(rng.choice(["projection.0.weight", "x", "head.0.weight"])): (int(rng.integers(1, 4)),)}
    tensors = {name: torch.zeros(shape) for name, shape in shapes.items()}
    for _ in range(rng.integers(3) if rng.random() < 0.6 else 0):
        if not tensors:
            break
        name = str(rng.choice(list(tensors)))
        change = rng.integers(5)
        if change == 0:
            tensors.pop(name)
        elif change == 1:
            tensors[name + ".x"] = torch.zeros(2)
        elif change == 2:
            tensors[name] = torch.zeros(*[int(d) for d in rng.integers(0, 4, size=rng.integers(1, 4))])
        elif change == 3:
            tensors[name] = tensors[name].to(rng.choice([torch.int8, torch.float16, torch.float64, torch.bool]))
        elif tensors[name].numel() and tensors[name].is_floating_point():
            tensors[name].view(-1)[0] = float(rng.choice([np.nan, np.inf, 1e30]))
    return tensors or {"x": torch.zeros(1)}


def random_card(rng, problem):
    """No card, random bytes, any JSON value, or a card object with random values for the keys loaders read."""
    choice = rng.random()
    if choice < 0.2:
        return None
    if choice < 0.3:
        return rng.bytes(int(rng.integers(0, 64)))
    if choice < 0.45:
        return json.dumps(random_json(rng)).encode()
    card = {"problem": problem}
    for _ in range(rng.integers(4) if rng.random() < 0.5 else 0):
        card[str(rng.choice(["problem", "recommended_think", "readout", "recipe", "network"]))] = random_json(rng)
    return json.dumps(card).encode()


def random_weights(rng, config, problem):
    """Bytes of a weights file: a safetensors file of random parts, random bytes, a random header, or a damaged
    good file."""
    choice = rng.random()
    if choice < 0.1:
        return rng.bytes(int(rng.integers(0, 256)))
    if choice < 0.2:
        header = json.dumps(random_json(rng)).encode()
        length = len(header) if rng.random() < 0.7 else int(rng.integers(0, 2**40))
        return struct.pack("<Q", length) + header + rng.bytes(int(rng.integers(0, 64)))
    problem = problem if rng.random() < 0.7 else str(rng.choice(PROBLEMS))
    metadata = {"network": json.dumps(config), "problem": problem} if rng.random() < 0.95 else {"problem": problem}
    data = bytearray(save(random_tensors(rng, config), metadata=metadata))
    if choice < 0.3 and data:
        for _ in range(rng.integers(1, 4)):  # flip bytes anywhere, header included
            data[int(rng.integers(len(data)))] = int(rng.integers(256))
    elif choice < 0.4:
        data = data[: int(rng.integers(len(data) + 1))]
    return bytes(data)


def write_random_checkpoint(rng, stem):
    config, problem = random_config(rng)
    stem.with_suffix(".safetensors").write_bytes(random_weights(rng, config, problem))
    card = random_card(rng, problem if rng.random() < 0.7 else str(rng.choice(PROBLEMS)))
    stem.with_suffix(".json").unlink(missing_ok=True)
    if card is not None:
        stem.with_suffix(".json").write_bytes(card)


def fuzz(loader, tmp_path, count, seed):
    """Throws ``count`` random checkpoints at ``loader``; returns how many loaded."""
    rng = np.random.default_rng(seed)
    loaded = 0
    with address_space_limited(512 * 2**20):
        for index in range(count):
            stem = tmp_path / "fuzzed"
            write_random_checkpoint(rng, stem)
            try:
                LOADERS[loader](stem)
                loaded += 1
            except ValueError:
                pass
            except BaseException as error:  # anything else is a finding: say which checkpoint made it
                raise AssertionError(f"checkpoint {index} (seed {seed}): {type(error).__name__}: {error}") from error
    return loaded


@pytest.mark.parametrize("loader", LOADERS)
def test_a_hundred_random_checkpoints_load_or_are_refused_with_a_value_error(tmp_path, loader):
    assert 0 < fuzz(loader, tmp_path, 100, seed=list(LOADERS).index(loader)) < 100  # some load, most do not


@pytest.mark.slow
@pytest.mark.parametrize("loader", LOADERS)
def test_a_thousand_random_checkpoints_load_or_are_refused_with_a_value_error(tmp_path, loader):
    assert 0 < fuzz(loader, tmp_path, 1000, seed=1000 + list(LOADERS).index(loader)) < 1000


def test_the_fuzzer_writes_files_save_file_can_read(tmp_path):
    rng = np.random.default_rng(0)
    config, problem = valid_config(rng)
    tensors = {name: torch.zeros(shape) for name, shape in parameter_shapes(network_config(config)).items()}
    save_file(tensors, str(tmp_path / "ok.safetensors"), metadata={"network": json.dumps(config), "problem": problem})
    assert load_checkpoint(tmp_path / "ok")[1]["problem"] == problem


def test_random_training_states_load_or_are_refused_with_a_value_error(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "state.pt"
    for _ in range(200):
        if rng.random() < 0.5:
            path.write_bytes(rng.bytes(int(rng.integers(0, 512))))
        else:
            state = random_json(rng)
            if isinstance(state, dict) and rng.random() < 0.5:
                state |= {"model": {"w": torch.zeros(2)}, "optimizer": {}, "progress": random_json(rng)}
            torch.save(state, path)
            if rng.random() < 0.3:
                data = bytearray(path.read_bytes())
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
                path.write_bytes(bytes(data))
        try:
            assert isinstance(load_training_state(path)["progress"], dict)
        except ValueError:
            pass
