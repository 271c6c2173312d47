"""Self-play runs (inline backend): the folder, resume after a kill, the gate, the export, the scripts."""

import json

import chess
import chess.pgn
import pytest
import torch

from agents.checkpoint import save_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.chess_policy import load_policy
from tests.test_tournament import needs_stockfish
from trainers.commands import selfplay as selfplay_command
from trainers.commands import selfplay_bench
from trainers.selfplay import RunOptions, SelfPlayConfig, SelfPlayRun

TINY = {"width": 8, "policy_width": 8, "value_width": 8}


@pytest.fixture
def tiny_net():
    torch.manual_seed(0)
    return ChessNetwork(ChessNetworkConfig(**TINY))


@pytest.fixture
def start(tmp_path, tiny_net):
    card = {"problem": "chess_game", "recipe": {"max_iters": 2}, "strength": {"think": 2}}  # a measurement of the start
    return save_checkpoint(tmp_path / "start", tiny_net, card)


def tiny_recipe(start, **changes):
    values = dict(
        start=str(start),
        think=1,
        search=2,
        considered=2,
        concurrent=4,
        ply_cap=10,
        buffer_size=400,
        min_buffer=20,
        batch_size=8,
        sample_reuse=2.0,
        publish_every=2,
        eval_every=1,
        eval_pairs=1,
        eval_stockfish_nodes=0,
    )
    return SelfPlayConfig(**{**values, **changes})


def test_a_run_publishes_generations_keeps_every_game_and_resumes(start, tmp_path, monkeypatch):
    config = tiny_recipe(start)
    folder = tmp_path / "run"
    options = RunOptions(backend="inline", generations=2, progress=False)
    progress = SelfPlayRun(config, folder, options).run()
    assert progress["generation"] == 2 and progress["steps"] == 4 and progress["games"] >= 4
    lines = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [line["generation"] for line in lines] == [1, 2, 2] and lines[-1]["final"]
    for key in ("games_per_min", "buffer", "policy_loss", "value_loss", "elo", "positions"):
        assert key in lines[0]
    with open(folder / "games.pgn") as handle:
        games = iter(lambda: chess.pgn.read_game(handle), None)
        assert sum(1 for _ in games) == progress["games"]
    table = json.loads((folder / "elo.json").read_text())
    assert {row["generation"] for row in table["rows"]} == {1, 2}
    assert {r["player"] for r in table["ratings"]} == {"gen 0", "gen 1", "gen 2"}
    snapshot = load_policy(folder / "generations" / "gen_000002").card
    assert snapshot["selfplay_generation"] == 2 and "strength" not in snapshot  # the start's figures stay behind

    with pytest.raises(ValueError, match="another config"):
        SelfPlayRun(tiny_recipe(start, lr=1e-3), folder, options).run()
    more = SelfPlayRun(config, folder, RunOptions(backend="inline", generations=3, progress=False)).run()
    assert more["generation"] == 3 and more["session"] == 2 and more["games"] >= progress["games"]
    assert [json.loads(line)["generation"] for line in (folder / "metrics.jsonl").read_text().splitlines()] == [
        1,
        2,
        3,
        3,
    ]
    assert len(list(folder.glob("buffer_*.npz"))) == 1

    stats = SelfPlayRun(config, folder, options).gate(2)
    assert stats.games == 4
    assert SelfPlayRun(config, folder, options).gate(2) == stats  # deterministic players: not replayed
    trained_on = more["hardware"]
    monkeypatch.setattr("trainers.selfplay.run.hardware", lambda: "the exporting machine")
    policy = load_policy(SelfPlayRun(config, folder, options).export(tmp_path / "chess"))
    card = policy.card["selfplay"]
    assert card["generation"] == 3 and card["games"] == more["games"] and card["hardware"] == trained_on
    assert card["recipe"]["search"] == 2 and {"player": "gen 0", "elo": 0.0} in [
        {k: r[k] for k in ("player", "elo")} for r in card["elo"]
    ]
    start_weights = load_policy(start).net.state_dict()
    assert any(not torch.equal(start_weights[k], v) for k, v in policy.net.state_dict().items())


def test_a_run_needs_a_recipe():
    with pytest.raises(TypeError, match="SelfPlayConfig"):
        SelfPlayRun({"start": "chess"}, "runs/x")


def test_writes_after_the_last_checkpoint_are_undone_on_resume(start, tmp_path):
    """What a kill between two checkpoints leaves (games, metric lines, a half-written file) is cut back to the
    checkpoint, and the run goes on from there (the subprocess ``kill -9`` test is in test_selfplay_backends)."""
    config, folder = tiny_recipe(start, eval_every=0), tmp_path / "run"
    first = SelfPlayRun(config, folder, RunOptions(backend="inline", generations=1, progress=False)).run()
    pgn = (folder / "games.pgn").read_text()
    with open(folder / "games.pgn", "a") as handle:
        handle.write(pgn.split("\n\n\n")[0] + "\n\n[Event")  # a game after the checkpoint, and a torn one
    with open(folder / "metrics.jsonl", "a") as handle:
        handle.write('{"generation": 2, "steps": 4}\n{"generation": 3, "ste')
    (folder / ".state.pt.123.tmp").write_bytes(b"half a state")  # what atomic_write leaves if killed mid-write
    progress = SelfPlayRun(config, folder, RunOptions(backend="inline", generations=2, progress=False)).run()
    assert progress["session"] == 2 and progress["games"] >= first["games"]
    lines = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [line["generation"] for line in lines] == [1, 2, 2]
    with open(folder / "games.pgn") as handle:
        games = list(iter(lambda: chess.pgn.read_game(handle), None))
    assert len(games) == progress["games"] and [g.headers["Round"] for g in games] == [
        str(i) for i in range(1, len(games) + 1)
    ]


@needs_stockfish
def test_the_evaluator_plays_stockfish_as_a_fixed_anchor(start, tmp_path):
    config = tiny_recipe(start, eval_stockfish_nodes=1)
    SelfPlayRun(config, tmp_path / "run", RunOptions(backend="inline", generations=1, progress=False)).run()
    players = {r["player"] for r in json.loads((tmp_path / "run" / "elo.json").read_text())["ratings"]}
    assert players == {"gen 1", "gen 0", "stockfish nodes=1"}


def test_bench_times_each_case_and_reports_speedups(start, tmp_path):
    bench = selfplay_bench
    out = tmp_path / "bench.json"
    flags = ["--start", str(start), "--cases", "inline:1", "inline:1", "--warmup", "0", "--seconds", "2"]
    bench.main([*flags, "--think", "1", "--search", "2", "--concurrent", "2", "--ply-cap", "4", "--out", str(out)])
    report = json.loads(out.read_text())
    assert [row["case"] for row in report["rows"]] == ["inline x1", "inline x1"]
    assert report["rows"][0]["games"] > 0 and report["speedups"]["inline x1"]["games_per_min"] > 0
    assert report["command"].startswith("python scripts/selfplay_bench.py")
    with pytest.raises(ValueError, match="BACKEND:WORKERS"):
        bench.main(["--cases", "process"])
    with pytest.raises(ValueError, match="backend"):
        bench.main(["--cases", "threads:2"])


def test_script_runs_gates_and_exports(start, tmp_path, capsys):
    selfplay = selfplay_command
    flags = ["--start", str(start), "--run-dir", str(tmp_path / "run"), "--backend", "inline", "--no-progress"]
    tiny = ["--think", "1", "--search", "2", "--concurrent", "2", "--ply-cap", "6", "--min-buffer", "8"]
    tiny += ["--batch-size", "4", "--publish-every", "1", "--eval-every", "0", "--buffer-size", "100"]
    selfplay.main([*flags, *tiny, "--generations", "1", "--gate-pairs", "1", "--export", str(tmp_path / "final")])
    out = capsys.readouterr().out
    assert "self-play: generation 1" in out and "gate: generation 1 vs generation 0" in out and "exported" in out
    assert "drew" in out and (tmp_path / "run" / "elo.png").stat().st_size > 1000  # the gate is in the table
    assert load_policy(tmp_path / "final").card["selfplay"]["generation"] == 1
    with pytest.raises(SystemExit) as exit_info:
        selfplay.main(["--help"])
    assert exit_info.value.code == 0 and "--backend" in capsys.readouterr().out
