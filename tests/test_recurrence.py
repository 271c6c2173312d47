"""Recurrence against depth: the loop score and the one-command report."""

import json

import numpy as np
import pytest

from agents.checkpoint import save_checkpoint
from agents.networks import NetworkConfig, build_network
from tests.test_networks import loop_as_soft_net
from trainers.commands import recurrence as recurrence_command
from trainers.recurrence import loop_score


def test_the_loop_score_is_one_for_a_loop_and_zero_for_no_structure():
    _, soft = loop_as_soft_net(2)
    assert loop_score(soft.layer_similarity().numpy(), 4) == pytest.approx(1.0)
    assert loop_score(np.ones((8, 8)), 4) == pytest.approx(0.0)


def test_the_command_compares_models_of_equal_depth(tmp_path):
    loop, soft = loop_as_soft_net(2)
    save_checkpoint(tmp_path / "soft", soft, {"problem": "mazes"})
    save_checkpoint(tmp_path / "loop", loop, {"problem": "mazes"})
    ff = build_network(NetworkConfig(kind="ff", dims=2, in_channels=3, width=6, max_iters=4))
    save_checkpoint(tmp_path / "ff", ff, {"problem": "mazes"})
    recurrence_command.main(
        ["--models", f"ff={tmp_path / 'ff'}", f"soft={tmp_path / 'soft'}", f"loop={tmp_path / 'loop'}"]
        + ["missing=runs/none/best", "--sizes", "5", "--samples", "3", "--think", "6"]
        + ["--out", str(tmp_path / "report")]
    )
    report = json.loads((tmp_path / "report" / "recurrence.json").read_text())
    assert report["models"]["soft"]["loop_score"] == pytest.approx(1.0)
    assert report["models"]["ff"]["depth"] == 4 and "loop_score" not in report["models"]["ff"]
    # The loop is the soft net's twin: equal at their depth, and it may think on.
    assert report["models"]["loop"]["at_depth_5"] == report["models"]["soft"]["at_depth_5"]
    assert "best_within_6_5" in report["models"]["loop"]
    assert report["notes"] == ["missing: no checkpoint at `runs/none/best` (left out)"]
    assert (tmp_path / "report" / "layer_similarity.png").stat().st_size > 0
    assert "| soft |" in (tmp_path / "report" / "recurrence.md").read_text()
