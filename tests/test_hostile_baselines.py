"""Hostile SB3 baseline files: nothing a file holds may run code, substitute a model or ask for a huge policy.

The pickle payloads here are real: each test first proves that Stable-Baselines3's own loader runs them, then
that the suite's loaders refuse the file without running them.
"""

import base64
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from stable_baselines3 import PPO

from trainers.commands import train_sb3
from trainers.sb3_baselines import FORMAT, MODEL_FILE, load_baseline, load_model, make_model, save_model

TINY = {"n_envs": 1, "n_steps": 64, "batch_size": 64, "device": "cpu"}


class Payload:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def pickled_zip(path, marker):
    """A real SB3 zip whose policy keywords hold a pickle payload that creates ``marker``."""
    model = PPO("MlpPolicy", "CartPole-v1", n_steps=64, batch_size=64, device="cpu")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members["data"])
    payload = base64.b64encode(pickle.dumps(Payload(marker))).decode()
    data["policy_kwargs"] = {":type:": "<class 'dict'>", ":serialized:": payload}
    members["data"] = json.dumps(data).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def tiny_maze_model():
    return make_model("DeepThink/MazeNav-v0", "ppo", "cnn", level=5, extractor_kwargs={"width": 4, "layers": 1}, **TINY)


def test_the_payload_is_real_and_no_loader_runs_it(tmp_path):
    marker = tmp_path / "ran"
    zipped = pickled_zip(tmp_path / "model.zip", marker)
    with pytest.raises(Exception):  # noqa: B017  (what fails after the payload ran does not matter)
        PPO.load(zipped, device="cpu")  # SB3's own loader unpickles it ...
    assert marker.exists()
    marker.unlink()
    with pytest.raises(ValueError, match="pickled SB3 zip"):  # ... the suite's refuses it unopened
        load_model(zipped)
    # A run folder holding only the pickled zip, as train_sb3.py wrote them before.
    folder = tmp_path / "run"
    folder.mkdir()
    pickled_zip(folder / "model.zip", marker)
    card = {"algo": "ppo", "extractor": "cnn", "env_id": "DeepThink/MazeNav-v0", "model": "model.zip"}
    (folder / "card.json").write_text(json.dumps({**card, "train_level": {"size": 5}, "timesteps": 0, "args": {}}))
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        load_baseline(folder)
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        train_sb3.main(["--env", "DeepThink/MazeNav-v0", "--out", str(folder), "--evaluate-only", "--device", "cpu"])
    assert not marker.exists()


def test_a_card_cannot_point_the_loader_outside_its_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    model = tiny_maze_model()
    save_model(model, elsewhere / MODEL_FILE)
    folder = tmp_path / "run"
    folder.mkdir()
    card = {"algo": "ppo", "extractor": "cnn", "env_id": "DeepThink/MazeNav-v0", "train_level": {"size": 5}}
    card |= {"timesteps": 0, "args": {}, "model": str(elsewhere / MODEL_FILE)}
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(FileNotFoundError, match=str(folder / MODEL_FILE)):
        load_baseline(folder)


def test_a_saved_baseline_reloads_to_the_same_policy(tmp_path):
    model = tiny_maze_model()
    model.num_timesteps = 77
    save_model(model, tmp_path / MODEL_FILE)
    loaded = load_model(tmp_path / MODEL_FILE, device="cpu")
    assert loaded.num_timesteps == 77 and loaded.baseline_settings == model.baseline_settings
    for name, tensor in model.policy.state_dict().items():
        assert torch.equal(tensor, loaded.policy.state_dict()[name]), name


def rewritten(tmp_path, change_settings=None, change_tensors=None, header=None):
    """A saved tiny baseline with its settings and/or tensors changed."""
    model = tiny_maze_model()
    tensors = {k: v.clone() for k, v in model.policy.state_dict().items()}
    settings = {**model.baseline_settings, "num_timesteps": 0}
    if change_settings:
        settings = change_settings(settings)
    if change_tensors:
        change_tensors(tensors)
    path = tmp_path / MODEL_FILE
    save_file(tensors, str(path), metadata=header or {"format": FORMAT, "settings": json.dumps(settings)})
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: {**s, "extractor_kwargs": {"width": 10**6}}, "width=1000000 is not an integer in 1..1024"),
        (lambda s: {**s, "extractor_kwargs": {"width": 2.5}}, "not an integer"),
        (lambda s: {**s, "extractor_kwargs": {"evil": 1}}, "unknown extractor keyword"),
        (lambda s: {**s, "level": 10**9}, "over the limit"),
        (lambda s: {**s, "level": "9"}, "not a non-negative integer"),
        (lambda s: {**s, "env_id": "CartPole-v1"}, "no SB3 baseline for 'CartPole-v1'"),
        (lambda s: {**s, "algo": "dqn"}, "trains with algo"),
        (lambda s: {**s, "env_kwargs": {"render_mode": "human"}}, "not one a baseline trains with"),
        (lambda s: [s], "a JSON list, not an object"),
        (lambda s: None, "a JSON NoneType, not an object"),
    ],
)
def test_settings_outside_their_bounds_are_refused(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        load_model(rewritten(tmp_path, change_settings=change))


def test_foreign_corrupt_misshapen_and_nan_files_are_refused(tmp_path):
    def nan(tensors):
        next(iter(tensors.values())).fill_(float("nan"))

    def extra(tensors):
        tensors["extra"] = torch.zeros(3)

    with pytest.raises(ValueError, match="not finite"):
        load_model(rewritten(tmp_path, change_tensors=nan))
    with pytest.raises(ValueError, match="does not fit"):
        load_model(rewritten(tmp_path, change_tensors=extra))
    with pytest.raises(ValueError, match="format"):
        load_model(rewritten(tmp_path, header={"format": "other"}))
    with pytest.raises(ValueError, match="corrupt SB3 baseline"):
        load_model(rewritten(tmp_path, header={"format": FORMAT, "settings": "{not json"}))
    rng = np.random.default_rng(0)
    for size in (0, 7, 100, 5000):
        (tmp_path / "noise.safetensors").write_bytes(rng.bytes(size))
        with pytest.raises(ValueError, match="corrupt SB3 baseline"):
            load_model(tmp_path / "noise.safetensors")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.safetensors")
