"""Hostile run folders and interruptions: a run resumes whatever a crash left in its folder, names the file when it
cannot, never unpickles, and Ctrl-C ends every script with one line (and the command that resumes it)."""

import json
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.helpers import checkout_env
from trainers.cli import run_main
from trainers.recipes import get_recipe
from trainers.supervised import Trainer

ROOT = Path(__file__).resolve().parent.parent


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
    save = Trainer.save_state

    def save_then_stop(self, progress):
        save(self, progress)
        if progress["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(Trainer, "save_state", save_then_stop)
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


def test_metrics_are_written_atomically_and_a_torn_tail_never_swallows_a_record(tmp_path):
    from trainers.run import append_metrics

    log = tmp_path / "metrics.jsonl"
    log.write_text('{"epoch": 1}\n{"epo')  # torn by an older version
    inode = log.stat().st_ino
    append_metrics(tmp_path, {"epoch": 2})
    assert log.read_text() == '{"epoch": 1}\n{"epo\n{"epoch": 2}\n' and log.stat().st_ino != inode  # replaced
    assert sorted(path.name for path in tmp_path.iterdir()) == ["metrics.jsonl"]


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


# ------------------------------------------------------------------------------------------ Ctrl-C
def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_in_training_says_how_to_resume(monkeypatch, capsys):
    from trainers.commands import train

    monkeypatch.setattr(train.Trainer, "run", interrupt)
    monkeypatch.setattr(sys, "argv", ["scripts/train.py", "--recipe", "prefix_sums_tiny", "--run-dir", "runs/x y"])
    with pytest.raises(SystemExit) as exit_info:
        train.main()  # from the command line: argv is read from sys.argv
    err = capsys.readouterr().err
    assert exit_info.value.code == 130 and "Traceback" not in err
    assert "interrupted; everything finished so far is saved" in err
    assert "python scripts/train.py --recipe prefix_sums_tiny --run-dir 'runs/x y'" in err


def test_ctrl_c_while_play_loads_the_network_is_one_line(monkeypatch, capsys):
    from trainers.play import terminal as play

    monkeypatch.setattr("agents.chess_policy.load_policy", interrupt)
    monkeypatch.setattr(sys, "argv", ["scripts/play.py"])
    with pytest.raises(SystemExit) as exit_info:
        run_main(play.main)
    assert exit_info.value.code == 130 and capsys.readouterr().err == "\ninterrupted.\n"


@pytest.mark.parametrize("name", ["train", "train_chess", "selfplay", "label_positions", "label_ladder"])
def test_resumable_commands_say_so_on_ctrl_c(name):
    import importlib

    from trainers import console

    assert importlib.import_module(f"trainers.commands.{name}").main.resumable
    assert console.resolve(console.COMMANDS[name.replace("_", "-")][1]).resumable  # deepthink says so too


def test_ctrl_c_under_deepthink_says_how_to_resume_with_deepthink(monkeypatch, capsys):
    from trainers import console
    from trainers.commands import train

    monkeypatch.setattr(train.Trainer, "run", interrupt)
    monkeypatch.setattr(sys, "argv", ["/usr/bin/deepthink", "train", "--recipe", "prefix_sums_tiny"])  # restored after
    with pytest.raises(SystemExit) as exit_info:
        console.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 130 and "Resume with the same command:\n  deepthink train --recipe" in err


def test_a_real_sigint_in_training_prints_no_traceback(tmp_path):
    command = [sys.executable, str(ROOT / "scripts" / "train.py"), "--recipe", "prefix_sums_tiny", "--no-progress"]
    command += ["--threads", "1", "--epochs", "1000", "--run-dir", str(tmp_path / "run")]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_env(),
        # A shell's background job ignores SIGINT and its children inherit that; give the child Python's default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    while not (tmp_path / "run" / "state.pt").exists() and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err, err
    assert "Resume with the same command" in err and "--epochs 1000" in err


def test_pool_workers_leave_ctrl_c_to_the_parent():
    from puzzles.chunked import quiet_worker

    previous, calls = signal.getsignal(signal.SIGINT), []
    try:
        quiet_worker(lambda *args: calls.append(args), (1, 2))  # as a spawned worker starts
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN and calls == [(1, 2)]
    finally:
        signal.signal(signal.SIGINT, previous)
