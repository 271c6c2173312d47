"""The command-line scripts, end to end on a tiny recipe (they hold no logic of their own)."""

import json
import sys

import pytest

from trainers.commands import bench, evaluate, halting_rules, mine_chess_puzzles, train

COMMANDS = {
    "train": train,
    "evaluate": evaluate,
    "mine_chess_puzzles": mine_chess_puzzles,
    "bench": bench,
    "halting_rules": halting_rules,
}


def script(name):
    return COMMANDS[name]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    train.main(
        [
            "--recipe",
            "prefix_sums_tiny",
            "--run-dir",
            str(folder / "run"),
            "--no-progress",
            "--export",
            str(folder / "tiny"),
            "--set",
            "epochs=1",
        ]
    )
    return folder


def test_train_exports_a_checkpoint_with_a_card(tiny):
    card = json.loads((tiny / "tiny.json").read_text())
    assert card["problem"] == "prefix_sums" and card["recipe"]["epochs"] == 1
    assert (tiny / "tiny.safetensors").is_file()


def test_evaluate_writes_table_json_plot_pictures_and_card(tiny, capsys):
    out = tiny / "reports"
    evaluate.main(
        [
            "--checkpoint",
            str(tiny / "tiny"),
            "--sizes",
            "8",
            "12",
            "--think",
            "6",
            "--samples",
            "30",
            "--marks",
            "2",
            "4",
            "--out",
            str(out),
            "--update-card",
            "--recommend",
            "-1",
            "--pictures",
            "2",
            "5",
            "--gain-from",
            "2",
            "--baseline",  # itself: at its own training depth the paired difference is exactly zero
            str(tiny / "tiny"),
        ]
    )
    printed = capsys.readouterr().out
    assert "exact match" in printed and "gain over iteration 2" in printed and "paired points" in printed
    report = json.loads((out / "tiny_eval.json").read_text())
    assert set(report["curves"]) == {"8", "12"} and len(report["curves"]["8"]["last"]) == 6
    for name in ("tiny_eval.png", "tiny_thinking_8.png", "tiny_thinking_12.png"):
        assert (out / name).is_file()
    card = json.loads((tiny / "tiny.json").read_text())
    assert card["evaluation"]["command"].startswith("python scripts/evaluate.py")
    assert 1 <= card["recommended_think"] <= 6
    gains = card["evaluation"]["results"]["8"]["gains"]
    baseline = card["evaluation"]["results"]["8"]["baseline"]
    assert baseline["iterations"] == 6 and baseline["difference"]["6"] == {"points": 0.0, "interval": [0.0, 0.0]}
    assert baseline["interval"][0] <= baseline["accuracy"] <= baseline["interval"][1]
    assert [g["to"] for g in gains] == [4, 6] and all(
        g["interval"][0] <= g["points"] <= g["interval"][1] for g in gains
    )


def test_bench_prints_ratios(tiny, capsys):
    script("bench").main(
        [
            "--checkpoint",
            str(tiny / "tiny"),
            "--train-batches",
            "1",
            "--test-bits",
            "16",
            "--test-samples",
            "20",
            "--think",
            "4",
            "--strings",
            "10",
            "--out",
            str(tiny / "bench"),
        ]
    )
    assert "1.00x" in capsys.readouterr().out
    bench = json.loads((tiny / "bench" / "bench.json").read_text())
    assert len(bench["results"]) == 4
    halting = bench["results"][-1]["extra"]
    assert 0 < halting["auto_iteration_share"] <= 1
    assert 0 < halting["first_right_share"] <= 1
    assert halting["auto_minus_fixed_points"] == pytest.approx(
        100 * (halting["auto_exact_match"] - halting["solver_exact_match"])
    )


def test_bench_solvers_only_times_each_solver_against_its_classical_algorithm(tiny):
    out = tiny / "bench_solvers"
    flags = ["--solvers-only", "--test-bits", "16", "--strings", "10", "--out", str(out)]
    script("bench").main(["--checkpoint", str(tiny / "tiny"), *flags])
    results = json.loads((out / "bench.json").read_text())["results"]
    assert [r["workload"] for r in results] == ["prefix sums, 16 bits (10 strings)"]
    assert set(results[0]["extra"]) >= {"auto_iteration_share", "first_right_share", "auto_minus_fixed_points"}


def test_bench_solve_paths_times_the_original_solve_beside_todays(tiny):
    out = tiny / "bench_paths"
    flags = ["--solve-paths", "--test-bits", "16", "--strings", "4", "--halt-every", "1", "2"]
    mazes = ["--maze-checkpoint", "mazes", "--maze-size", "9", "--maze-count", "2"]
    script("bench").main(["--checkpoint", str(tiny / "tiny"), *flags, *mazes, "--out", str(out)])
    report = json.loads((out / "bench.json").read_text())
    assert (report["split"], report["split_seed"]) == ("test", 2027)
    for workload in report["solve_paths"]:
        original, fixed, *auto = workload["paths"]
        assert original["name"].startswith("original") and len(auto) == 2
        assert original["exact"] == fixed["exact"]  # the same answers, computed two ways
        assert all(p["cpu"] > 0 and 0 < p["iteration_share"] <= 1 for p in workload["paths"])
    script("bench").main(["--checkpoint", str(tiny / "tiny"), *flags, "--split", "validation", "--out", str(out)])
    assert json.loads((out / "bench.json").read_text())["split_seed"] == 1234  # where halt_every is chosen


def test_halting_rules_replays_a_grid_of_rules(tiny):
    out = tiny / "halting"
    flags = ["--size", "12", "--count", "8", "--think", "6", "--patience", "1", "3", "--confidence", "0", "0.9"]
    script("halting_rules").main(["--checkpoint", str(tiny / "tiny"), *flags, "--out", str(out)])
    report = json.loads((out / "halting_rules.json").read_text())
    assert report["think"] == 6 and 0 < report["floor"] <= 1
    assert [(r["patience"], r["confidence"]) for r in report["rules"]] == [(1, 0.0), (1, 0.9), (3, 0.0), (3, 0.9)]
    assert all(0 < r["iteration_share"] <= 1 for r in report["rules"])
    with pytest.raises(ValueError, match="count"):
        script("halting_rules").main(["--checkpoint", str(tiny / "tiny"), "--count", "0"])


@pytest.mark.parametrize("name", ["train", "evaluate", "bench", "halting_rules", "mine_chess_puzzles"])
def test_every_script_explains_its_flags(name, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name, "--help"])
    with pytest.raises(SystemExit) as exit_info:
        script(name).main(["--help"])
    assert exit_info.value.code == 0
    assert "--" in capsys.readouterr().out


def test_a_smoke_recipe_says_it_is_one(tmp_path, capsys):
    from trainers.recipes import RECIPES, SMOKE_TESTS

    train.main(["--recipe", "prefix_sums_tiny", "--run-dir", str(tmp_path / "run"), "--no-progress", "--epochs", "1"])
    assert "smoke test" in capsys.readouterr().out
    assert set(SMOKE_TESTS) <= set(RECIPES)


def test_a_threads_flag_sets_torchs_threads_in_parse_args():
    import dataclasses

    import torch

    from trainers.cli import parse_args, threads_arg

    @dataclasses.dataclass
    class Args:
        threads: int = threads_arg()

    before = torch.get_num_threads()
    try:
        assert parse_args(Args, ["--threads", "1"]).threads == 1 and torch.get_num_threads() == 1
        assert parse_args(Args, []).threads == 0 and torch.get_num_threads() == 1  # 0 leaves it as it is
    finally:
        torch.set_num_threads(before)
