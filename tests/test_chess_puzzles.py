import chess
import pytest

from puzzles.chess_puzzles import read_lichess_csv

HEADER = "PuzzleId,FEN,Moves,Rating,RatingDeviation,Popularity,NbPlays,Themes,GameUrl,OpeningTags\n"
# Black blunders Nf6 (Moves[0]); White mates with Qxf7# (Moves[1]).
ROW = (
    "t0001,r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR b KQkq - 3 3,g8f6 h5f7,1200,75,95,100,"
    "mate mateIn1 oneMove opening,https://example.invalid/x,Italian_Game\n"
)


def test_reads_the_position_after_the_opponents_move(tmp_path):
    path = tmp_path / "puzzles.csv"
    path.write_text(HEADER + ROW)
    (puzzle,) = read_lichess_csv(path)
    board = chess.Board(puzzle.fen)
    assert board.turn == chess.WHITE and board.piece_at(chess.F6) == chess.Piece.from_symbol("n")
    assert puzzle.best_move == "h5f7" and puzzle.difficulty == 1200
    assert "mateIn1" in puzzle.themes
    board.push_uci(puzzle.best_move)
    assert board.is_checkmate()


def test_reads_files_without_a_header_and_limits(tmp_path):
    path = tmp_path / "puzzles.csv"
    path.write_text(ROW + ROW.replace("t0001", "t0002"))
    assert [p.puzzle_id for p in read_lichess_csv(path)] == ["t0001", "t0002"]
    assert len(read_lichess_csv(path, limit=1)) == 1


@pytest.mark.parametrize(
    "row, message",
    [
        (ROW.replace("r1bqkbnr", "r1bqkbnrr"), "bad FEN"),
        (ROW.replace("g8f6 h5f7", "g8f6 h5f8"), "illegal move h5f8"),
        (ROW.replace("g8f6 h5f7", "g8f6"), "needs the opponent's move"),
        (ROW.replace("g8f6 h5f7", "g8f6 zz"), "malformed move"),
    ],
)
def test_bad_rows_name_the_puzzle_and_line(tmp_path, row, message):
    path = tmp_path / "puzzles.csv"
    path.write_text(HEADER + row)
    with pytest.raises(ValueError, match=message) as error:
        read_lichess_csv(path)
    assert "puzzles.csv:2" in str(error.value) and "t0001" in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such puzzle file"):
        read_lichess_csv(tmp_path / "absent.csv")


def test_rows_replay_a_puzzle_on_first_use_and_name_a_bad_one_then(tmp_path):
    from puzzles.chess_puzzles import ReplayedPuzzles, read_lichess_rows

    path = tmp_path / "puzzles.csv"
    path.write_text(HEADER + ROW + ROW.replace("t0001", "t0002").replace("g8f6 h5f7", "g8f6 h5f8"))
    rows = read_lichess_rows(path)  # reading does not replay the lines
    assert [(r.puzzle_id, r.difficulty) for r in rows] == [("t0001", 1200), ("t0002", 1200)]
    puzzles = ReplayedPuzzles(rows)
    assert len(puzzles) == 2 and puzzles[0].best_move == "h5f7" and puzzles[0] is puzzles[0]  # replayed once
    with pytest.raises(ValueError, match="illegal move h5f8") as error:
        puzzles[1]
    assert "puzzles.csv:3" in str(error.value) and "t0002" in str(error.value)
