"""The evaluation protocol: the budget and readout are chosen on a validation split and reported on a test split drawn
with another seed; neither split is a training draw, and every card and report names its split."""

import json

import numpy as np
import pytest

from agents.problems import get_problem
from trainers import evaluation
from trainers.commands import evaluate, train
from trainers.evaluation import SPLIT_SEEDS, IterationCurve, recommend, split_seed, sweep
from trainers.recipes import RECIPES


def curve(last, max_conf=None) -> IterationCurve:
    last = np.asarray(last, dtype=float)
    return IterationCurve(last, np.asarray(max_conf if max_conf is not None else last, dtype=float), 100)


def test_the_splits_differ_from_each_other_and_from_every_training_seed():
    assert split_seed("validation") != split_seed("test")
    training_seeds = {seed for recipe in RECIPES.values() for seed in (recipe.seed, recipe.split_seed)}
    assert not training_seeds & set(SPLIT_SEEDS.values())
    with pytest.raises(ValueError, match="split is one of"):
        split_seed("train")
    problem = get_problem("prefix_sums")
    validation, test = (problem.generate(50, 32, np.random.default_rng([split_seed(s), 32]))[0] for s in SPLIT_SEEDS)
    assert not {row.tobytes() for row in validation} & {row.tobytes() for row in test}


def test_recommend_takes_the_settled_budget_of_the_better_readout():
    # The last iterate peaks at 3 and overthinks; the most confident readout holds its peak from 4.
    overthinks = {8: curve([0.2, 0.6, 1.0, 0.9, 0.5], [0.2, 0.6, 0.9, 1.0, 1.0])}
    assert recommend(overthinks) == {"think": 3, "readout": "last", "accuracy": {"8": 1.0}}  # a tie: the last
    later = {8: curve([0.2, 0.6, 0.9, 0.8, 0.5], [0.2, 0.6, 0.9, 0.95, 0.95])}
    assert recommend(later) == {"think": 4, "readout": "max_conf", "accuracy": {"8": 0.95}}
    # Every size must have settled: the slower one sets the budget.
    two = {8: curve([1.0, 1.0, 1.0]), 16: curve([0.0, 0.5, 1.0])}
    assert recommend(two)["think"] == 3


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protocol")
    run = ["--recipe", "prefix_sums_tiny", "--run-dir", str(folder / "run"), "--no-progress", "--epochs", "1"]
    train.main([*run, "--export", str(folder / "tiny")])
    return folder / "tiny"


def test_the_recommendation_reads_only_the_validation_split_and_the_card_reports_the_test_split(
    tiny, tmp_path, monkeypatch, capsys
):
    drawn: list[int] = []  # the seed of each sweep, in order
    read: list[set] = []  # the seeds of the curves each recommendation read

    def recording_sweep(*args, **kwargs):
        curves = sweep(*args, **kwargs)
        seed = SPLIT_SEEDS[args[5]]
        drawn.append(seed)
        for c in curves.values():
            c.seed = seed
        return curves

    def recording_recommend(curves, *args):
        read.append({c.seed for c in curves.values()})
        return recommend(curves, *args)

    monkeypatch.setattr(evaluate, "sweep", recording_sweep)
    monkeypatch.setattr(evaluate, "recommend", recording_recommend)
    flags = ["--checkpoint", str(tiny), "--sizes", "8", "12", "--think", "6", "--samples", "30", "--marks", "2"]
    evaluate.main([*flags, "--out", str(tmp_path), "--update-card", "--recommend", "-1"])
    validation, test = SPLIT_SEEDS["validation"], SPLIT_SEEDS["test"]
    assert drawn == [validation, test] and read == [{validation}]
    printed = capsys.readouterr().out
    assert f"the test split (seed {test})" in printed and f"validation split (seed {validation})" in printed

    card = json.loads(tiny.with_suffix(".json").read_text())
    assert (card["evaluation"]["split"], card["evaluation"]["seed"]) == ("test", test)
    chosen = card["evaluation"]["recommendation"]
    assert (chosen["split"], chosen["seed"]) == ("validation", validation)
    assert (card["recommended_think"], card["readout"]) == (chosen["think"], chosen["readout"])
    check = card["evaluation"]["results"]["budget_check"]["8"]
    assert (check["think"], check["readout"]) == (chosen["think"], chosen["readout"])
    report = json.loads((tmp_path / "tiny_eval.json").read_text())
    assert (report["split"], report["seed"]) == ("test", test)


def test_a_card_is_never_written_from_the_validation_split(tiny, tmp_path):
    flags = ["--checkpoint", str(tiny), "--sizes", "8", "--think", "3", "--samples", "10", "--out", str(tmp_path)]
    with pytest.raises(ValueError, match="needs --split test"):
        evaluate.main([*flags, "--split", "validation", "--update-card"])
    with pytest.raises(ValueError, match="add --update-card"):
        evaluate.main([*flags, "--recommend", "-1"])
    evaluate.main([*flags, "--split", "validation"])  # a look at validation alone is fine, and says so
    report = json.loads((tmp_path / "tiny_eval.json").read_text())
    assert (report["split"], report["seed"]) == ("validation", SPLIT_SEEDS["validation"])


def test_sweep_draws_each_size_from_the_split_seed(monkeypatch):
    problem = get_problem("prefix_sums")
    expected = problem.generate(5, 8, np.random.default_rng([SPLIT_SEEDS["test"], 8]))[0]
    seen = []

    def spy(net, problem, inputs, *args, **kwargs):
        seen.append(inputs)
        return curve([0.0])

    monkeypatch.setattr(evaluation, "accuracy_per_iteration", spy)
    sweep(None, problem, [8], 1, 5, "test")
    assert np.array_equal(seen[0], expected)
