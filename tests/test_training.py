import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.checkpoint import load_checkpoint
from tests.helpers import checkout_env
from trainers.progressive import sample_progressive, thinking_loss
from trainers.recipes import get_recipe
from trainers.run import lock_run_dir
from trainers.supervised import Trainer

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("max_iters", [1, 2, 5, 30])
def test_progressive_sampling_bounds(max_iters):
    rng = np.random.default_rng(0)
    draws = [sample_progressive(max_iters, rng) for _ in range(30_000)]
    ns = {n for n, _ in draws}
    assert ns == set(range(max_iters))  # n ~ U{0..m-1}: every value, nothing else
    assert all(1 <= k <= max_iters - n for n, k in draws)  # k ~ U{1..m-n}
    assert {k for n, k in draws if n == 0} == set(range(1, max_iters + 1))


def test_warm_up_iterations_get_no_gradient():
    """With alpha=1 and n>0, the projection gets no gradient (the thought was detached)."""
    config = get_recipe("prefix_sums_tiny")
    trainer = Trainer(config, "/nonexistent-run", progress=False)
    x = torch.randn(4, 1, 8)
    y = torch.randint(0, 2, (4, 8))

    class FixedDraw:
        def integers(self, low, high):
            return high - 1  # n = m-1, then k = 1

    loss, _ = thinking_loss(trainer.net, x, y, None, 1.0, 6, FixedDraw())
    loss.backward()
    assert trainer.net.projection[0].weight.grad is None
    assert trainer.net.head[0].weight.grad is not None


def _weights(stem):
    net, _ = load_checkpoint(stem)
    return {k: v.clone() for k, v in net.state_dict().items()}


def _final_state(run_dir):
    state = torch.load(Path(run_dir) / "state.pt", weights_only=True)
    return state["model"]


TRAIN_CMD = [
    sys.executable,
    str(ROOT / "scripts" / "train.py"),
    "--recipe",
    "prefix_sums_tiny",
    "--no-progress",
    "--threads",
    "1",
    "--epochs",
    "12",
]


def test_resume_after_a_kill_reproduces_the_uninterrupted_run(tmp_path):
    straight = tmp_path / "straight"
    subprocess.run([*TRAIN_CMD, "--run-dir", str(straight)], check=True, capture_output=True, env=checkout_env())

    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [*TRAIN_CMD, "--run-dir", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=checkout_env(),
    )
    deadline = time.time() + 60
    while not (killed / "state.pt").exists() and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    progress = torch.load(killed / "state.pt", weights_only=True)["progress"]
    assert progress["epoch"] < 12, "the run finished before it could be killed"
    subprocess.run([*TRAIN_CMD, "--run-dir", str(killed)], check=True, capture_output=True, env=checkout_env())

    a, b = _final_state(straight), _final_state(killed)
    assert all(torch.equal(a[k], b[k]) for k in a)
    lines = [json.loads(x) for x in (killed / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in lines] == list(range(1, 13))


def test_a_run_folder_refuses_another_recipe(tmp_path):
    Trainer(get_recipe("prefix_sums_tiny", epochs=1), tmp_path, progress=False).run()
    with pytest.raises(ValueError, match="another config"):
        Trainer(get_recipe("prefix_sums_tiny", epochs=1, lr=0.5), tmp_path, progress=False).run()


def test_export_names_the_hardware_that_trained_the_run(tmp_path):
    Trainer(get_recipe("prefix_sums_tiny", epochs=1), tmp_path / "run", progress=False).run()
    threads = torch.get_num_threads()
    torch.set_num_threads(threads + 1)  # the exporting process differs from the training one
    try:
        stem = Trainer(get_recipe("prefix_sums_tiny", epochs=1), tmp_path / "run", progress=False).export(
            tmp_path / "exported"
        )
    finally:
        torch.set_num_threads(threads)
    _, card = load_checkpoint(stem)
    assert f"{threads} torch threads" in card["training"]["hardware"]


def test_training_learns_short_prefix_sums(tmp_path):
    """A small DT-Recall net fits 8-bit prefix sums within seconds."""
    config = replace(
        get_recipe("prefix_sums_tiny"),
        network={"kind": "dt", "width": 32, "recall": True, "blocks": 1},
        dataset_size=256,
        epochs=25,
        batch_size=32,
        lr=3e-3,
        warmup_steps=20,
        max_iters=8,
        alpha=0.0,
    )
    trainer = Trainer(config, tmp_path, progress=False)
    progress = trainer.run()
    assert progress["best_val"] >= 0.5
    _, card = load_checkpoint(tmp_path / "best")
    assert card["training"]["best_val_exact_match"] == progress["best_val"]


def test_data_parallel_matches_single_process(tmp_path):
    """torchrun with two gloo processes computes the same weights as one process on the whole batch."""
    single = tmp_path / "single"
    ddp = tmp_path / "ddp"
    args = ["--recipe", "prefix_sums_tiny", "--no-progress", "--threads", "1", "--epochs", "2"]
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train.py"), *args, "--run-dir", str(single)],
        check=True,
        capture_output=True,
        env=checkout_env(),
    )
    env = checkout_env(OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc-per-node",
            "2",
            "--master-addr",
            "127.0.0.1",
            "--master-port",
            "29517",
            str(ROOT / "scripts" / "train.py"),
            *args,
            "--run-dir",
            str(ddp),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    a, b = _final_state(single), _final_state(ddp)
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    card = json.loads((ddp / "best.json").read_text())
    assert card["training"]["processes"] == 2


def test_two_trainers_never_share_a_run_folder(tmp_path):
    config = get_recipe("prefix_sums_tiny", epochs=1)
    first = Trainer(config, tmp_path, progress=False)
    held = lock_run_dir(first.run_dir)
    try:
        with pytest.raises(ValueError, match="another trainer is running"):
            Trainer(config, tmp_path, progress=False).run()
    finally:
        held.close()
    Trainer(config, tmp_path, progress=False).run()  # free again


def test_continued_training_starts_from_the_given_weights(tmp_path):
    first = Trainer(get_recipe("prefix_sums_tiny", epochs=1), tmp_path / "first", progress=False)
    first.run()
    config = get_recipe("prefix_sums_tiny", epochs=1, init_from=str(tmp_path / "first" / "best"))
    second = Trainer(config, tmp_path / "second", progress=False)
    start, _ = load_checkpoint(tmp_path / "first" / "best")
    assert all(
        torch.equal(a, b) for a, b in zip(start.state_dict().values(), second.net.state_dict().values(), strict=True)
    )
    wider = get_recipe("prefix_sums_tiny", init_from=str(tmp_path / "first" / "best"), network={"width": 32})
    with pytest.raises(ValueError, match="another network"):
        Trainer(wider, tmp_path / "third", progress=False)


def test_random_depths_are_log_uniform_with_a_backpropagated_tail():
    from trainers.progressive import sample_unroll

    rng = np.random.default_rng(0)
    draws = [sample_unroll(64, 8, rng) for _ in range(5000)]
    depths = np.array([free + k for free, k in draws])
    assert depths.min() == 1 and depths.max() == 64 and 6 <= np.median(depths) <= 10  # median of 64^U: 8
    assert all(k == min(8, free + k) for free, k in draws)
    with pytest.raises(ValueError, match="must be positive"):
        sample_unroll(0, 8, rng)


def test_random_depth_trains_past_the_regime_and_only_recurrent_nets(tmp_path):
    """The random-depth recipe learns 8-bit prefix sums too, and a feed-forward network refuses it."""
    config = replace(
        get_recipe("prefix_sums_tiny"),
        network={"kind": "dt", "width": 32, "recall": True, "blocks": 1},
        dataset_size=256,
        epochs=40,
        batch_size=32,
        lr=3e-3,
        warmup_steps=20,
        max_iters=8,
        alpha=1.0,
        depth="random",
        max_depth=16,
        bptt=4,
    )
    assert Trainer(config, tmp_path, progress=False).run()["best_val"] >= 0.5
    with pytest.raises(ValueError, match="recurrent network"):
        replace(config, network={"kind": "ff", "width": 8})
    with pytest.raises(ValueError, match="'progressive' or 'random'"):
        replace(config, depth="deep")
