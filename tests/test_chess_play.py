"""Playing chess against a policy in the terminal: the session's commands, the board drawing and the loop."""

import random
from dataclasses import dataclass, field

import chess
import pytest
from rich.console import Console

from trainers.cli import run_main
from trainers.play import terminal as play
from trainers.play.agent import AgentMove
from trainers.play.board_view import CHECKED, DARK, DARK_MOVED, LIGHT, LIGHT_MOVED, render_board
from trainers.play.parser import board_from_fen, choose_colour, parse_move
from trainers.play.session import GameSession
from trainers.play.terminal import TerminalUI

MATE_IN_ONE = "6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"  # Ra8#


@dataclass
class Choice:
    move: chess.Move
    probability: float
    value: float
    top: list[tuple[chess.Move, float]]


@dataclass
class FakePolicy:
    """Plays the first legal move in sorted UCI order, or the next of ``script`` when given."""

    default_think: int = 7
    script: list[str] = field(default_factory=list)
    calls: list[tuple[str, int | None]] = field(default_factory=list)

    def analyse(self, board: chess.Board, think: int | None = None) -> Choice:
        self.calls.append((board.fen(), think))
        moves = sorted(board.legal_moves, key=lambda move: move.uci())
        move = chess.Move.from_uci(self.script.pop(0)) if self.script else moves[0]
        return Choice(move, 0.25, 0.0, [(move, 0.25), *((m, 0.1) for m in moves if m != move)][:3])


def first_move(board: chess.Board) -> str:
    return board.san(min(board.legal_moves, key=lambda move: move.uci()))


def test_a_scripted_game_through_every_command():
    policy = FakePolicy()
    session = GameSession(policy, think=5)
    assert session.human_to_move and session.think == 5

    reply = session.handle("e4")
    assert reply.ok and reply.redraw and session.board.move_stack[0] == chess.Move.from_uci("e2e4")
    assert session.last_agent_move.san == "a5" and reply.message == "You played e4; the network answered a5."
    assert (session.last_agent_move.probability, session.last_agent_move.value, session.last_agent_move.think) == (
        0.25,
        0.0,
        5,
    )
    assert policy.calls[-1][1] == 5
    assert session.handle("G1F3").ok  # UCI, any case
    assert session.handle("nc3").ok  # SAN with a lower-case piece letter
    assert session.move_list() == "1. e4 a5 2. Nf3 a4 3. Nc3 a3"

    before = session.board.fen()
    for line, words in [
        ("e6", "Illegal move: e6 - your pawn on e4 cannot move to e6"),
        ("e2e4", "there is no piece on e2"),
        ("Qh8", "Illegal move"),
        ("O-O-O", "cannot castle queen side"),
        ("hello", "Not a move or a command"),
        ("", "Type a move"),
    ]:
        reply = session.handle(line)
        assert not reply.ok and words in reply.message, (line, reply.message)
        assert session.board.fen() == before and len(session.board.move_stack) == 6
    assert "Legal moves: " in session.handle("Qh8").message

    reply = session.handle("undo")
    assert reply.ok and "Took back Nc3 a3" in reply.message and len(session.board.move_stack) == 4
    assert session.human_to_move and session.last_agent_move.san == "a4"

    assert session.handle("flip").ok and session.orientation == chess.BLACK
    assert session.handle("FLIP").ok and session.orientation == chess.WHITE

    hint = session.handle("hint")
    assert hint.ok and f"Hint: {first_move(session.board)} (the network gives it 25%" in hint.message
    assert len(session.board.move_stack) == 4

    assert session.handle("fen").message == session.board.fen()
    pgn = session.handle("pgn").message
    assert '[White "You"]' in pgn and '[Black "Deep-thinking network (think 5)"]' in pgn
    assert '[Result "*"]' in pgn and "1. e4 a5 2. Nf3 a4 *" in pgn
    assert "undo" in session.handle("help").message

    reply = session.handle("resign")
    assert reply.result == "0-1" and "The network wins (0-1)" in reply.message and session.over
    assert not session.handle("d4").ok and "game is over" in session.handle("d4").message
    assert not session.handle("hint").ok
    pgn = session.handle("pgn").message
    assert '[Result "0-1"]' in pgn and "{ White resigns. } 0-1" in pgn

    reply = session.handle("new")
    assert reply.ok and not session.over and session.board == chess.Board() and session.agent_moves == {}
    reply = session.handle("undo")
    assert not reply.ok and "Nothing to undo" in reply.message
    assert session.handle("quit").quit and session.handle("exit").quit


def test_castling_and_promotion_spellings():
    board = chess.Board("r3k2r/1P6/8/8/8/2n5/1P1B4/R3K2R w KQkq - 0 1")
    assert parse_move(board, "0-0") == parse_move(board, "o-o") == chess.Move.from_uci("e1g1")
    assert parse_move(board, "b8=Q") == parse_move(board, "b7b8q") == chess.Move.from_uci("b7b8q")
    assert parse_move(board, "Bxc3") == chess.Move.from_uci("d2c3")
    for text, words in [
        ("bxc3", "Ambiguous move: bxc3 could be Bxc3 or bxc3"),
        ("b8", "name the promotion piece"),
        ("Kd1", "would leave your king in check"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_move(board, text)


def test_checkmate_by_the_person_ends_the_game_without_asking_the_network():
    policy = FakePolicy()
    session = GameSession(policy, board=chess.Board(MATE_IN_ONE))
    reply = session.handle("Ra8#")
    assert reply.result == "1-0" and "Checkmate. You win (1-0)." in reply.message
    assert session.over and session.termination == "checkmate" and policy.calls == []
    assert '[Result "1-0"]' in session.pgn() and '[FEN "6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"]' in session.pgn()
    assert session.handle("undo").ok and not session.over and session.board.fen() == MATE_IN_ONE


def test_the_network_mating_you_and_a_draw_by_material():
    # Black mates with Qh4# after f3 e5 g4.
    session = GameSession(FakePolicy(script=["e7e5", "d8h4"]))
    session.handle("f3")
    reply = session.handle("g4")
    assert reply.result == "0-1" and "Checkmate. The network wins (0-1)." in reply.message
    assert session.handle("undo").ok and len(session.board.move_stack) == 2 and not session.over

    session = GameSession(FakePolicy(), board=chess.Board("8/8/8/4k3/8/8/3rK3/8 w - - 0 1"))
    reply = session.handle("Kxd2")
    assert reply.result == "1/2-1/2" and "Draw by insufficient material" in reply.message

    session = GameSession(FakePolicy(script=["g8f6", "f6g8"] * 2))
    for move in ["Nf3", "Ng1", "Nf3"]:
        assert session.result is None and session.handle(move).ok
    reply = session.handle("Ng1")
    assert reply.result == "1/2-1/2" and "Draw by threefold repetition (1/2-1/2)." in reply.message
    assert "{ Threefold repetition. } 1/2-1/2" in session.pgn()


def test_playing_black_lets_the_network_open():
    session = GameSession(FakePolicy(), human=chess.BLACK)
    assert session.agent_to_move and session.orientation == chess.BLACK
    assert session.agent_turn().message == "The network played a3."
    assert session.human_to_move and not session.handle("undo").ok
    assert session.handle("e5").ok and session.move_list() == "1. a3 e5 2. Ra2"
    assert session.handle("new").message == "New game: you play Black. The network played a3."

    start = chess.Board("4k3/8/8/8/8/8/4P3/4K3 b - - 0 12")
    session = GameSession(FakePolicy(), human=chess.WHITE, board=start)
    session.agent_turn()
    assert session.handle("e4").ok and session.move_list().startswith("12... Kd7 13. e4")


def test_bad_start_positions_and_colours():
    with pytest.raises(ValueError, match="not a FEN"):
        board_from_fen("not a fen")
    with pytest.raises(ValueError, match="not a legal chess position.*no black king"):
        board_from_fen("8/8/8/8/8/8/8/K7 w - - 0 1")
    assert board_from_fen("") == chess.Board()
    assert choose_colour("Black") == chess.BLACK
    assert {choose_colour("random", random.Random(seed)) for seed in range(20)} == {True, False}
    with pytest.raises(ValueError, match="white, black or random"):
        choose_colour("green")
    with pytest.raises(ValueError, match="think must be from 1 to 100000"):
        GameSession(FakePolicy(), think=0)


def test_board_drawing_unicode_and_ascii():
    board = chess.Board()
    board.push_san("e4")
    view = render_board(board, chess.WHITE, board.peek())
    text = view.text(colour=True)
    lines = text.plain.splitlines()
    assert lines[0].startswith("8 ") and "♜" in lines[0] and "♜" in lines[7] and lines[-1].split() == list("abcdefgh")
    assert {str(span.style) for span in text.spans if "♜" in text.plain[span.start : span.end]} >= {
        f"bold #ffffff on {DARK}",
        f"bold #000000 on {LIGHT}",
    }
    moved = [span for span in text.spans if LIGHT_MOVED in str(span.style) or DARK_MOVED in str(span.style)]
    assert len(moved) == 2
    # Without colour the sides still differ: White's pieces are outlined.
    assert "♖" in view.text(colour=False).plain.splitlines()[7] and not view.text(colour=False).spans

    flipped = render_board(board, chess.BLACK, None, ascii=True).text().plain.splitlines()
    assert flipped[0] == "1  R  N  B  K  Q  B  N  R " and flipped[-1].split() == list("hgfedcba")
    plain = render_board(board, chess.WHITE, board.peek(), ascii=True).text()
    assert not plain.spans and plain.plain.splitlines()[4] == "4  .  .  .  . [P] .  .  . "

    board = chess.Board("4k3/8/8/8/8/8/8/4K2R b - - 0 1")
    board.push_san("Kd8")
    board.push_san("Rh8+")
    checked = render_board(board, chess.WHITE, board.peek()).text()
    assert sum(CHECKED in str(span.style) for span in checked.spans) == 1
    assert "!k!" in render_board(board, chess.WHITE, None, ascii=True).text().plain


def scripted(lines, console):
    def read(prompt):
        if not lines:
            raise EOFError
        line = lines.pop(0)
        console.print(prompt + line, markup=False)
        return line

    return read


@pytest.mark.parametrize("ascii", [False, True])
def test_terminal_ui_plays_until_quit(ascii):
    console = Console(record=True, width=100, force_terminal=True, color_system="truecolor")
    session = GameSession(FakePolicy(), think=3)
    ui = TerminalUI(session, console, scripted(["e4", "zz", "Nf3", "undo", "d4", "quit"], console), ascii=ascii)
    assert ui.run() is None
    out = console.export_text()
    assert "You play White against the deep-thinking network (3 iterations a move)" in out
    assert "Not a move or a command: 'zz'" in out and "Took back Nf3 a4" in out and "Bye." in out
    assert "Moves: 1. e4 a5 2. d4 a4" in out and "Last move: 2... a4" in out
    assert "Network's a4: confidence 25%, win chance 50% (value +0.00)" in out
    assert "a  b  c  d  e  f  g  h" in out
    if ascii:
        assert "8  r  n  b  q  k  b  n  r" in out and "♜" not in out
    else:
        assert "♜" in out


def test_terminal_ui_announces_the_end_and_quits_on_end_of_input():
    console = Console(record=True, width=100)
    session = GameSession(FakePolicy(), board=chess.Board(MATE_IN_ONE))
    assert TerminalUI(session, console, scripted(["a1a8"], console)).run() == "1-0"
    out = console.export_text()
    assert "Checkmate. You win (1-0)." in out and "Game over: 1-0 (checkmate)" in out and "Bye." in out


def test_a_start_position_that_is_already_over():
    console = Console(record=True, width=100)
    session = GameSession(FakePolicy(), board=chess.Board("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1"))
    assert TerminalUI(session, console, scripted(["e4"], console)).run() == "1/2-1/2"
    out = console.export_text()
    assert "This position is already over: stalemate." in out and "The game is over (1/2-1/2)" in out
    assert session.policy.calls == []


def test_ctrl_c_while_the_network_thinks_quits_cleanly():
    class Interrupted(FakePolicy):
        def analyse(self, board, think=None):
            raise KeyboardInterrupt

    console = Console(record=True, width=100)
    session = GameSession(Interrupted(), human=chess.BLACK)
    assert TerminalUI(session, console, scripted([], console)).run() is None
    assert "Interrupted. Bye." in console.export_text()


def test_play_command_help_and_a_bad_fen(capsys):
    with pytest.raises(SystemExit) as exit_info:
        play.main(["--help"])
    assert exit_info.value.code == 0 and "--think" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        run_main(lambda: play.main(["--fen", "8/8/8/8/8/8/8/8 w - - 0 1"]))
    assert exit_info.value.code == 2 and "not a legal chess position" in capsys.readouterr().err


def test_win_chance_is_the_value_as_an_expected_score():
    move = chess.Move.from_uci("e2e4")
    assert [AgentMove(move, "e4", 0.5, value, 8).win_chance for value in (-1.0, -0.5, 0.0, 0.6)] == pytest.approx(
        [0.0, 0.25, 0.5, 0.8]
    )
