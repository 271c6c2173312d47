"""The UCI engine: the protocol in-process (with a tiny network), its limits, and a real GUI client (python-chess)
playing it against Stockfish through ``python -m trainers.console uci``."""

import math
import random
import sys
import threading
import tomllib
from dataclasses import dataclass

import chess
import chess.engine
import pytest
import torch

from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.chess_policy import ChessPolicy
from tests.helpers import ROOT
from trainers.play.uci import UciEngine
from trainers.play.uci_limits import MAX_THINK, GoLimits, move_time_ms, parse_go, value_to_cp

FOOLS_MATE = "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"
ITALIAN = "r1bqk1nr/pppp1ppp/2n5/2b1p3/2B1P3/5N2/PPPP1PPP/RNBQK2R w KQkq - 4 4"


def _stockfish_available() -> bool:
    try:
        from puzzles.engine import find_stockfish

        find_stockfish()
    except (FileNotFoundError, OSError, ValueError):
        return False
    return True


needs_stockfish = pytest.mark.skipif(not _stockfish_available(), reason="Stockfish is not installed")


def tiny_policy(think: int = 4) -> ChessPolicy:
    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8, blocks=1, policy_width=8, value_width=8))
    return ChessPolicy(net, {"name": "tiny", "recommended_think": think})


class Lines:
    """The engine's output, thread-safe, with helpers to read it."""

    def __init__(self):
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        assert "\n" not in line
        with self._lock:
            self.lines.append(line)

    def take(self) -> list[str]:
        with self._lock:
            lines, self.lines = self.lines, []
        return lines


def engine_and_output(policy=None, **kwargs):
    output = Lines()
    return UciEngine(policy or tiny_policy(), output, **kwargs), output


def go(engine: UciEngine, output: Lines, command: str) -> list[str]:
    assert engine.handle(command)
    assert engine.wait(timeout=60)
    return output.take()


def infos(lines: list[str]) -> list[dict[str, str]]:
    """The ``info depth`` lines as {key: value} (pv as its first move)."""
    found = []
    for line in lines:
        words = line.split()
        if words[:2] == ["info", "depth"]:
            words = [word for word in words[1:] if word != "score"]  # "score cp X" -> "cp X"
            found.append(dict(zip(words[0::2], words[1::2], strict=True)))
    return found


def test_handshake_options_and_ready():
    engine, output = engine_and_output(name="Test engine")
    assert engine.handle("uci")
    lines = output.take()
    assert lines[0] == "id name Test engine" and lines[1].startswith("id author ") and lines[-1] == "uciok"
    options = [line for line in lines if line.startswith("option name")]
    assert f"option name Think type spin default 4 min 1 max {MAX_THINK}" in options  # the card's budget
    assert any(line.startswith("option name Threads type spin default ") for line in options)
    assert engine.handle("isready") and output.take() == ["readyok"]
    assert engine.seconds_per_iteration is not None and engine.seconds_per_iteration > 0  # measured at isready


def test_a_bare_go_thinks_the_think_option_and_reports_the_value_head():
    policy = tiny_policy()
    engine, output = engine_and_output(policy)
    engine.handle("position startpos moves e2e4 e7e5")
    lines = go(engine, output, "go")
    board = chess.Board()
    board.push_san("e4")
    board.push_san("e5")
    expected = policy.analyse(board, think=4)
    assert lines[-1] == f"bestmove {expected.move.uci()}"
    last = infos(lines)[-1]
    assert last["depth"] == "4" and last["pv"] == expected.move.uci()
    assert int(last["cp"]) == value_to_cp(expected.value)

    engine.handle("setoption name Think value 7")
    assert infos(go(engine, output, "go"))[-1]["depth"] == "7"
    engine.handle("setoption name think value 2")  # option names are case-insensitive
    assert infos(go(engine, output, "go"))[-1]["depth"] == "2"


def test_depth_and_nodes_are_iterations():
    policy = tiny_policy()
    engine, output = engine_and_output(policy)
    engine.handle(f"position fen {ITALIAN}")
    for command, depth in [("go depth 3", 3), ("go nodes 5", 5), ("go depth 6 nodes 2", 2), ("go depth 40", 40)]:
        lines = go(engine, output, command)
        found = infos(lines)
        assert found[-1]["depth"] == str(depth), command
        assert [int(info["depth"]) for info in found] == sorted({int(info["depth"]) for info in found})
        board = chess.Board(ITALIAN)
        assert lines[-1] == f"bestmove {policy.analyse(board, think=depth).move.uci()}", command


def test_value_to_cp_inverts_the_labels():
    assert value_to_cp(0.0) == 0
    assert value_to_cp(math.tanh(1.0)) == 400 and value_to_cp(math.tanh(-0.5)) == -200
    assert value_to_cp(1.0) == -value_to_cp(-1.0) and 1500 < value_to_cp(1.0) < 2500
    assert value_to_cp(float("nan")) == 0


def test_parse_go_and_the_clock():
    limits = parse_go("wtime 60000 btime 30000 winc 1000 binc 500 movestogo 10".split())
    assert (limits.wtime, limits.btime, limits.winc, limits.binc, limits.movestogo) == (60000, 30000, 1000, 500, 10)
    assert move_time_ms(limits, chess.WHITE) == pytest.approx(6000 + 750)
    assert move_time_ms(limits, chess.BLACK) == pytest.approx(3000 + 375)
    assert move_time_ms(parse_go("wtime 3000 btime 3000".split()), chess.WHITE) == pytest.approx(100)  # 30 to go
    assert move_time_ms(parse_go("wtime 100 winc 1000".split()), chess.WHITE) == pytest.approx(50)  # half at most
    assert move_time_ms(parse_go("movetime 250 wtime 100000".split()), chess.WHITE) == 250
    assert move_time_ms(parse_go("wtime -50".split()), chess.WHITE) == 0
    assert move_time_ms(parse_go(["infinite"]), chess.WHITE) is None
    assert parse_go(["infinite"]).infinite and parse_go(["ponder", "movetime", "5"]).ponder
    assert parse_go("searchmoves e2e4 d2d4 depth 3".split()).searchmoves == ["e2e4", "d2d4"]
    bad = parse_go("depth x nodes wobble 5".split())
    assert bad == GoLimits(errors=bad.errors) and len(bad.errors) == 3
    assert parse_go(["depth"]).errors and parse_go(["mate", "2"]).depth == 4


@dataclass
class SlowPolicy:
    """Thinks ``seconds`` of a fake clock per iteration; plays the first legal move."""

    clock: list
    seconds: float = 0.01
    default_think: int = 8

    def analyse_stream(self, board, marks, top=3):
        done = 0
        for mark in marks:
            self.clock[0] += (mark - done) * self.seconds
            done = mark
            move = min(board.legal_moves, key=chess.Move.uci)
            yield mark, type("Choice", (), {"move": move, "value": 0.0, "top": [(move, 1.0)]})()


def test_time_limits_buy_iterations_from_the_measured_speed_and_keep_the_clock():
    clock = [0.0]
    policy = SlowPolicy(clock)
    engine, output = engine_and_output(policy, clock=lambda: clock[0])
    engine.handle("isready")
    assert output.take() == ["readyok"] and engine.seconds_per_iteration == pytest.approx(0.01)
    engine.handle("setoption name MaxThink value 1000")

    # 135 ms less the 30 ms overhead buys 10 iterations at 10 ms each.
    start = clock[0]
    assert infos(go(engine, output, "go movetime 135"))[-1]["depth"] == "10"
    assert clock[0] - start <= 0.105
    # A clock: 3150 / 30 = 105 ms, less the overhead: 7 iterations.
    assert infos(go(engine, output, "go wtime 3150 btime 1 winc 0 binc 0"))[-1]["depth"] == "7"
    # MaxThink caps what time buys; depth still goes beyond it.
    engine.handle("setoption name MaxThink value 5")
    assert infos(go(engine, output, "go movetime 100000"))[-1]["depth"] == "5"
    assert infos(go(engine, output, "go depth 12"))[-1]["depth"] == "12"

    # The engine believes it is ten times faster than it is: the clock still stops it in time.
    engine.handle("setoption name MaxThink value 1000")
    engine.seconds_per_iteration = 0.001
    start = clock[0]
    found = infos(go(engine, output, "go movetime 130"))
    assert clock[0] - start <= 0.1 + 1e-9 and int(found[-1]["depth"]) < 100
    assert engine.seconds_per_iteration > 0.003  # learnt from the search


def test_infinite_thinks_until_stop_and_stop_answers_at_once():
    engine, output = engine_and_output()
    engine.handle("position startpos")
    assert engine.handle("go infinite")
    engine.handle("isready")  # answered while thinking
    deadline = 0
    while not any(line.startswith("info depth") for line in output.lines) and deadline < 600:
        threading.Event().wait(0.05)
        deadline += 1
    assert engine.searching and "readyok" in output.lines and not any("bestmove" in line for line in output.lines)
    engine.handle("stop")
    assert engine.wait(timeout=30)
    lines = output.take()
    assert lines[-1].startswith("bestmove ") and sum(line.startswith("bestmove") for line in lines) == 1
    assert chess.Move.from_uci(lines[-1].split()[1]) in chess.Board().legal_moves

    # A depth-limited infinite search still waits for stop before answering.
    engine.handle("go infinite depth 2")
    assert not engine.wait(timeout=0.5)
    engine.handle("stop")
    assert engine.wait(timeout=30) and output.take()[-1].startswith("bestmove ")

    # quit ends a search too, and says its move.
    engine.handle("go infinite")
    assert engine.handle("quit") is False and not engine.searching
    assert output.take()[-1].startswith("bestmove ")


def test_searchmoves_restricts_the_choice():
    engine, output = engine_and_output()
    lines = go(engine, output, "go depth 2 searchmoves h2h3")
    assert lines[-1] == "bestmove h2h3" and infos(lines)[-1]["pv"] == "h2h3"
    lines = go(engine, output, "go depth 2 searchmoves a7a6 g1f3")
    assert lines[-1] == "bestmove g1f3" and any("a7a6" in line and "error" in line for line in lines)


def test_positions_the_engine_refuses_leave_the_position_unchanged():
    engine, output = engine_and_output()
    engine.handle("position startpos moves e2e4")
    for command, words in [
        ("position fen 8/8/8 w - - 0 1", "not a FEN"),
        ("position fen 8/8/8/8/8/8/8/K7 w - - 0 1", "not a legal chess position"),
        ("position startpos moves e2e4 e2e4", "'e2e4' is not a legal move"),
        ("position startpos moves e2e4 0000", "null move"),
        ("position startpos extra moves e2e4", "unexpected 'extra'"),
        ("position", "position startpos"),
        ("position kiwipete", "position startpos"),
    ]:
        assert engine.handle(command)
        lines = output.take()
        assert len(lines) == 1 and lines[0].startswith("info string error: ") and words in lines[0], (command, lines)
    board = chess.Board()
    board.push_san("e4")
    assert engine.board == board
    engine.handle("position fen rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 moves e7e5 g1f3")
    assert engine.board.fen() == "rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
    engine.handle("position startpos moves e1g1")  # castling spelt as king takes rook is not legal from the start
    assert "error" in output.take()[0]
    engine.handle("ucinewgame")
    assert engine.board == chess.Board() and output.take() == []


def test_finished_games_answer_none():
    engine, output = engine_and_output()
    engine.handle(f"position fen {FOOLS_MATE}")
    lines = go(engine, output, "go depth 3")
    assert lines[-1] == "bestmove (none)" and "checkmate" in lines[0]
    engine.handle("position fen 7k/5Q2/6K1/8/8/8/8/8 b - - 0 1")
    assert go(engine, output, "go movetime 50")[-1] == "bestmove (none)"


def test_bad_options_and_unknown_commands_never_raise():
    engine, output = engine_and_output()
    for command, words in [
        ("setoption name Think value 0", "from 1 to"),
        ("setoption name Think value lots", "whole number"),
        ("setoption name Hash value 16", "no option 'Hash'"),
        ("setoption Think 4", "setoption name"),
        (f"setoption name Think value {MAX_THINK + 1}", "from 1 to"),
    ]:
        assert engine.handle(command)
        lines = output.take()
        assert len(lines) == 1 and lines[0].startswith("info string error: ") and words in lines[0], (command, lines)
    assert engine.options.think == 4
    for command in ["", "   ", "xyzzy", "register later", "debug on", "stop", "ponderhit", "_command_quit", "go!"]:
        assert engine.handle(command) and output.take() == []
    assert engine.handle("setoption name Threads value 1") and output.take() == []


def test_random_garbage_never_breaks_the_engine_and_every_go_answers_once():
    rng = random.Random(0)
    words = "uci isready go position startpos fen moves e2e4 depth nodes movetime wtime stop 3 -1 x \x00 é 99999999999"
    words = words.split() + ["8/8/8/8/8/8/8/8", "searchmoves", "infinite", "ucinewgame", "setoption", "name", "value"]
    engine, output = engine_and_output()
    gos = 0
    for _ in range(300):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        if line.split()[:1] == ["go"]:
            line += " depth 2" if "infinite" not in line else ""
            gos += 1
        assert engine.handle(line)
        engine.handle("stop")
        assert engine.wait(timeout=60)
    lines = output.take()
    assert sum(line.startswith("bestmove") for line in lines) == gos


def test_the_console_table_and_the_entry_point():
    from trainers import console

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["deepthink"].partition(":")
    assert (module, function) == ("trainers.console", "main")
    for name, (_, target) in console.COMMANDS.items():
        assert callable(console.resolve(target)), name


def test_the_console_dispatches_and_refuses_unknown_commands(capsys):
    from trainers import console

    console.main([])
    assert "uci" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        console.main(["nonsense"])
    assert exit_info.value.code == 2 and "no command 'nonsense'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        console.main(["uci", "--help"])
    assert exit_info.value.code == 0 and "--checkpoint" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        console.main(["play", "--help"])
    assert exit_info.value.code == 0 and "--think" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        console.main(["uci", "--checkpoint", str(ROOT / "no_such_checkpoint")])
    assert exit_info.value.code == 2 and "error:" in capsys.readouterr().err


def open_engine() -> chess.engine.SimpleEngine:
    return chess.engine.SimpleEngine.popen_uci([sys.executable, "-m", "trainers.console", "uci"], cwd=ROOT, timeout=60)


def test_python_chess_analyses_with_every_limit():
    with open_engine() as engine:
        assert engine.id["name"] == "Deep Thinking Suite (chess)"
        assert engine.options["Think"].default == 8 and engine.options["Threads"].type == "spin"
        board = chess.Board()
        board.push_san("e4")
        for limit, depth in [
            (chess.engine.Limit(depth=3), 3),
            (chess.engine.Limit(nodes=5), 5),
            (chess.engine.Limit(time=0.3), None),
            (chess.engine.Limit(white_clock=30, black_clock=30, white_inc=1, black_inc=1), None),
            (chess.engine.Limit(black_clock=0.05), None),
        ]:
            info = engine.analyse(board, limit)
            assert info["pv"][0] in board.legal_moves and isinstance(info["score"].relative.score(), int)
            assert info["depth"] == depth if depth else info["depth"] >= 1, limit
            result = engine.play(board, limit)
            assert result.move in board.legal_moves, limit
        with engine.analysis(board) as analysis:  # go infinite ... stop
            for info in analysis:
                if info.get("depth", 0) >= 4:
                    break
            analysis.stop()
            assert analysis.wait().move in board.legal_moves
        assert analysis.info["depth"] >= 4
        engine.configure({"Think": 3})
        assert engine.analyse(board, chess.engine.Limit())["depth"] == 3  # a bare go thinks Think


@needs_stockfish
def test_a_game_against_stockfish_through_python_chess():
    from puzzles.engine import find_stockfish

    board = chess.Board()
    with open_engine() as network, chess.engine.SimpleEngine.popen_uci(str(find_stockfish())) as stockfish:
        stockfish.configure({"Threads": 1})
        limits = {chess.WHITE: chess.engine.Limit(nodes=8), chess.BLACK: chess.engine.Limit(nodes=1)}
        players = {chess.WHITE: network, chess.BLACK: stockfish}
        while not board.is_game_over(claim_draw=True) and board.ply() < 80:
            result = players[board.turn].play(board, limits[board.turn], game="g1")
            assert result.move in board.legal_moves, board.fen()
            board.push(result.move)
    assert board.ply() == 80 or board.is_game_over(claim_draw=True)


def test_analyse_stream_thinks_on_from_mark_to_mark():
    policy = tiny_policy()
    board = chess.Board(ITALIAN)
    streamed = list(policy.analyse_stream(board, [1, 3, 40]))
    assert [mark for mark, _ in streamed] == [1, 3, 40]
    for mark, choice in streamed:
        alone = policy.analyse(board, think=mark)
        assert choice.move == alone.move and choice.value == pytest.approx(alone.value, abs=1e-5)
    with pytest.raises(ValueError, match="marks must increase"):
        list(policy.analyse_stream(board, [3, 3]))
    with pytest.raises(ValueError, match="from 1 to"):
        list(policy.analyse_stream(board, [0]))
    with pytest.raises(ValueError, match="game is over"):
        list(policy.analyse_stream(chess.Board(FOOLS_MATE), [1]))
