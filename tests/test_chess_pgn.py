"""Saving a game against the network as PGN (with its think budget and evaluations) and continuing it."""

import io
from dataclasses import dataclass, field

import chess
import chess.pgn
import pytest
from rich.console import Console

from trainers.cli import run_main
from trainers.play import terminal as play
from trainers.play.pgn import SavedGame, game_pgn, read_game
from trainers.play.session import GameSession
from trainers.play.uci_limits import value_to_cp

START = "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"


@dataclass
class Choice:
    move: chess.Move
    probability: float
    value: float
    top: list


@dataclass
class CountingPolicy:
    """Plays the first legal move in UCI order; its n-th answer has value n/10 - 0.45 and probability 0.1 n."""

    default_think: int = 6
    calls: list = field(default_factory=list)

    def analyse(self, board, think=None):
        self.calls.append(think)
        move = min(board.legal_moves, key=chess.Move.uci)
        n = len(self.calls)
        return Choice(move, min(0.1 * n, 1.0), n / 10 - 0.45, [(move, 0.1 * n)])


def parse(text: str) -> chess.pgn.Game:
    return chess.pgn.read_game(io.StringIO(text))


def test_a_saved_game_carries_the_think_budget_and_the_network_evaluations(tmp_path):
    session = GameSession(CountingPolicy(), think=5)
    for move in ["e4", "d4", "Nf3"]:
        assert session.handle(move).ok
    reply = session.handle(f"save {tmp_path / 'game.pgn'}")
    assert reply.ok and reply.message == f"Saved the game (6 plies, think 5) to {tmp_path / 'game.pgn'}."

    game = parse((tmp_path / "game.pgn").read_text())
    assert game.headers["Think"] == "5" and game.headers["White"] == "You" and game.headers["Result"] == "*"
    nodes = list(game.mainline())
    assert [node.san() for node in nodes] == ["e4", "a5", "d4", "a4", "Nf3", "a3"]
    assert [node.comment for node in nodes[0::2]] == ["", "", ""]  # your moves carry nothing
    for n, node in enumerate(nodes[1::2], start=1):
        value = n / 10 - 0.45
        assert f"network: value {value:+.2f}, probability {0.1 * n:.0%}, think 5" in node.comment
        assert node.eval().pov(chess.BLACK).score() == value_to_cp(value)  # [%eval], White's view in the file
    assert "[%eval 1.4" in nodes[1].comment  # -0.35 for Black: +1.46 pawns for White


def test_a_saved_game_continues_with_its_colour_think_and_evaluations(tmp_path):
    policy = CountingPolicy()
    session = GameSession(policy, human=chess.BLACK, think=3, board=chess.Board(START))
    session.agent_turn()
    session.handle("Nf6")
    session.handle("save " + str(tmp_path / "black.pgn"))

    saved = read_game(tmp_path / "black.pgn")
    assert saved.human == chess.BLACK and saved.think == 3 and saved.start.fen() == START
    assert saved.moves == session.board.move_stack
    assert saved.evaluations.keys() == session.agent_moves.keys() == {0, 2}
    for ply, agent in session.agent_moves.items():
        loaded = saved.evaluations[ply]
        assert (loaded.move, loaded.san, loaded.think) == (agent.move, agent.san, 3)
        assert loaded.value == pytest.approx(agent.value, abs=0.005)
        assert loaded.probability == pytest.approx(agent.probability, abs=0.005)

    resumed = GameSession(CountingPolicy(), human=saved.human, think=saved.think, board=saved.start)
    saved.resume(resumed)
    assert resumed.board == session.board and resumed.move_list() == session.move_list()
    assert resumed.last_agent_move.san == session.last_agent_move.san and resumed.human_to_move
    assert resumed.handle("undo").ok and len(resumed.board.move_stack) == 1  # back to your previous turn
    with pytest.raises(ValueError, match="new session"):
        saved.resume(resumed)


def test_the_end_of_a_game_and_a_resignation_survive_saving(tmp_path):
    session = GameSession(CountingPolicy())
    session.handle("e4")
    session.handle("resign")
    text = game_pgn(session)
    assert '[Result "0-1"]' in text and "White resigns." in text and "network: value" in text
    session.handle(f"save {tmp_path / 'resigned.pgn'}")
    saved = read_game(tmp_path / "resigned.pgn")
    assert saved.result == "0-1" and len(saved.moves) == 2 and saved.evaluations[1].value == pytest.approx(-0.35)


def test_save_refuses_what_it_cannot_write_and_keeps_the_old_file(tmp_path):
    session = GameSession(CountingPolicy())
    session.handle("e4")
    for line, words in [
        ("save", "Name the file"),
        ("SAVE   ", "Name the file"),
        (f"save {tmp_path}", "is a folder"),
        (f"save {tmp_path / 'game.pgn' / 'inside.pgn'}", "Could not save"),
        ("save ''", "name the file"),
    ]:
        (tmp_path / "game.pgn").write_text("old")
        reply = session.handle(line)
        assert not reply.ok and words in reply.message, (line, reply.message)
        assert (tmp_path / "game.pgn").read_text() == "old"
    reply = session.handle(f'save "{tmp_path / "with space.pgn"}"')
    assert reply.ok and (tmp_path / "with space.pgn").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert "save" in session.handle("help").message


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        ("hello world\n", ValueError, "holds no PGN game"),
        ("", ValueError, "holds no PGN game"),
        ("1. e4 e5 2. Ke3 *\n", ValueError, "illegal san: 'Ke3'"),
        ('[Think "0"]\n\n1. e4 *\n', ValueError, "Think header"),
        ('[Think "lots"]\n\n1. e4 *\n', ValueError, "Think header"),
        ('[SetUp "1"]\n[FEN "8/8/8/8/8/8/8/K7 w - - 0 1"]\n\n*\n', ValueError, "not a legal chess position"),
        (b"\xff\xfe\x00garbage", ValueError, "not a PGN file"),
    ],
)
def test_bad_pgn_files_give_one_clear_error(tmp_path, content, error, words):
    path = tmp_path / "bad.pgn"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(error, match=words):
        read_game(path)


def test_a_pgn_from_elsewhere_keeps_the_colour_you_choose(tmp_path):
    path = tmp_path / "lichess.pgn"
    path.write_text('[White "Magnus"]\n[Black "Hikaru"]\n\n1. e4 { [%eval 0.3] } e5 2. Nf3 Nc6 *\n\n1. d4 *\n')
    saved = read_game(path)
    assert saved.human is None and saved.think is None and saved.evaluations == {}
    assert [move.uci() for move in saved.moves] == ["e2e4", "e7e5", "g1f3", "b8c6"]  # the first game only
    with pytest.raises(FileNotFoundError, match="no such PGN file"):
        read_game(tmp_path / "missing.pgn")
    assert isinstance(saved, SavedGame)


def run_play(monkeypatch, argv, lines):
    """``deepthink play``'s main with the counting policy and scripted input; returns the printed text."""
    import agents.chess_policy

    policy = CountingPolicy()
    monkeypatch.setattr(agents.chess_policy, "load_policy", lambda name: policy)
    console = Console(record=True, width=400)
    monkeypatch.setattr(play, "Console", lambda: console)

    def scripted(self, prompt=""):
        if not lines:
            raise EOFError
        return lines.pop(0)

    monkeypatch.setattr(Console, "input", scripted)
    play.main(argv)
    return console.export_text(), policy


def test_play_saves_and_continues_a_game_with_pgn(tmp_path, monkeypatch):
    first, second = tmp_path / "first.pgn", tmp_path / "second.pgn"
    out, policy = run_play(monkeypatch, ["--color", "black", "--think", "4"], ["e5", f"save {first}", "quit"])
    assert f"Saved the game (3 plies, think 4) to {first}." in out and policy.calls == [4, 4]

    out, policy = run_play(monkeypatch, ["--pgn", str(first)], ["d5", f"save {second}", "quit"])
    assert "You play Black" in out and "(4 iterations a move)" in out and policy.calls == [4]
    game = parse(second.read_text())
    assert game.headers["Black"] == "You" and game.headers["Think"] == "4"
    assert [node.san() for node in game.mainline()] == ["a3", "e5", "Ra2", "d5", "Ra1"]
    assert sum("network: value" in node.comment for node in game.mainline()) == 3  # the saved ones kept

    out, policy = run_play(monkeypatch, ["--pgn", str(first), "--think", "9"], ["hint", "quit"])
    assert "(9 iterations a move)" in out and policy.calls == [9]


def test_play_refuses_a_bad_pgn_before_loading_the_network(tmp_path, capsys):
    for argv, words in [
        (["--pgn", str(tmp_path / "none.pgn")], "no such PGN file"),
        (["--pgn", str(tmp_path / "none.pgn"), "--fen", START], "use one"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            run_main(lambda argv=argv: play.main(argv))
        assert exit_info.value.code == 2 and words in capsys.readouterr().err
