"""The ``chess_puzzles`` problem: FENs in, UCI moves out, the origin/destination target, its data shares, and a
tiny training run through the trainer and the solver (no Stockfish: hand-made puzzles)."""

import pickle

import chess
import numpy as np
import pytest
import torch

from agents.networks import build_network
from agents.problems import ROOT, ChessPuzzles, get_problem
from agents.solver import Solver, load_solver
from puzzles.chess_puzzles import mirror_files
from tests.helpers import solved_chess_puzzles, train_tiny_chess_solver, write_chess_puzzles
from trainers.evaluation import sweep
from trainers.recipes import get_recipe


@pytest.fixture
def problem(chess_puzzle_csv):
    return get_problem("chess_puzzles")


def test_registered_with_its_shape_and_recipes_build():
    problem = get_problem("chess_puzzles")
    assert (problem.dims, problem.in_channels, problem.out_channels, problem.size_label) == (2, 12, 2, "difficulty")
    x = problem.encode([row["fen"] for row in solved_chess_puzzles()[:2]])
    for name, kind in (("chess_puzzles", "dt"), ("chess_puzzles_ff", "ff")):
        net = build_network(get_recipe(name, network={"width": 8}).network_config(problem))
        assert net.config.kind == kind and net.config.max_iters == 20
        assert net(x, 2)[0].shape == (2, 2, 8, 8)


def test_encode_sees_the_board_from_the_side_to_move():
    problem = get_problem("chess_puzzles")
    white, black = (row["fen"] for row in solved_chess_puzzles()[:2])  # White to move, then Black to move
    x = problem.encode(np.array([white, black]))
    assert x.shape == (2, 12, 8, 8) and x.dtype == torch.float32
    assert x[0, 0, 0, 4] == 1 and x[0, 6, 7, 4] == 1  # own king on e1, the opponent's on e8
    assert x[0, 1, 4, 7] == 1  # own queen on h5
    assert x[1, 0, 0, 4] == 1 and x[1, 6, 7, 4] == 1  # Black's king e8 mirrored onto e1; White's onto e8
    assert x[1, 1, 0, 3] == 1  # Black's queen d8 seen on d1
    assert x[1, 11, 4, 6] == 1  # White's pawn g4 seen on g5
    assert int(x[1].sum()) == 32


def test_encode_target_marks_origin_and_destination_in_the_movers_view(problem):
    rows = solved_chess_puzzles()
    y = problem.encode_target(ChessPuzzles.answers([r["fen"] for r in rows], [r["move"] for r in rows]))
    assert y.shape == (len(rows), 8, 8) and y.dtype == torch.int64
    assert (y.flatten(1).sum(1) == 2).all()
    assert y[0, 4, 7] == 1 and y[0, 6, 5] == 1  # h5f7
    assert y[1, 0, 3] == 1 and y[1, 4, 7] == 1  # Black's d8h4 seen as d1h5
    with pytest.raises(ValueError, match="index 0 .* does not carry its position"):
        problem.encode_target(np.array(["h5f7"], dtype=object))
    with pytest.raises(ValueError, match="index 0 .* illegal"):
        problem.encode_target(ChessPuzzles.answers([rows[0]["fen"]], ["e2e5"]))


def test_decode_of_the_perfect_map_is_the_best_move_for_either_side(problem):
    rows = solved_chess_puzzles()
    fens = np.array([r["fen"] for r in rows], dtype=object)
    answers = ChessPuzzles.answers(fens, [r["move"] for r in rows])
    y = problem.encode_target(answers)
    decoded = problem.decode(y, fens)
    assert decoded.dtype == object and list(decoded) == [r["move"] for r in rows]  # e7e8q, e2e1q: queens
    # The network's margins: exact match finds the two marked squares, and decode reads the same move off them.
    logits = torch.stack([torch.zeros_like(y, dtype=torch.float32), 4.0 * y - 2.0], dim=1)
    margins = problem.predict(logits, problem.encode(fens))
    assert margins.dtype == torch.float32 and problem.exact(margins, y).all()
    assert list(problem.decode(margins, fens)) == [r["move"] for r in rows]


def test_exact_is_the_originals_top_two_squares(problem):
    target = torch.zeros(1, 8, 8, dtype=torch.int64)
    target[0, 1, 4] = target[0, 3, 4] = 1  # e2e4 in the mover's view
    margins = torch.full((1, 8, 8), -3.0)
    margins[0, 1, 4], margins[0, 3, 4] = -1.0, -2.0  # no square is above zero, yet the top two are right
    assert problem.exact(margins, target).all()
    margins[0, 5, 5] = -1.5  # a third square outranks the destination
    assert not problem.exact(margins, target).any()
    margins[0, 5, 5] = -2.0  # a tie for second place marks three squares
    assert not problem.exact(margins, target).any()


def test_decode_always_answers_a_legal_move(problem):
    fens = [r["fen"] for r in solved_chess_puzzles()]
    n = len(fens)
    maps = [torch.zeros(n, 8, 8, dtype=torch.long), torch.ones(n, 8, 8), torch.randn(n, 8, 8)]
    for prediction in maps:
        for fen, uci in zip(fens, problem.decode(prediction, fens), strict=True):
            assert chess.Move.from_uci(uci) in chess.Board(fen).legal_moves
    # The map cannot tell promotions apart: an under-promotion's squares decode as the queen's.
    fen = solved_chess_puzzles()[6]["fen"]
    assert {m.uci() for m in chess.Board(fen).legal_moves} >= {"e7e8q", "e7e8n"}
    knight = problem.encode_target(ChessPuzzles.answers([fen], ["e7e8n"]))
    assert problem.decode(knight, [fen])[0] == "e7e8q"
    assert len(problem.decode(torch.zeros(0), [])) == 0


def test_validate_normalises_and_names_the_bad_index(problem):
    fens = [r["fen"] for r in solved_chess_puzzles()[:3]]
    for batch in (fens, np.array(fens), np.array(fens, dtype=object)):
        valid = problem.validate(batch)
        assert valid.dtype == object and valid.shape == (3,) and list(valid) == fens
    mated = chess.Board(fens[0])
    mated.push_uci(solved_chess_puzzles()[0]["move"])
    cases = [
        (fens[:1] + ["not a fen"], ValueError, "index 1 is not a FEN"),
        (fens[:2] + ["4k3/8/8/8/8/8/8/4KK2 w - - 0 1"], ValueError, "index 2 is not a legal chess position"),
        ([mated.fen()], ValueError, "index 0 is a finished game"),
        (fens[:1] + [3], TypeError, "index 1"),
        (np.array([fens]), ValueError, "1-D"),
        (fens[0], TypeError, "batch"),
    ]
    for batch, error, message in cases:
        with pytest.raises(error, match=message):
            problem.validate(batch)


def test_generate_draws_test_split_puzzles_of_the_asked_difficulty(problem):
    rows = {r["fen"]: r for r in solved_chess_puzzles()}
    for difficulty in (1, 2):
        fens, answers = problem.generate(50, difficulty, np.random.default_rng(difficulty))
        assert len(fens) == len(answers) == 50
        drawn = [rows[fen] for fen in fens]
        assert {(r["difficulty"], r["split"]) for r in drawn} == {(difficulty, "test")}
        assert len({r["id"] for r in drawn}) == 2  # both test puzzles of the level, with replacement
        assert [str(a) for a in answers] == [r["move"] for r in drawn]
    fens, _ = problem.generate(2, 1, np.random.default_rng(0))
    assert len(set(fens)) == 2  # without replacement when there are enough
    with pytest.raises(ValueError, match=r"test puzzles.*difficulty 3.*1 \(2\), 2 \(2\)"):
        problem.generate(1, 3, np.random.default_rng(0))


def test_validation_and_test_draw_from_disjoint_shares(problem):
    rows = {r["fen"]: r for r in solved_chess_puzzles()}
    for split in ("validation", "test"):
        fens, _ = problem.held_out(split, 20, 2, np.random.default_rng(0))
        assert {rows[fen]["split"] for fen in fens} == {split}
    with pytest.raises(ValueError, match="one of \\('validation', 'test'\\), got 'train'"):
        problem.held_out("train", 1, 1, np.random.default_rng(0))


def test_chess_mates_reads_the_same_splits_by_mate_depth(chess_puzzle_csv):
    mates = get_problem("chess_mates")
    assert (mates.in_channels, mates.out_channels, mates.size_label) == (12, 2, "mate in")
    rows = {r["fen"]: r for r in solved_chess_puzzles()}
    fens, answers = mates.generate(20, 1, np.random.default_rng(0))
    for fen, answer in zip(fens, answers, strict=True):
        board = chess.Board(fen)
        board.push_uci(str(answer))
        assert board.is_checkmate() and rows[fen]["split"] == "test"
    assert len(set(fens)) == 2  # Qxf7# and Qh4#: the test split's two mates
    with pytest.raises(ValueError, match=r"test puzzles.*difficulty 2.*1 \(2\)"):
        mates.generate(1, 2, np.random.default_rng(0))


def test_evaluate_reads_a_puzzle_model_by_mate_depth_and_keeps_it_out_of_the_card(
    chess_puzzle_csv, tiny_chess_solver, tmp_path
):
    import json

    from trainers.commands import evaluate

    flags = ["--checkpoint", str(tiny_chess_solver), "--sizes", "1", "--think", "2", "--samples", "4"]
    evaluate.main([*flags, "--problem", "chess_mates", "--out", str(tmp_path)])
    report = json.loads((tmp_path / f"{tiny_chess_solver.name}_eval.json").read_text())
    assert report["problem"] == "chess_mates" and report["summary"]["1"]["samples"] == 4
    with pytest.raises(ValueError, match="--record-in, not --update-card"):
        evaluate.main([*flags, "--problem", "chess_mates", "--update-card", "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="--problem prefix_sums: problem 'prefix_sums' needs a 1D network"):
        evaluate.main([*flags, "--problem", "prefix_sums", "--out", str(tmp_path)])


def test_a_recipe_trains_on_its_own_puzzle_file_and_its_solver_reads_the_same(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPTHINK_CHESS_PUZZLES", raising=False)
    path = write_chess_puzzles(tmp_path / "set.csv")
    ChessPuzzles.clear_cache()
    stem, _ = train_tiny_chess_solver(tmp_path / "run", data=str(path))
    ChessPuzzles.clear_cache()
    solver = load_solver(stem)
    assert solver.problem.puzzle_file() == path and solver.card["recipe"]["data"] == str(path)
    assert str(path) in solver.card["training"]["data"]
    assert get_problem("chess_puzzles").puzzle_file() == ROOT / "puzzles" / "data" / "chess_puzzles.csv.gz"
    with pytest.raises(ValueError, match="prefix_sums generates its instances and reads no data file"):
        get_problem("prefix_sums").reading("set.csv")


def test_training_data_never_meets_a_held_out_puzzle(problem, monkeypatch):
    monkeypatch.setattr(problem, "mirror_share", 0.0)  # so each drawn FEN is a row of the file
    rows = {r["fen"]: r for r in solved_chess_puzzles()}
    for size, levels in ((1, {1}), (2, {1, 2}), (9, {1, 2})):
        fens, answers = problem.training_data(100, size, np.random.default_rng(size))
        drawn = [rows[fen] for fen in fens]
        assert not any(r["held"] for r in drawn) and {r["difficulty"] for r in drawn} == levels
        assert problem.encode_target(answers).shape == (100, 8, 8)
    fens, _ = problem.training_data(4, 1, np.random.default_rng(0))
    assert len(set(fens)) == 4
    with pytest.raises(ValueError, match=r"training.*at most 0.*1 \(4\), 2 \(4\)"):
        problem.training_data(1, 0, np.random.default_rng(0))


def test_training_data_mirrors_about_half_the_puzzles_with_their_answers(problem):
    rows = {r["fen"] for r in solved_chess_puzzles()}
    fens, answers = problem.training_data(200, 2, np.random.default_rng(0))
    mirrored = [fen not in rows for fen in fens]
    assert 60 < sum(mirrored) < 140
    for fen, answer in zip(fens, answers, strict=True):
        board = chess.Board(fen)
        assert answer.fen == fen and board.is_valid() and board.is_legal(chess.Move.from_uci(answer))


def test_mirror_files_reflects_the_position_and_the_move_and_leaves_castling():
    fen = "r3k2r/8/8/8/8/8/1q6/R3K2R w KQkq - 0 1"
    mirrored, move = mirror_files(fen, "a1a2")
    assert mirrored == "r2k3r/8/8/8/8/8/6q1/R2K3R w - - 0 1" and move == "h1h2"
    assert mirror_files(fen, "e1g1") is None
    assert mirror_files("8/8/8/3pP3/8/8/8/k6K w - d6 0 1", "e5d6") == ("8/8/8/3Pp3/8/8/8/K6k w - e6 0 1", "d5e6")


def test_the_split_holds_out_a_fixed_share_by_id_halved_into_validation_and_test():
    from puzzles.chess_puzzles import HELD_OUT_EVERY, held_out_split, is_held_out

    splits = [held_out_split(f"puzzle{n}") for n in range(8000)]
    for split in ("validation", "test"):
        assert abs(splits.count(split) / len(splits) - 1 / HELD_OUT_EVERY / 2) < 0.015
    assert [s is not None for s in splits] == [is_held_out(f"puzzle{n}") for n in range(8000)]
    assert splits == [held_out_split(f"puzzle{n}") for n in range(8000)]


def test_answers_stay_moves_through_indexing_and_pickling(problem):
    _, answers = problem.generate(3, 2, np.random.default_rng(0))
    again = pickle.loads(pickle.dumps(answers[[2, 0]]))
    assert again[0] == str(answers[2]) and again[0].fen == answers[2].fen
    assert torch.equal(problem.encode_target(again), problem.encode_target(answers[[2, 0]]))


def test_a_missing_set_names_the_file_and_the_miner(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPTHINK_CHESS_PUZZLES", raising=False)
    monkeypatch.chdir(tmp_path)
    problem = ChessPuzzles()
    assert problem.puzzle_file() == ROOT / "puzzles" / "data" / "chess_puzzles.csv.gz"  # not the cwd's
    monkeypatch.setattr(ChessPuzzles, "path", str(tmp_path / "absent.csv.gz"))
    with pytest.raises(FileNotFoundError, match="absent.csv.gz") as error:
        problem.generate(1, 1, np.random.default_rng(0))
    assert "python scripts/mine_chess_puzzles.py --output puzzles/data/chess_puzzles.csv.gz" in str(error.value)


@pytest.mark.parametrize("recipe", ["chess_puzzles", "chess_puzzles_ff"])
def test_a_tiny_run_trains_and_its_solver_answers_legal_moves(problem, tmp_path, recipe):
    stem, progress = train_tiny_chess_solver(tmp_path / "run", recipe)
    assert progress["epoch"] == 2 and 0.0 <= progress["best_val"] <= 1.0
    solver = load_solver(stem)
    fens = [r["fen"] for r in solved_chess_puzzles()]
    for answers in (
        solver.solve(fens, think=3),
        solver.solve(fens, think="auto", cap=3),
        Solver(solver.net, solver.problem, {"readout": "max_conf"}).solve(fens, think=3),
    ):
        assert len(answers) == len(fens)
        for fen, uci in zip(fens, answers, strict=True):
            assert chess.Move.from_uci(uci) in chess.Board(fen).legal_moves
    curves = sweep(solver.net, problem, [1, 2], iters=3, samples=4)
    assert all(len(curve.last) == 3 for curve in curves.values())
