"""The chess policy as a UCI engine, over text streams (``deepthink uci`` runs it on stdin and stdout).

Any UCI front end (a chess GUI such as Cute Chess or Arena, ``cutechess-cli``, python-chess's
``chess.engine``) can play or analyse with the thinking network. The engine thinks about the position the GUI
sent; :mod:`trainers.play.uci_limits` says how the UCI limits become a thinking budget.

Every search reports ``info depth <iterations> nodes <iterations> time <ms> nps <iterations/s> score cp <cp>
pv <move>`` as it goes and ends with ``bestmove``. The score is the value head's expected outcome ``v`` for the
side to move turned into centipawns as the training labels were made (``v = tanh(cp / 400)``, so
``cp = 400 atanh(v)``). ``stop`` ends a search at once with the best move so far; ``go searchmoves ...``
chooses among the listed moves only.

Bad input never ends the engine: an unknown command is ignored, as the protocol asks, and a malformed one
(an impossible FEN, an illegal move, a non-numeric limit, an unknown option) is answered with
``info string error: ...`` and otherwise ignored (a bad ``position`` leaves the position as it was; a bad
``go`` token is skipped and the search still ends with ``bestmove``).

    from agents.chess_policy import load_policy
    engine = UciEngine(load_policy("chess"), print)
    engine.run(sys.stdin)
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import chess

from trainers.cli import arg, parse_args, run_main
from trainers.play.uci_limits import MAX_THINK, GoLimits, Options, Plan, move_time_ms, parse_go, value_to_cp

#: Iterations between two looks at ``stop`` and the clock, once a search has run this many.
CHUNK = 32
ENGINE_AUTHOR = "Deep Thinking Suite"


class MoveChoice(Protocol):
    """What the policy says about a position (``agents.chess_policy.MoveChoice`` has this shape)."""

    move: chess.Move
    value: float
    top: list[tuple[chess.Move, float]]


class StreamingPolicy(Protocol):
    """A policy that thinks on and on (``agents.chess_policy.ChessPolicy`` is one)."""

    @property
    def default_think(self) -> int:
        """The budget used when none is given."""
        ...

    def analyse_stream(
        self, board: chess.Board, marks: Iterable[int], top: int = 3
    ) -> Iterator[tuple[int, MoveChoice]]:
        """Yields ``(iterations, choice)`` at each of the increasing ``marks``."""
        ...


class UciEngine:
    """A UCI engine around a thinking chess policy (see the module docstring for the protocol it speaks).

    One command at a time goes to :meth:`handle` (or :meth:`run` reads them from a stream until ``quit`` or the
    end of input). ``go`` thinks on a background thread, so ``stop``, ``isready`` and ``quit`` are answered
    while it thinks; :meth:`wait` waits for the search to finish.

    Args:
        policy: the player (``agents.chess_policy.ChessPolicy``, or anything with ``default_think`` and
            ``analyse_stream``).
        write: takes each line the engine says (no newline), e.g. ``print``; calls are serialised.
        name: the engine's name after ``id name``.
        threads: torch threads to use (``Threads`` option); None leaves torch's setting and reports it.
        clock: seconds, monotonic (tests pass a fake one).
    """

    def __init__(
        self,
        policy: StreamingPolicy,
        write: Callable[[str], object],
        name: str = "Deep Thinking Suite chess",
        threads: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import torch

        self.policy = policy
        self.name = name
        self.clock = clock
        self._write = write
        self._lock = threading.Lock()
        think = int(policy.default_think)
        if threads is not None:
            torch.set_num_threads(int(threads))
        self.options = Options(think=think, max_think=2 * think, threads=torch.get_num_threads())
        self.defaults = Options(**{key: getattr(self.options, key) for key in ("think", "max_think", "threads")})
        self.board = chess.Board()
        #: Measured seconds per iteration of thinking (None until the first measurement).
        self.seconds_per_iteration: float | None = None
        self._search: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------------------------------- I/O

    def say(self, line: str) -> None:
        """Writes one line of the protocol."""
        with self._lock:
            self._write(line)

    def error(self, message: str) -> None:
        """Reports a problem as ``info string error: ...`` (one line)."""
        self.say("info string error: " + " ".join(message.split()))

    def run(self, lines: Iterable[str]) -> None:
        """Handles ``lines`` (e.g. ``sys.stdin``) one by one until ``quit`` or their end, which also quits."""
        for line in lines:
            if not self.handle(line):
                return
        self.handle("quit")

    def handle(self, line: str) -> bool:
        """Handles one command line; returns False after ``quit``. Never raises on bad input."""
        tokens = line.split()
        if not tokens:
            return True
        command, arguments = tokens[0], tokens[1:]
        handler = getattr(self, f"_command_{command}", None) if command.isidentifier() else None
        if handler is None:
            return True  # the protocol: ignore what is not understood
        try:
            return handler(arguments) is not False
        except Exception as error:  # an engine must not die of one bad line
            self.error(f"{command}: {error}")
            return True

    @property
    def searching(self) -> bool:
        """A search is running (its ``bestmove`` not yet said)."""
        return self._search is not None and self._search.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for the running search to say ``bestmove``; returns False when it still runs after ``timeout``."""
        search = self._search
        if search is not None:
            search.join(timeout)
            return not search.is_alive()
        return True

    # ------------------------------------------------------------------------------------------- commands

    def _command_uci(self, arguments: list[str]) -> None:
        self.say(f"id name {self.name}")
        self.say(f"id author {ENGINE_AUTHOR}")
        for option, (key, low, high) in Options.BOUNDS.items():
            self.say(f"option name {option} type spin default {getattr(self.defaults, key)} min {low} max {high}")
        self.say("uciok")

    def _command_isready(self, arguments: list[str]) -> None:
        if self.seconds_per_iteration is None and not self.searching:
            self.calibrate()
        self.say("readyok")

    def _command_debug(self, arguments: list[str]) -> None:
        pass

    def _command_ucinewgame(self, arguments: list[str]) -> None:
        self._end_search()
        self.board = chess.Board()

    def _command_setoption(self, arguments: list[str]) -> None:
        text = " ".join(arguments)
        if not text.startswith("name "):
            raise ValueError(f"setoption name <name> value <value>, got {text!r}")
        name, _, value = text[len("name ") :].partition(" value ")
        name = name.strip()
        bounds = {option.lower(): (option, *rest) for option, rest in Options.BOUNDS.items()}.get(name.lower())
        if bounds is None:
            raise ValueError(f"no option {name!r}; the options are {', '.join(Options.BOUNDS)}")
        option, key, low, high = bounds
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError(f"{option} takes a whole number from {low} to {high}, got {value.strip()!r}") from None
        if not low <= number <= high:
            raise ValueError(f"{option} takes a whole number from {low} to {high}, got {number}")
        setattr(self.options, key, number)
        if key == "threads":
            import torch

            torch.set_num_threads(number)

    def _command_position(self, arguments: list[str]) -> None:
        if not arguments or arguments[0] not in ("startpos", "fen"):
            raise ValueError("position startpos [moves ...] or position fen <FEN> [moves ...]")
        moves_at = arguments.index("moves") if "moves" in arguments else len(arguments)
        if arguments[0] == "startpos":
            if moves_at != 1:
                raise ValueError(f"unexpected {' '.join(arguments[1:moves_at])!r} after startpos")
            board = chess.Board()
        else:
            fen = " ".join(arguments[1:moves_at])
            try:
                board = chess.Board(fen)
            except ValueError as error:
                raise ValueError(f"not a FEN: {fen!r} ({error})") from None
            if not board.is_valid():
                raise ValueError(f"not a legal chess position: {fen!r}")
        for text in arguments[moves_at + 1 :]:
            try:
                move = board.parse_uci(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a legal move in {board.fen()}; position unchanged") from None
            if not move:
                raise ValueError(f"a null move ({text!r}) is not a chess move; position unchanged")
            board.push(move)
        self.board = board

    def _command_go(self, arguments: list[str]) -> None:
        self._end_search()
        limits = parse_go(arguments)
        for message in limits.errors:
            self.error(message)
        board = self.board.copy()
        if limits.searchmoves:
            allowed, unknown = self._search_moves(board, limits.searchmoves)
            if unknown:
                self.error(f"searchmoves: {' '.join(unknown)} not legal here; ignored")
        else:
            allowed = []
        if (limits.wtime is not None or limits.btime is not None or limits.movetime is not None) and (
            self.seconds_per_iteration is None
        ):
            self.calibrate()
        plan = self.plan(limits, board.turn)
        self._stop.clear()
        self._search = threading.Thread(target=self._think, args=(board, plan, allowed), daemon=True)
        self._search.start()

    def _command_stop(self, arguments: list[str]) -> None:
        self._stop.set()

    def _command_ponderhit(self, arguments: list[str]) -> None:
        self._stop.set()

    def _command_quit(self, arguments: list[str]) -> bool:
        self._end_search()
        return False

    # ------------------------------------------------------------------------------------------- thinking

    def plan(self, limits: GoLimits, turn: chess.Color) -> Plan:
        """The budget of a search with these limits (see the table in the module docstring)."""
        options = self.options
        wait = limits.infinite or limits.ponder
        budgets = [value for value in (limits.depth, limits.nodes) if value is not None]
        milliseconds = None if wait else move_time_ms(limits, turn)
        seconds = None
        if milliseconds is not None:
            seconds = max(milliseconds - options.move_overhead, 0.0) / 1000
            per_iteration = self.seconds_per_iteration or 0.01
            budgets.append(min(options.max_think, int(seconds / per_iteration)))
        if wait and not budgets:
            budgets.append(MAX_THINK)
        if not budgets:
            budgets.append(options.think)
        return Plan(min(max(min(budgets), 1), MAX_THINK), seconds, wait)

    def calibrate(self) -> float:
        """Times the policy on the start position and keeps the seconds per iteration (also returned)."""
        board = chess.Board()
        think = max(self.options.think, 4)
        for _ in self.policy.analyse_stream(board, [1], top=1):  # warm up: the first call pays for set-up
            pass
        start = self.clock()
        for _ in self.policy.analyse_stream(board, [think], top=1):
            pass
        self.seconds_per_iteration = max(self.clock() - start, 1e-6) / think
        return self.seconds_per_iteration

    def _search_moves(self, board: chess.Board, texts: list[str]) -> tuple[list[chess.Move], list[str]]:
        allowed, unknown = [], []
        for text in texts:
            try:
                allowed.append(board.parse_uci(text))
            except ValueError:
                unknown.append(text)
        return allowed, unknown

    def _marks(self, plan: Plan, start: float, timed: bool) -> Iterator[int]:
        """The iteration counts to report at: doubling while a timed or endless search may be cut short, then
        every :data:`CHUNK`; a fixed budget goes in chunks. Ends early on ``stop`` or when time runs short."""
        done = 0
        while done < plan.iterations:
            grow = (timed or plan.wait) and done < CHUNK
            mark = min(plan.iterations, max(1, 2 * done) if grow else done + CHUNK)
            if done and self._stop.is_set():
                return
            if done and plan.seconds is not None:
                per_iteration = self.seconds_per_iteration or 0.0
                if self.clock() - start + (mark - done) * per_iteration > plan.seconds:
                    return
            yield mark
            done = mark

    def _think(self, board: chess.Board, plan: Plan, allowed: list[chess.Move]) -> None:
        """The search thread: think, report, answer ``bestmove`` (always, also after an error)."""
        best: chess.Move | None = None
        try:
            if board.is_game_over(claim_draw=False):
                outcome = board.outcome(claim_draw=False)
                reason = outcome.termination.name.lower().replace("_", " ") if outcome else "over"
                self.say(f"info string the game is over ({reason}): no move")
            else:
                best = self._search_board(board, plan, allowed)
        except Exception as error:
            self.error(f"the search failed: {error}")
        if plan.wait:
            self._stop.wait()
        self.say(f"bestmove {best.uci() if best else '(none)'}")

    def _search_board(self, board: chess.Board, plan: Plan, allowed: list[chess.Move]) -> chess.Move | None:
        start = self.clock()
        last, done = start, 0
        best = None
        top = board.legal_moves.count() if allowed else 1
        marks = self._marks(plan, start, timed=plan.seconds is not None)
        for iterations, choice in self.policy.analyse_stream(board, marks, top=top):
            now = self.clock()
            if iterations - done >= 4:  # a measurement long enough to trust
                measured = (now - last) / (iterations - done)
                previous = self.seconds_per_iteration
                self.seconds_per_iteration = measured if previous is None else 0.7 * previous + 0.3 * measured
            last, done = now, iterations
            move = next((move for move, _ in choice.top if move in allowed), choice.move) if allowed else choice.move
            best = move
            elapsed = max(now - start, 1e-6)
            self.say(
                f"info depth {iterations} nodes {iterations} time {round(elapsed * 1000)} "
                f"nps {round(iterations / elapsed)} score cp {value_to_cp(choice.value)} pv {move.uci()}"
            )
        return best

    def _end_search(self) -> None:
        """Stops a running search and waits for its ``bestmove``."""
        if self._search is not None:
            self._stop.set()
            self._search.join()
            self._search = None


@dataclass
class UciArgs:
    """Speak UCI on stdin and stdout with the chess policy (see trainers/play/uci.py for the protocol)."""

    checkpoint: str = arg("chess", "shipped policy name or checkpoint path")
    threads: int = arg(1, "torch threads (the UCI option Threads changes it)")


def main(argv: list[str] | None = None) -> None:
    """``deepthink uci``: loads the policy, then answers UCI commands until ``quit`` or the end of input."""
    args = parse_args(UciArgs, argv)
    if args.threads < 1:
        raise ValueError(f"--threads must be at least 1, got {args.threads}")
    from agents.chess_policy import load_policy

    policy = load_policy(args.checkpoint)
    name = f"Deep Thinking Suite ({policy.card.get('name') or Path(str(args.checkpoint)).name})"
    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    engine = UciEngine(policy, write, name=name, threads=args.threads)
    try:
        engine.run(iter(sys.stdin.readline, ""))
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    run_main(main)
