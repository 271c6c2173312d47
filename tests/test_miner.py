"""The Stockfish puzzle miner (needs Debian's stockfish package, which .ci/run installs)."""

import chess
import numpy as np
import pytest

from puzzles.chess_puzzles import LICHESS_COLUMNS, puzzle_from_lichess_row
from puzzles.mined_sets import reverify
from puzzles.miner import Miner, MinerConfig, find_stockfish

try:
    find_stockfish()
except FileNotFoundError:
    pytest.skip("needs Stockfish: apt-get install stockfish (.ci/run installs it)", allow_module_level=True)

FAST = MinerConfig(screen_nodes=800, verify_nodes=4000, random_move_rate=0.4, max_ply=60)


@pytest.fixture(scope="module")
def mined():
    puzzles = []
    with Miner(FAST) as miner:
        for game in range(30):
            puzzles += miner.mine_game(np.random.default_rng([7, game]))
            if len(puzzles) >= 2:
                break
    return puzzles


def test_stockfish_is_found():
    assert find_stockfish().endswith("stockfish")


def test_mined_puzzles_read_back_in_the_lichess_format(mined):
    assert mined, "no puzzle in 30 seeded games"
    for index, puzzle in enumerate(mined):
        row = dict(zip(LICHESS_COLUMNS, puzzle.csv_row(f"m{index}"), strict=True))
        parsed = puzzle_from_lichess_row(row)  # checks every move of the line is legal
        board = chess.Board(parsed.fen)
        assert board.is_legal(chess.Move.from_uci(parsed.best_move))
        assert len(parsed.line) % 2 == 1  # the line ends with the solver's move
        assert 1 <= puzzle.difficulty <= FAST.max_lookahead + 1


def test_mined_best_moves_agree_with_a_deeper_search(mined):
    from puzzles.chess_puzzles import Puzzle

    puzzles = [Puzzle(f"m{i}", *_start(p), difficulty=p.difficulty) for i, p in enumerate(mined)]
    assert reverify(puzzles, nodes=4 * FAST.verify_nodes) == []
    wrong = Puzzle("w", chess.Board().fen(), ("a2a3",), 1)  # no engine opens with a3
    [(puzzle_id, stored, deeper)] = reverify([wrong], nodes=FAST.verify_nodes)
    assert (puzzle_id, stored) == ("w", "a2a3") and deeper != "a2a3"


def _start(puzzle) -> tuple[str, tuple[str, ...]]:
    board = chess.Board(puzzle.fen)
    board.push_uci(puzzle.moves[0])
    return board.fen(), puzzle.moves[1:]


def test_mining_is_deterministic():
    with Miner(FAST) as miner:
        first = miner.mine_game(np.random.default_rng([7, 0]))
        second = miner.mine_game(np.random.default_rng([7, 0]))
    assert first == second


def test_batch_mining_resumes_and_merges_easy_to_hard(tmp_path):
    from puzzles.chess_puzzles import read_lichess_csv
    from puzzles.mined_sets import chunk_path, merge_chunks, mine, mining_summary

    folder = tmp_path / "chunks"
    mine(folder, chunks=2, games_per_chunk=3, seed=7, config=FAST, workers=2)
    first = chunk_path(folder, 0).read_text()
    chunk_path(folder, 1).unlink()  # as if killed before the second chunk landed
    mine(folder, chunks=2, games_per_chunk=3, seed=7, config=FAST, workers=1)
    assert chunk_path(folder, 0).read_text() == first and chunk_path(folder, 1).exists()
    count = merge_chunks(folder, tmp_path / "puzzles.csv.gz")
    puzzles = read_lichess_csv(tmp_path / "puzzles.csv.gz")
    assert count > 0 and len(puzzles) == count
    summary = mining_summary(folder)
    assert (summary["chunks"], summary["games"], summary["puzzles"]) == (2, 6, count) and summary["worker_seconds"] > 0
    assert [p.difficulty for p in puzzles] == sorted(p.difficulty for p in puzzles)
    # A rerun writes the same bytes, and a set of the first chunks leaves out what was mined beyond them.
    before = (tmp_path / "puzzles.csv.gz").read_bytes()
    assert merge_chunks(folder, tmp_path / "puzzles.csv.gz") == count
    assert (tmp_path / "puzzles.csv.gz").read_bytes() == before
    first_only = merge_chunks(folder, tmp_path / "first.csv.gz", chunks=1)
    assert first_only == mining_summary(folder, chunks=1)["puzzles"] and mining_summary(folder, 1)["chunks"] == 1


def test_the_bare_uci_pipe_reads_searches_as_python_chess_does():
    import chess.engine

    from puzzles.engine import MATE_SCORE, StockfishProcess, UciSearch

    board = chess.Board()
    for move in ("e2e4", "e7e5", "d1h5", "b8c6", "f1c4", "g8f6"):  # history too: the pipe sends it
        board.push_uci(move)  # White mates in one: Qxf7
    with UciSearch() as pipe, StockfishProcess() as reference:
        for position in (chess.Board(), board, chess.Board("6k1/5ppp/8/8/8/8/5PPP/3R2K1 w - - 0 1")):
            for multipv in (1, 2):
                pipe.clear_hash()
                reference.engine.configure({"Clear Hash": None})
                lines = pipe.lines(position, 3000, multipv)
                infos = reference.engine.analyse(position, chess.engine.Limit(nodes=3000), multipv=multipv)
                expected = [(i["score"].pov(position.turn).score(mate_score=MATE_SCORE), i["pv"][0]) for i in infos]
                assert lines == expected
        assert pipe.lines(board, 3000)[0] == (MATE_SCORE - 1, chess.Move.from_uci("h5f7"))


def test_the_miner_search_benchmark_times_both_ways():
    from trainers.benchmark_classical import miner_search_throughput

    measurement = miner_search_throughput(count=4, nodes=200)
    assert list(measurement.variants) == ["python-chess analyse", "bare UCI pipe"]
    assert all(rate > 0 for rate in measurement.variants.values()) and len(measurement.extra) == 2
