"""The run base every trainer extends (trainers.run) and the card writer (trainers.cards): folders written by
older trainers resume, state and metrics stay consistent, cards take sections without losing others."""

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from agents.checkpoint import load_checkpoint, save_checkpoint
from agents.networks import NetworkConfig, build_network
from trainers.cards import export_checkpoint, write_card_section
from trainers.chess_supervised import ChessTrainer
from trainers.chess_thinking import ThinkingChessConfig, ThinkingChessTrainer
from trainers.recipes import get_recipe
from trainers.run import Run
from trainers.selfplay import SelfPlayRun
from trainers.supervised import Trainer

OLD_CHESS_RUN = Path(__file__).parent / "data" / "chess_thinking_v1"


def test_every_trainer_extends_the_run_base():
    assert all(issubclass(trainer, Run) for trainer in (Trainer, ThinkingChessTrainer, ChessTrainer, SelfPlayRun))


def test_a_chess_run_folder_of_the_trainer_before_the_base_resumes_to_the_same_weights(tmp_path, monkeypatch):
    """A run killed during step 4 by the chess trainer of 1790923 resumes with this code and ends with the weights
    that code reached without the interruption."""
    shutil.copytree(OLD_CHESS_RUN, tmp_path / "old")
    monkeypatch.chdir(tmp_path / "old")  # the recipe names its data folder relative to here
    config = ThinkingChessConfig(**json.loads(Path("run/config.json").read_text()))
    trainer = ThinkingChessTrainer(config, "run", progress=False)
    progress = trainer.run()
    assert progress["step"] == 6
    expected = load_file("straight_final.safetensors")
    for name, tensor in trainer.net.state_dict().items():
        torch.testing.assert_close(tensor, expected[name], rtol=0, atol=0, msg=name)
    assert [json.loads(line)["step"] for line in Path("run/metrics.jsonl").read_text().splitlines()] == [3, 6]
    card = json.loads(Path(trainer.export(tmp_path / "chess")).with_suffix(".json").read_text())
    assert (
        card["problem"] == "chess_game" and card["training"]["best_step"] in (3, 6) and "hardware" in card["training"]
    )
    assert load_checkpoint(tmp_path / "chess")[0].config.norm


def test_a_time_limit_stops_between_epochs_and_the_run_resumes(tmp_path):
    config = get_recipe("prefix_sums_tiny", epochs=2)
    assert Trainer(config, tmp_path, progress=False, max_seconds=0.0).run()["epoch"] == 0
    assert Trainer(config, tmp_path, progress=False).run()["epoch"] == 2
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    assert set(state) == {"model", "optimizer", "progress", "torch_rng"}


def tiny_checkpoint(folder: Path, seed: int = 0, **card) -> Path:
    torch.manual_seed(seed)
    net = build_network(NetworkConfig(dims=1, in_channels=1, out_channels=2, width=4, blocks=1))
    return save_checkpoint(folder / "model", net, {"problem": "prefix_sums", **card})


def test_a_card_section_is_written_without_touching_the_rest(tmp_path):
    stem = tiny_checkpoint(tmp_path, name="tiny", training={"epochs": 3})
    weights = stem.with_suffix(".safetensors").read_bytes()
    write_card_section(stem, "evaluation", {"results": {"32": 0.5}})
    write_card_section(stem, "recommended_think", 30)
    write_card_section(stem, ("ablations", "wide"), {"results": 1})
    card = write_card_section(stem.with_suffix(".json"), ("ablations", "narrow"), {"results": 2})
    assert card == json.loads(stem.with_suffix(".json").read_text())
    assert card["name"] == "tiny" and card["training"] == {"epochs": 3} and card["recommended_think"] == 30
    assert card["evaluation"] == {"results": {"32": 0.5}} and set(card["ablations"]) == {"wide", "narrow"}
    assert stem.with_suffix(".safetensors").read_bytes() == weights
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]  # no temporary left


@pytest.mark.parametrize(
    "section, value, message",
    [
        ("recommended_think", -1, "recommended_think"),
        ("", {}, "a card section is a key"),
        (("name", "deeper"), 1, "name is not a section"),
    ],
)
def test_a_bad_card_section_is_refused_and_the_card_kept(tmp_path, section, value, message):
    stem = tiny_checkpoint(tmp_path, name="tiny")
    before = stem.with_suffix(".json").read_text()
    with pytest.raises(ValueError, match=message):
        write_card_section(stem, section, value)
    assert stem.with_suffix(".json").read_text() == before
    with pytest.raises(FileNotFoundError):
        write_card_section(tmp_path / "missing", "evaluation", {})


def test_a_re_export_keeps_measurements_of_the_same_weights_only(tmp_path):
    stem = tiny_checkpoint(tmp_path, training={"epochs": 1}, evaluation={"x": 1}, ablations={"a": 1})
    net, _ = load_checkpoint(stem)
    card = load_checkpoint(export_checkpoint(stem, net, {"problem": "prefix_sums", "training": {"epochs": 2}}))[1]
    assert card["training"] == {"epochs": 2} and card["evaluation"] == {"x": 1} and card["ablations"] == {"a": 1}
    other = build_network(net.config)
    card = load_checkpoint(export_checkpoint(stem, other, {"problem": "prefix_sums"}))[1]
    assert "evaluation" not in card and card["ablations"] == {"a": 1}
