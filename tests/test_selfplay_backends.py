"""Self-play across processes: worker processes survive nothing of a ``kill -9`` of their driver and the same
command resumes the run; the Ray backend plays with two actors locally."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import chess.pgn
import pytest
import torch

from agents.checkpoint import save_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from tests.helpers import checkout_env
from trainers.selfplay import RunOptions, SelfPlayConfig, SelfPlayRun

ROOT = Path(__file__).resolve().parent.parent
TINY_ARGS = [
    "--think", "1", "--search", "2", "--considered", "2", "--concurrent", "4", "--ply-cap", "10",
    "--buffer-size", "400", "--min-buffer", "20", "--batch-size", "8", "--sample-reuse", "2",
    "--publish-every", "2", "--eval-every", "2", "--eval-pairs", "1", "--eval-stockfish-nodes", "0",
]  # fmt: skip


@pytest.fixture
def start(tmp_path):
    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8, policy_width=8, value_width=8))
    return save_checkpoint(tmp_path / "start", net, {"problem": "chess_game", "recipe": {"max_iters": 2}})


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _pgn_games(path: Path) -> int:
    with open(path) as handle:
        return sum(1 for _ in iter(lambda: chess.pgn.read_game(handle), None))


@pytest.mark.slow  # two sessions of the script, each starting worker processes (about a minute on 2 busy cores)
def test_kill_9_of_a_running_job_then_the_same_command_resumes_it(start, tmp_path):
    run_dir = tmp_path / "run"
    command = [sys.executable, str(ROOT / "scripts" / "selfplay.py"), "--start", str(start), "--run-dir", str(run_dir)]
    command += [*TINY_ARGS, "--backend", "process", "--workers", "1", "--generations", "4", "--no-progress"]
    job = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, env=checkout_env()
    )
    try:
        deadline = time.monotonic() + 180
        while not (run_dir / "state.pt").is_file():
            assert job.poll() is None, job.stdout.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 3 minutes"
            time.sleep(0.2)
        job.send_signal(signal.SIGKILL)  # the driver only: its workers must notice and go
        job.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _group_alive(job.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(job.pid), "worker processes outlived their killed driver"
    finally:
        if _group_alive(job.pid):
            os.killpg(job.pid, signal.SIGKILL)
        job.stdout.close()
    killed_at = json.loads((run_dir / "metrics.jsonl").read_text().splitlines()[-1])["generation"]
    assert killed_at < 4

    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=checkout_env())
    assert finished.returncode == 0, finished.stderr
    assert "resumed" in finished.stderr and "self-play: generation 4" in finished.stdout
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["generation"] for line in lines] == [1, 2, 3, 4, 4]
    assert lines[-1]["session"] == 2
    progress = torch.load(run_dir / "state.pt", weights_only=True)["progress"]
    assert progress["games"] == _pgn_games(run_dir / "games.pgn") and progress["pending_eval"] == []
    assert json.loads((run_dir / "elo.json").read_text())["rows"][-1]["generation"] == 4


def test_ray_backend_plays_with_two_local_actors(start, tmp_path):
    pytest.importorskip("ray")
    config = SelfPlayConfig(
        start=str(start),
        think=1,
        search=2,
        considered=2,
        concurrent=2,
        ply_cap=8,
        buffer_size=200,
        min_buffer=16,
        batch_size=8,
        publish_every=2,
        eval_every=1,
        eval_pairs=1,
        eval_stockfish_nodes=0,
    )
    options = RunOptions(backend="ray", workers=2, generations=1, progress=False)
    progress = SelfPlayRun(config, tmp_path / "run", options).run()
    assert progress["generation"] == 1 and progress["backend"] == "ray" and progress["workers"] == 2
    assert progress["games"] >= 2 and progress["games"] == _pgn_games(tmp_path / "run" / "games.pgn")
    actors = {game.headers["Actor"] for game in _games(tmp_path / "run" / "games.pgn")}
    assert actors == {"0", "1"}  # both actors played
    assert json.loads((tmp_path / "run" / "elo.json").read_text())["rows"][0]["generation"] == 1


def _games(path: Path) -> list:
    with open(path) as handle:
        return list(iter(lambda: chess.pgn.read_game(handle), None))
