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


def test_the_miner_source_benchmark_mines_every_source(tmp_path):
    from trainers.benchmark_classical import miner_source_throughput

    (tmp_path / "two.pgn").write_text(TWO_GAMES)
    measurement = miner_source_throughput(games=2, pgn=str(tmp_path / "two.pgn"), config=FAST)
    assert len(measurement.variants) == 3 and measurement.variants["recorded games (--miner-pgn)"] > 0
    assert all(seconds > 0 for name, seconds in measurement.extra.items() if name.startswith("cpu_seconds"))


def test_the_miner_search_benchmark_times_both_ways():
    from trainers.benchmark_classical import miner_search_throughput

    measurement = miner_search_throughput(count=4, nodes=200)
    assert list(measurement.variants) == ["python-chess analyse", "bare UCI pipe"]
    assert all(rate > 0 for rate in measurement.variants.values()) and len(measurement.extra) == 2


# ------------------------------------------------------------------------------------- realistic game sources
TWO_GAMES = """[Event "scholar"]
[Result "1-0"]

1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4. Qxf7# 1-0

[Event "blackburne shilling"]
[Result "0-1"]

1. e4 e5 2. Nf3 Nc6 3. Bc4 Nd4 4. Nxe5 Qg5 5. Nxf7 Qxg2 6. Rf1 Qxe4+ 7. Be2 Nf3# 0-1
"""


def _positions(board: chess.Board) -> dict[str, chess.Move | None]:
    """Each position of ``board``'s game (move counters aside) with the move played there (None at the end)."""
    replay, played = board.root(), {}
    for move in board.move_stack:
        played[replay.epd()] = move
        replay.push(move)
    played[replay.epd()] = None
    return played


def test_recorded_games_give_puzzles_from_their_own_positions(tmp_path):
    from puzzles.mined_sets import read_pgn_games

    (tmp_path / "two.pgn").write_text(TWO_GAMES)
    games = read_pgn_games(tmp_path / "two.pgn")
    assert [len(moves) for _, moves in games] == [7, 14]
    found = []
    with Miner(FAST) as miner:
        for fen, moves in games:
            game = chess.Board(fen)
            for move in moves:
                game.push_uci(move)
            positions = _positions(game)
            puzzles = miner.mine_recorded_game(chess.Board(fen), game.move_stack)
            found.append([p.moves for p in puzzles])
            for index, puzzle in enumerate(puzzles):
                board = chess.Board(puzzle.fen)
                assert positions[board.epd()] == chess.Move.from_uci(puzzle.moves[0])  # the game's own move
                assert board.ply() + 1 >= FAST.min_ply
                row = dict(zip(LICHESS_COLUMNS, puzzle.csv_row(f"p{index}"), strict=True))
                puzzle_from_lichess_row(row)  # every move of the line is legal
    assert ("g8f6", "h5f7") in found[0] and found[1]  # 3...Nf6?? allows Qxf7#


def test_bad_recorded_games_are_clear_errors(tmp_path):
    from puzzles.mined_sets import read_pgn_games

    with pytest.raises(FileNotFoundError, match="no PGN file"):
        read_pgn_games(tmp_path / "missing.pgn")
    (tmp_path / "bad.pgn").write_text('[Event "x"]\n\n1. e4 e5 2. Ke3 *\n')
    with pytest.raises(ValueError, match="game 1"):
        read_pgn_games(tmp_path / "bad.pgn")
    (tmp_path / "empty.pgn").write_text("")
    with pytest.raises(ValueError, match="no games"):
        read_pgn_games(tmp_path / "empty.pgn")


def test_recorded_chunks_are_slices_of_the_file_and_resume(tmp_path):
    from puzzles.mined_sets import chunk_path, mine_recorded, mining_summary, read_pgn_games

    (tmp_path / "two.pgn").write_text(TWO_GAMES)
    games = read_pgn_games(tmp_path / "two.pgn")
    folder = tmp_path / "chunks"
    mine_recorded(folder, games, 1, FAST, workers=1, chunks=1)  # only the first slice
    assert [p.name for p in sorted(folder.glob("chunk_*.csv"))] == ["chunk_00000.csv"]
    mine_recorded(folder, games, 1, FAST, workers=1)
    second = chunk_path(folder, 1).read_text()
    assert chunk_path(folder, 0).read_text().startswith("pgn0n0,") and second.startswith("pgn1n0,")
    chunk_path(folder, 0).write_text("kept\n")  # a finished chunk is never mined again...
    chunk_path(folder, 1).unlink()  # ...and a missing one is (as if killed before it landed)
    mine_recorded(folder, games, 1, FAST, workers=1)
    assert chunk_path(folder, 0).read_text() == "kept\n" and chunk_path(folder, 1).read_text() == second
    assert mining_summary(folder)["games"] == 2


def test_opening_games_start_from_an_opening_and_puzzles_come_from_them(tmp_path):
    from puzzles.chess_game import OPENINGS_FILE
    from puzzles.mined_sets import seeded_id_prefix

    epds = [line for line in OPENINGS_FILE.read_text().splitlines() if not line.startswith("#")][:3]
    (tmp_path / "three.epd").write_text("# three openings\n" + "\n".join(epds) + "\n")
    config = MinerConfig(**{**FAST.__dict__, "openings": str(tmp_path / "three.epd"), "mistakes": "plausible"})
    assert (seeded_id_prefix(config), seeded_id_prefix(FAST)) == ("e", "s")
    starts, played = set(), 0
    with Miner(config) as miner:
        for game in range(6):
            board, puzzles = miner.play_game(np.random.default_rng([3, game]))
            starts.add(board.root().epd())
            played += len(board.move_stack)  # a game may end at once: a quick search may call an opening decided
            positions = _positions(board)
            assert all(chess.Board(p.fen).epd() in positions for p in puzzles)
    assert starts <= {chess.Board(epd + " 0 1").epd() for epd in epds} and len(starts) > 1 and played > 0


class _RecordingMiner(Miner):
    """A miner that remembers the moves of every mistake search and every position it screens."""

    def __init__(self, config):
        super().__init__(config)
        self.top: dict[str, list[chess.Move]] = {}
        self.screened: list[chess.Board] = []

    def lines(self, board, nodes, multipv=1):
        found = super().lines(board, nodes, multipv)
        if multipv == self.config.mistake_lines:
            self.top[board.epd()] = [move for _, move in found]
        return found

    def _screen(self, board):
        self.screened.append(board.copy())
        return super()._screen(board)


def test_plausible_mistakes_and_sidelines_are_among_the_top_lines():
    config = MinerConfig(**{**FAST.__dict__, "mistakes": "plausible", "random_move_rate": 1.0, "max_ply": 24})
    with _RecordingMiner(config) as miner:
        board, _ = miner.play_game(np.random.default_rng(5))
    replay, worse = board.root(), 0
    for move in board.move_stack:
        assert move in miner.top[replay.epd()]
        worse += move != miner.top[replay.epd()][0]
        replay.push(move)
    assert worse > 0, "every mistake was the best move"
    for screened in miner.screened:
        move = screened.pop()
        assert move in miner.top[screened.epd()][1:]  # never the engine's own move


def test_plausibility_weighs_moves_by_their_loss():
    from puzzles.miner import MATE_SCORE, plausibility

    chances = plausibility([MATE_SCORE - 3, MATE_SCORE - 5, 40], 150)
    assert chances[2] < 1e-200 and chances[0] > chances[1] > 0
    chances = plausibility([30, -120, -270], 150)
    assert chances.sum() == pytest.approx(1) and chances[0] / chances[1] == pytest.approx(np.e)
    with pytest.raises(ValueError, match="mistakes is one of random, plausible"):
        MinerConfig(mistakes="blunders")
    with pytest.raises(FileNotFoundError, match="no opening file"):
        Miner(MinerConfig(openings="missing.epd"))


def test_the_default_miner_still_makes_the_shipped_set():
    import csv
    import gzip
    from pathlib import Path

    import puzzles

    shipped = gzip.open(Path(puzzles.__file__).parent / "data" / "chess_puzzles.csv.gz", "rt").read()
    expected = [row for row in csv.reader(shipped.splitlines()) if row[0].startswith("s0c0g2n")]
    with Miner() as miner:
        puzzles = miner.mine_game(np.random.default_rng([0, 0, 2]))
    assert expected and [p.csv_row(f"s0c0g2n{i}") for i, p in enumerate(puzzles)] == expected


def test_unique_merge_keeps_one_puzzle_per_position_and_line(tmp_path):
    from puzzles.chess_puzzles import read_lichess_csv
    from puzzles.mined_sets import chunk_path, merge_chunks

    row = ["", "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3", "f3g5 d8g5", "1", "0", "0", "0"]
    rows = [
        ["pgn7n0", *row[1:]],
        ["pgn3n2", row[1].replace("2 3", "4 9"), *row[2:]],
        ["pgn5n0", row[1], "f3e5 c6e5", *row[3:]],
    ]
    (tmp_path / "c").mkdir()
    chunk_path(tmp_path / "c", 0).write_text("\n".join(",".join([*r, "advantage oneMove", "", ""]) for r in rows))
    assert merge_chunks(tmp_path / "c", tmp_path / "all.csv.gz") == 3
    assert merge_chunks(tmp_path / "c", tmp_path / "one.csv.gz", unique=True) == 2
    assert [p.puzzle_id for p in read_lichess_csv(tmp_path / "one.csv.gz")] == ["pgn3n2", "pgn5n0"]


def test_the_command_cards_a_recorded_source(tmp_path):
    import json

    from trainers.commands.mine_chess_puzzles import main

    (tmp_path / "two.pgn").write_text(TWO_GAMES)
    fast = ["--screen-nodes", "800", "--verify-nodes", "4000", "--reverify", "2", "--reverify-nodes", "2000"]
    out, card = tmp_path / "chunks", tmp_path / "card.json"
    main(
        ["--pgn", str(tmp_path / "two.pgn"), "--out", str(out), "--games-per-chunk", "1", "--workers", "1"]
        + ["--output", str(tmp_path / "set.csv.gz"), "--card", str(card), "--unique", *fast]
    )
    written = json.loads(card.read_text())
    assert written["source"] == {"pgn": str(tmp_path / "two.pgn"), "pgn_games": 2, "games_mined": 2, "unique": True}
    assert written["chunks"] == 2 and written["puzzles_in_set"] > 0
    with pytest.raises(ValueError, match="--pgn mines recorded games"):
        main(["--pgn", str(tmp_path / "two.pgn"), "--mistakes", "plausible", "--out", str(out)])


def test_join_makes_one_set_of_several_with_each_parts_card(tmp_path):
    import json

    from puzzles.chess_puzzles import read_lichess_csv
    from puzzles.mined_sets import chunk_path, merge_chunks
    from trainers.commands.mine_chess_puzzles import main

    fen = "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"
    for name, rows in (("a", [["pgn1n0", fen, "f3g5 d8g5", "2"]]), ("b", [["e0c0g0n0", fen, "f3e5 c6e5", "1"]])):
        (tmp_path / name).mkdir()
        line = ",".join([*rows[0], "0", "0", "0", "advantage oneMove", "", ""])
        chunk_path(tmp_path / name, 0).write_text(line + "\n")
        merge_chunks(tmp_path / name, tmp_path / f"{name}.csv.gz")
    (tmp_path / "a.json").write_text(json.dumps({"source": {"pgn": "games.pgn"}}))
    sets = [str(tmp_path / "a.csv.gz"), str(tmp_path / "b.csv.gz")]
    main(["--join", *sets, "--output", str(tmp_path / "ab.csv.gz"), "--card", str(tmp_path / "ab.json")])
    assert [p.puzzle_id for p in read_lichess_csv(tmp_path / "ab.csv.gz")] == ["e0c0g0n0", "pgn1n0"]  # easy first
    card = json.loads((tmp_path / "ab.json").read_text())
    assert card["parts"] == {sets[0]: {"source": {"pgn": "games.pgn"}}, sets[1]: None}
    assert card["puzzles_in_set"] == 2 and card["difficulty_counts"] == {"1": 1, "2": 1}
    with pytest.raises(ValueError, match="puzzle id pgn1n0 is in both"):
        main(["--join", sets[0], sets[0], "--output", str(tmp_path / "aa.csv.gz")])
    with pytest.raises(ValueError, match="--join needs --output"):
        main(["--join", *sets])
