import numpy as np
import torch

from agents import NetworkConfig, build_network
from agents.problems import get_problem
from trainers.evaluation import accuracy_per_iteration, score_at, summarise


def test_streamed_curves_match_per_iteration_forwards():
    torch.manual_seed(1)
    problem = get_problem("prefix_sums")
    net = build_network(NetworkConfig(width=8, blocks=1)).eval()
    inputs, targets = problem.generate(40, 6, np.random.default_rng(0))
    curve = accuracy_per_iteration(net, problem, inputs, targets, iters=6, batch_size=16)
    x, y = problem.encode(inputs), problem.encode_target(targets)
    confidences, oks = [], []
    for t in range(1, 7):
        assert np.isclose(curve.last[t - 1], score_at(net, problem, inputs, targets, t)[0])
        with torch.no_grad():
            logits, _ = net(x, t)
        confidences.append(problem.confidence(logits, x))
        oks.append(problem.exact(problem.predict(logits, x), y))
    # max-confidence readout: the most confident iterate among 1..t
    conf, ok = torch.stack(confidences), torch.stack(oks)
    for t in range(6):
        best = conf[: t + 1].argmax(dim=0)
        expected = ok[: t + 1].gather(0, best[None])[0].float().mean()
        assert np.isclose(curve.max_conf[t], float(expected))


def test_gain_is_the_paired_difference_with_its_interval():
    from trainers.evaluation import IterationCurve

    solved = np.zeros((100, 3), dtype=bool)
    solved[:40, 0] = True  # 40 solved at iteration 1
    solved[10:70, 2] = True  # 60 at iteration 3: 30 gained, 10 lost
    curve = IterationCurve(solved.mean(axis=0), np.zeros(3), 100, solved)
    gain = curve.gain(1, 3)
    difference = solved[:, 2].astype(float) - solved[:, 0]
    half = 196 * difference.std(ddof=1) / 10
    assert gain["points"] == 20.0 and gain["from"] == 1 and gain["to"] == 3
    assert np.allclose(gain["interval"], [20 - half, 20 + half], atol=0.01)
    assert curve.gain(2, 2)["points"] == 0.0


def test_summary_reports_peak_and_overthinking():
    from trainers.evaluation import IterationCurve

    curve = IterationCurve(np.array([0.1, 0.9, 0.95, 0.94, 0.92]), np.zeros(5), 100)
    summary = summarise(curve, [2, 5, 9])
    assert summary["peak_iteration"] == 3 and summary["peak"] == 0.95
    assert summary["lowest_after_peak"] == 0.92
    assert set(summary["last_iterate"]) == {"2", "5"}


def test_eager_baseline_computes_the_same_network():
    from trainers.benchmark import EagerDTRecall1D

    torch.manual_seed(2)
    net = build_network(NetworkConfig(width=8, blocks=2)).eval()
    eager = EagerDTRecall1D(net).eval()
    x = torch.randn(3, 1, 20)
    with torch.no_grad():
        outputs, _ = eager.original_forward(x, 4)
        for i, ((logits, _), (plain, _)) in enumerate(zip(net.iterate(x, 4), eager.iterate(x, 4), strict=True)):
            assert torch.allclose(outputs[:, i], logits, atol=1e-5)
            assert torch.allclose(plain, logits, atol=1e-5)


def test_plots_write_png_files(tmp_path):
    from puzzles import mazes
    from trainers.evaluation import IterationCurve
    from trainers.plots import plot_accuracy_curves, plot_thinking

    curves = {32: IterationCurve(np.linspace(0, 1, 10), np.linspace(0, 1, 10), 5)}
    plot_accuracy_curves(curves, tmp_path / "curves.png", "test", train_iters=3, size_label="bits")
    bits = np.array([1, 0, 1, 1], dtype=np.uint8)
    plot_thinking(bits, bits, {1: 1 - bits, 2: bits}, tmp_path / "bits.png", "bits")
    images, paths = mazes.generate(1, 9, 0)
    plot_thinking(images[0], paths[0], {5: paths[0] * 0, 9: paths[0]}, tmp_path / "maze.png", "maze")
    for name in ("curves.png", "bits.png", "maze.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_solved_when_reports_the_iterations_needed_and_the_wrong_positions():
    from agents import load_solver
    from puzzles import prefix_sums
    from trainers.evaluation import solved_when

    solver = load_solver("prefix_sums")
    bits, _ = prefix_sums.generate(3, 24, 5)
    target = prefix_sums.solve(bits)
    reports, answers = solved_when(solver, bits, target, cap=40)
    assert answers.shape == target.shape and len(reports) == 3
    for report in reports:
        assert report["exact_at_cap"] and 1 <= report["first_exact_iteration"] <= 40
        assert report["wrong_at_cap"] == 0 == report["fewest_wrong"]
    reports, _ = solved_when(solver, bits, 1 - target, cap=2)  # every answer wrong everywhere
    assert all(r["first_exact_iteration"] is None and r["wrong_at_cap"] > 0 for r in reports)


def test_halting_floor_is_the_mean_first_right_iteration():
    from agents import load_solver
    from agents.solver import Solver
    from puzzles import prefix_sums
    from trainers.evaluation import solved_when
    from trainers.halting import trace_halting

    shipped = load_solver("prefix_sums")
    solver = Solver(shipped.net, shipped.problem, {"readout": "last"})
    bits, _ = prefix_sums.generate(6, 40, 3)
    target = prefix_sums.solve(bits)
    reports, _ = solved_when(solver, bits, target, cap=30)
    first = [r["first_exact_iteration"] or 30 for r in reports]
    assert 1 < np.mean(first) < 30
    assert np.isclose(trace_halting(solver, bits, target, 30).floor(), np.mean(first) / 30)
    assert trace_halting(solver, bits, 1 - target, 30).floor() == 1.0  # never right: the whole budget
