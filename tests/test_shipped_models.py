"""The shipped checkpoints load, solve, and carry the model card the README promises."""

import json

import numpy as np

from agents import load_solver
from agents.checkpoint import SHIPPED_DIR
from puzzles import mazes, prefix_sums


def test_shipped_prefix_sums_model_solves_64_bit_strings():
    solver = load_solver("prefix_sums")
    bits, _ = prefix_sums.generate(20, 64, np.random.default_rng(99))
    answers = solver.solve(bits, think=solver.default_think)
    assert np.array_equal(answers, prefix_sums.solve(bits))


def test_shipped_prefix_sums_model_with_auto_halting_stays_right_within_its_cap():
    solver = load_solver("prefix_sums")
    bits, _ = prefix_sums.generate(20, 48, np.random.default_rng(7))
    answers, iterations = solver.solve_auto(bits)
    assert np.array_equal(answers, prefix_sums.solve(bits))
    assert iterations.max() <= 4 * solver.default_think


def test_shipped_prefix_sums_card_records_training_and_evaluation():
    card = json.loads((SHIPPED_DIR / "prefix_sums.json").read_text())
    assert card["problem"] == "prefix_sums" and card["recipe"]["train_difficulty"] == 32
    assert card["training"]["train_seconds"] > 0
    results = card["evaluation"]["results"]
    assert {"48", "512"} <= set(results)
    assert card["evaluation"]["command"].startswith("python scripts/evaluate.py")
    assert card["readout"] == "max_conf" and card["recommended_think"] == 200


def test_shipped_maze_model_solves_fresh_13x13_mazes():
    solver = load_solver("mazes")
    inputs, paths = mazes.generate(5, 13, np.random.default_rng(5))
    answers = solver.solve(inputs, think=solver.default_think)
    assert answers.shape == paths.shape and np.array_equal(answers, paths)


def test_shipped_maze_card_records_training_on_9x9_only():
    card = json.loads((SHIPPED_DIR / "mazes.json").read_text())
    assert card["problem"] == "mazes" and card["recipe"]["train_difficulty"] == 9
    assert card["training"]["train_seconds"] > 0 and card["training"]["best_val_exact_match"] >= 0.99


def test_shipped_chess_policy_plays_legal_moves_and_its_search_mates_in_one():
    import chess

    from agents import load_policy

    policy = load_policy("chess")
    boards = [chess.Board(), chess.Board("r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3")]
    for board, move in zip(boards, policy.act_batch(boards, think=8), strict=True):
        assert board.is_legal(move)
    mate = chess.Board("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1")
    assert mate.is_legal(policy.act(mate, think=8))  # the network alone plays Kg2 here (no rule bonus any more)
    assert policy.act(mate, think=8, search=16) == chess.Move.from_uci("a1a8")  # its search sees the mate


def test_shipped_chess_card_records_training_and_strength():
    card = json.loads((SHIPPED_DIR / "chess.json").read_text())
    assert card["problem"] == "chess_game" and card["training"]["train_seconds"] > 0
    assert card["strength"]["levels"]["random"]["games"] >= 100
    assert card["think_longer"]["command"].startswith("python scripts/think_longer.py")


def test_shipped_chess_puzzle_solver_answers_held_out_puzzles_with_legal_moves():
    import chess

    solver = load_solver("chess_puzzles")
    fens, answers = solver.problem.generate(40, 1, np.random.default_rng(3))
    moves = solver.solve(fens, think=solver.default_think)
    assert all(chess.Board(fen).is_legal(chess.Move.from_uci(move)) for fen, move in zip(fens, moves, strict=True))
    assert np.mean([move == str(answer) for move, answer in zip(moves, answers, strict=True)]) >= 0.8


def test_shipped_chess_puzzle_card_compares_thinking_longer_and_the_feed_forward_twin():
    card = json.loads((SHIPPED_DIR / "chess_puzzles.json").read_text())
    assert card["problem"] == "chess_puzzles" and card["recipe"]["train_difficulty"] == 1
    assert card["training"]["train_seconds"] > 0
    results = card["evaluation"]["results"]
    assert {"1", "2", "3", "4", "5"} <= set(results)
    assert [results[level]["samples"] for level in "2345"] == [2576, 1157, 305, 330]  # every held-out puzzle
    for level in "2345":
        assert results[level]["baseline"]["kind"] == "ff" and results[level]["baseline"]["iterations"] == 20
        assert [gain["to"] for gain in results[level]["gains"]] == [30, 40, 60]
    assert card["ablations"]["chess_puzzles_ff"]["recipe"]["alpha"] == 0.0
