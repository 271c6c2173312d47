"""Hostile run folders: a run resumes whatever a crash left in its folder, names the file when it cannot, and never
unpickles."""

import json
import pickle

import pytest
import torch

from trainers.recipes import get_recipe
from trainers.supervised import Trainer


def tiny():
    return get_recipe("prefix_sums_tiny", epochs=3)


def trained(folder):
    Trainer(tiny(), folder, progress=False).run()
    return folder


def epochs_logged(folder):
    return [json.loads(line)["epoch"] for line in (folder / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def killed_after_two(tmp_path_factory):
    """A three-epoch run stopped right after saving its second epoch's state (as a kill there leaves it)."""
    folder = tmp_path_factory.mktemp("runs") / "killed"
    save = Trainer._save_state

    def save_then_stop(self, progress):
        save(self, progress)
        if progress["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(Trainer, "_save_state", save_then_stop)
        trained(folder)
    assert epochs_logged(folder) == [1, 2]
    return folder


def copy_run(source, target):
    target.mkdir()
    for path in source.iterdir():
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.mark.parametrize(
    "tail",
    [b'{"epoch": 3, "step": 48, "lo', b'{"epoch": 3, "step": 48, "loss": 0.6}\n{"epo', b"\x00\xff garbage\n"],
    ids=["torn", "a whole unsaved epoch, then torn", "binary garbage"],
)
def test_a_torn_metrics_line_still_resumes(killed_after_two, tmp_path, capsys, monkeypatch, tail):
    monkeypatch.setenv("COLUMNS", "1000")  # the trainer's console does not wrap the report
    folder = copy_run(killed_after_two, tmp_path / "run")
    with open(folder / "metrics.jsonl", "ab") as handle:  # a crash mid-write
        handle.write(tail)
    trained(folder)
    assert epochs_logged(folder) == [1, 2, 3]
    assert "dropped 1 unreadable line(s)" in capsys.readouterr().err


def test_stale_metrics_of_a_run_killed_before_its_first_state_are_dropped(killed_after_two, tmp_path):
    folder = copy_run(killed_after_two, tmp_path / "run")
    (folder / "state.pt").unlink()  # as if killed after logging epochs but before saving any state
    trained(folder)
    assert epochs_logged(folder) == [1, 2, 3]


def write_state(folder, state):
    torch.save(state, folder / "state.pt")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: write_state(f, {"model": {}}), r"corrupt training state .*state.pt: no optimizer, progress"),
        (lambda f: write_state(f, [1, 2]), r"corrupt training state .*state.pt: a list, not a dictionary"),
        (lambda f: (f / "state.pt").write_bytes(b"PK\x03\x04 torn"), r"corrupt training state .*state.pt"),
        (
            lambda f: write_state(f, {"model": {}, "optimizer": {}, "progress": {"step": 3}}),
            r"corrupt training state .*state.pt: its progress records no epoch",
        ),
        (
            lambda f: write_state(f, {"model": {"x": torch.zeros(2)}, "optimizer": {}, "progress": {"epoch": 1}}),
            r"training state .*state.pt does not fit this run's network or optimizer",
        ),
        (lambda f: (f / "config.json").write_text('{"problem": "prefix'), r"corrupt run config .*config.json"),
    ],
    ids=["missing keys", "not a dict", "torn file", "no epoch", "another network", "torn config"],
)
def test_a_broken_run_folder_is_named(killed_after_two, tmp_path, change, message):
    folder = copy_run(killed_after_two, tmp_path / "run")
    change(folder)
    with pytest.raises(ValueError, match=message):
        trained(folder)


def test_a_pickled_state_never_runs(killed_after_two, tmp_path):
    class Payload:
        def __reduce__(self):
            return (open, (str(tmp_path / "ran"), "w"))

    folder = copy_run(killed_after_two, tmp_path / "run")
    pickle.loads(pickle.dumps(Payload()))  # the payload is real
    (tmp_path / "ran").unlink()
    write_state(folder, {"model": Payload(), "optimizer": {}, "progress": {"epoch": 1}})
    with pytest.raises(ValueError, match="corrupt training state"):
        trained(folder)
    assert not (tmp_path / "ran").exists()


def test_a_missing_state_is_missing_not_corrupt(tmp_path):
    trainer = Trainer(tiny(), tmp_path / "run", progress=False)
    with pytest.raises(FileNotFoundError, match="no run folder"):
        trainer.export(tmp_path / "exported")
    (tmp_path / "run").mkdir()
    with pytest.raises(FileNotFoundError, match="no training state .*state.pt: the run has not finished"):
        trainer.export(tmp_path / "exported")
