"""The graded-set and classical-benchmark commands, end to end on tiny sets."""

import json
import sys

import numpy as np
import pytest

from puzzles import sudoku
from puzzles.storage import load_arrays
from puzzles.sudoku_generate import is_minimal
from puzzles.sudoku_techniques import Grade, rate
from trainers.commands import bench_sudoku_classical, make_sudoku_set

COMMANDS = {"make_sudoku_set": make_sudoku_set, "bench_sudoku_classical": bench_sudoku_classical}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sets") / "sample.npz"
    make_sudoku_set.main(["--count", "3", "--grade", "any", "--seed", "4", "--out", str(out)])
    return out


def test_a_sample_keeps_every_puzzle_with_its_grade_and_a_summary(sample):
    arrays = load_arrays(sample, ["puzzles", "solutions", "grades", "counts", "tries", "seconds", "cpu_seconds"])
    assert arrays["puzzles"].shape == (3, 9, 9) and arrays["tries"].tolist() == [1, 1, 1]
    assert all(is_minimal(p) for p in arrays["puzzles"])
    assert [int(rate(p).grade) for p in arrays["puzzles"]] == arrays["grades"].tolist()
    summary = json.loads(sample.with_suffix(".json").read_text())
    assert summary["puzzles"] == 3 and summary["command"].startswith("python scripts/make_sudoku_set.py")
    assert sum(entry["puzzles"] for entry in summary["grades"].values()) == 3
    assert sum(entry["share"] for entry in summary["grades"].values()) == pytest.approx(1)
    present = [entry for entry in summary["grades"].values() if entry["puzzles"]]
    assert all(entry["expected_seconds_per_puzzle"] > 0 for entry in present)
    assert all(entry["expected_cpu_seconds_per_puzzle"] > 0 for entry in present)


def test_a_graded_set_with_givens_keeps_only_that_grade(tmp_path):
    out = tmp_path / "hidden.npz"
    flags = ["--count", "2", "--grade", "hidden_singles", "--givens", "32", "--seed", "1", "--out", str(out)]
    make_sudoku_set.main(flags)
    arrays = load_arrays(out, ["puzzles", "grades"])
    assert arrays["grades"].tolist() == [Grade.HIDDEN_SINGLES] * 2
    assert ((arrays["puzzles"] > 0).sum((1, 2)) == 32).all()
    summary = json.loads(out.with_suffix(".json").read_text())
    assert "expected_seconds_per_puzzle" not in summary["grades"]["hidden_singles"]


def test_the_classical_benchmark_times_both_solvers_by_grade(sample, tmp_path):
    bench_sudoku_classical.main(["--set", str(sample), "--count", "3", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "sudoku_classical.json").read_text())
    assert report["puzzles"] == 3 and len(report["solvers"]) == 2
    for solver in report["solvers"].values():
        assert solver["ms_per_puzzle"] > 0 and len(solver["seconds_each"]) == 3
        assert sum(entry["puzzles"] for entry in solver["by_grade"].values()) == 3


def test_the_classical_benchmark_times_a_product_solver_beside_its_network_alone(sample, tmp_path):
    import shutil

    from agents.checkpoint import SHIPPED_DIR

    shutil.copy(SHIPPED_DIR / "sudoku.safetensors", tmp_path / "product.safetensors")
    card = json.loads((SHIPPED_DIR / "sudoku.json").read_text())
    (tmp_path / "product.json").write_text(json.dumps({**card, "wider": {"max_calls": 2, "branch_think": 2}}))
    product = str(tmp_path / "product")
    flags = ["--set", str(sample), "--count", "3", "--out", str(tmp_path), "--solver", product]
    bench_sudoku_classical.main([*flags, "--think", "3", "--card-section", "sample"])
    thinking = json.loads((tmp_path / "sudoku_classical.json").read_text())["thinking"]
    alone, wider = thinking[f"{product}: network alone"], thinking[f"{product}: thinking wider"]
    assert alone["extra_network_runs"]["max"] == 0 and alone["iterations_per_puzzle"] == 3
    assert wider["solved"] >= alone["solved"] and wider["extra_network_runs"]["max"] <= wider["settings"]["max_calls"]
    card = json.loads((tmp_path / "product.json").read_text())
    assert card["wider_benchmark"]["sample"]["thinking"] == thinking


def test_the_benchmark_refuses_a_set_whose_solutions_are_wrong(sample, tmp_path):
    from puzzles.storage import save_arrays

    arrays = load_arrays(sample, ["puzzles", "solutions", "grades"])
    wrong = arrays["solutions"].copy()
    wrong[0] = sudoku.solve(arrays["puzzles"][1])[0]
    save_arrays(tmp_path / "wrong.npz", puzzles=arrays["puzzles"], solutions=wrong, grades=arrays["grades"])
    with pytest.raises(ValueError, match="disagrees with the set's solutions"):
        bench_sudoku_classical.main(["--set", str(tmp_path / "wrong.npz"), "--out", str(tmp_path)])


@pytest.mark.parametrize(
    ("name", "flags", "message"),
    [
        ("make_sudoku_set", ["--grade", "hardest"], "unknown grade"),
        ("make_sudoku_set", ["--count", "0"], "--count must be at least 1"),
        ("bench_sudoku_classical", ["--repeats", "0"], "at least 1"),
    ],
)
def test_bad_flags_get_clear_errors(name, flags, message):
    with pytest.raises(ValueError, match=message):
        COMMANDS[name].main(flags)


@pytest.mark.parametrize("name", ["make_sudoku_set", "bench_sudoku_classical"])
def test_the_scripts_explain_their_flags(name, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name, "--help"])
    with pytest.raises(SystemExit) as exit_info:
        COMMANDS[name].main(["--help"])
    assert exit_info.value.code == 0 and "--seed" in capsys.readouterr().out


def test_fresh_puzzles_are_minimal_when_no_set_is_given(tmp_path):
    args = bench_sudoku_classical.Args(set="", count=2, seed=3, repeats=1, out=str(tmp_path))
    puzzles, solutions, grades = bench_sudoku_classical.load_batch(args)
    assert puzzles.shape == (2, 9, 9) and all(is_minimal(p) for p in puzzles)
    assert np.array_equal(sudoku.solve(puzzles), solutions) and grades.shape == (2,)
