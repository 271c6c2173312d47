"""One game of chess between a person and a policy, driven by the lines the person types; no I/O.

:class:`GameSession` ``.handle(command)`` takes one line (a move in SAN or UCI, read by
:func:`trainers.play.parser.parse_move`, or a command such as ``undo`` or ``hint``) and returns a :class:`Reply`;
when the move leaves the policy to move, the session asks it (``analyse``, see :mod:`trainers.play.agent`) and
records its move, probability and value. :mod:`trainers.play.terminal` puts it on a terminal.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import chess
import chess.pgn

from agents.budget import check_search
from agents.networks import check_iterations
from puzzles.chess_game import game_result
from trainers.play.agent import AgentMove, MoveAnalysis, Policy
from trainers.play.parser import MoveError, parse_move

COMMANDS = {
    "undo": "take back your last move and the network's reply",
    "flip": "turn the board around",
    "hint": "the network's suggestion for your move",
    "resign": "give up this game",
    "new": "start again from the first position, same colours",
    "fen": "print the position as FEN",
    "pgn": "print the game so far as PGN",
    "save": "write the game with the network's evaluations to a PGN file: save FILE.pgn",
    "help": "this list",
    "quit": "leave (also Ctrl-C or Ctrl-D)",
}
#: The longest line the session reads; a move or a command is a few characters, and a longer line (a paste gone
#: wrong) is refused without being parsed or echoed back whole.
MAX_LINE = 200
# Other spellings people type; each maps to a command above.
ALIASES = {"takeback": "undo", "back": "undo", "?": "help", "exit": "quit", "q": "quit"}
TERMINATIONS = {
    chess.Termination.CHECKMATE: "checkmate",
    chess.Termination.STALEMATE: "stalemate",
    chess.Termination.INSUFFICIENT_MATERIAL: "insufficient material",
    chess.Termination.SEVENTYFIVE_MOVES: "the seventy-five-move rule",
    chess.Termination.FIVEFOLD_REPETITION: "fivefold repetition",
}


@dataclass
class Reply:
    """The session's answer to one command.

    Attributes:
        message: what to tell the person (plain text, possibly several lines).
        ok: False when the command was refused; the game is then exactly as before.
        redraw: the position or the board's orientation changed.
        quit: the person wants to leave.
        result: set when this command ended the game ("1-0", "0-1" or "1/2-1/2").
    """

    message: str = ""
    ok: bool = True
    redraw: bool = False
    quit: bool = False
    result: str | None = None


def colour_name(colour: chess.Color) -> str:
    """``"White"`` or ``"Black"``."""
    return "White" if colour == chess.WHITE else "Black"


def result_text(result: str, human: chess.Color) -> str:
    """``"You win"``, ``"The network wins"`` or ``"Draw"`` for a result string."""
    if result == "1/2-1/2":
        return "Draw"
    winner = chess.WHITE if result == "1-0" else chess.BLACK
    return "You win" if winner == human else "The network wins"


class GameSession:
    """One game between a person and a policy, driven by the lines the person types. No I/O.

    Args:
        policy: the network player (anything with ``analyse`` and ``default_think``).
        human: the person's colour.
        think: iterations the policy thinks per move; None for its ``default_think``.
        board: the start position (a copy is kept); None for the initial position. ``new`` returns to it.
        search: simulations of the policy's Gumbel search per move (0: the network's move as it is).
        thinking: a context manager factory wrapped around each call to the policy, given the budget (the
            terminal UI shows a spinner with it).

    Raises:
        ValueError: a think budget that is not a whole number from 1 to :data:`agents.networks.MAX_THINK`.
    """

    def __init__(
        self,
        policy: Policy,
        human: chess.Color = chess.WHITE,
        think: int | None = None,
        board: chess.Board | None = None,
        thinking: Callable[[int], contextlib.AbstractContextManager[object]] | None = None,
        search: int = 0,
    ) -> None:
        check_search(search)
        self.policy = policy
        self.search = search
        self.human = human
        self.think = check_iterations(think if think is not None else policy.default_think)
        self.start = (board if board is not None else chess.Board()).copy(stack=False)
        self.thinking = thinking or (lambda think: contextlib.nullcontext())
        self.orientation = human
        self.board = self.start.copy()
        self.agent_moves: dict[int, AgentMove] = {}  # keyed by ply: the index in board.move_stack
        self.resigned = False
        self.result, self.termination = self._game_end()

    # -- state the UI shows --------------------------------------------------------------------------------

    @property
    def over(self) -> bool:
        """The game has a result (by the rules or a resignation)."""
        return self.result is not None

    @property
    def human_to_move(self) -> bool:
        """The game goes on and it is the person's turn."""
        return not self.over and self.board.turn == self.human

    @property
    def agent_to_move(self) -> bool:
        """The game goes on and it is the policy's turn."""
        return not self.over and self.board.turn != self.human

    @property
    def last_move(self) -> chess.Move | None:
        """The last move played by either side, or None at the start."""
        return self.board.move_stack[-1] if self.board.move_stack else None

    @property
    def last_agent_move(self) -> AgentMove | None:
        """The policy's most recent move, or None when it has not moved yet."""
        return self.agent_moves[max(self.agent_moves)] if self.agent_moves else None

    def move_pairs(self) -> list[tuple[int, str | None, str | None]]:
        """The game's moves as ``(number, white SAN, black SAN)``; None where a side has not moved."""
        replay = self.start.copy(stack=False)
        pairs: list[tuple[int, str | None, str | None]] = []
        for move in self.board.move_stack:
            san = replay.san(move)
            if replay.turn == chess.WHITE:
                pairs.append((replay.fullmove_number, san, None))
            elif pairs and pairs[-1][0] == replay.fullmove_number:
                pairs[-1] = (pairs[-1][0], pairs[-1][1], san)
            else:  # the game started with Black to move
                pairs.append((replay.fullmove_number, None, san))
            replay.push(move)
        return pairs

    def move_list(self) -> str:
        """The moves as numbered pairs: ``1. e4 e5 2. Nf3``, or ``12... Kh8 13. Qd2`` from a Black start."""
        parts = []
        for number, white, black in self.move_pairs():
            if white is None:
                parts.append(f"{number}... {black}")
            else:
                parts.append(f"{number}. {white}" + (f" {black}" if black else ""))
        return " ".join(parts)

    def last_move_text(self) -> str | None:
        """The last move as ``12... Nf6``, or None before the first move."""
        pairs = self.move_pairs()
        if not pairs:
            return None
        number, white, black = pairs[-1]
        return f"{number}... {black}" if black else f"{number}. {white}"

    def pgn(self) -> str:
        """The game so far as PGN, with the players and the result (``*`` while it goes on)."""
        game = chess.pgn.Game.from_board(self.board)
        players = {self.human: "You", not self.human: f"Deep-thinking network (think {self.think})"}
        game.headers["Event"] = "Casual game"
        game.headers["Site"] = "Terminal"
        game.headers["Date"] = datetime.date.today().strftime("%Y.%m.%d")
        game.headers["Round"] = "-"
        game.headers["White"] = players[chess.WHITE]
        game.headers["Black"] = players[chess.BLACK]
        game.headers["Result"] = self.result or "*"
        if self.termination:
            # PGN's Termination tag has a fixed vocabulary; the reason goes in a closing comment.
            game.headers["Termination"] = "normal"
            reason = f"{colour_name(self.human)} resigns" if self.resigned else self.termination
            game.end().comment = reason[0].upper() + reason[1:] + "."
        return str(game)

    # -- commands ------------------------------------------------------------------------------------------

    def handle(self, command: str) -> Reply:
        """Carries out one line the person typed; see :data:`COMMANDS`. Anything else is read as a move.

        A refused line (``Reply.ok`` False) leaves the game exactly as it was.
        """
        if len(command) > MAX_LINE:
            return Reply(
                f"That line is {len(command):,} characters long; a move or a command is a few (help lists them).",
                ok=False,
            )
        word = command.strip().lower()
        word = ALIASES.get(word, word)
        if not word:
            return Reply("Type a move (e4, Nf3, e2e4) or a command (help lists them).", ok=False)
        if word.split()[0] == "save":  # the one command with an argument: the file name
            return self._command_save(command.strip()[len("save") :].strip())
        if word in COMMANDS:
            return getattr(self, f"_command_{word}")()
        return self._human_move(command)

    def agent_turn(self) -> Reply:
        """Lets the policy move when it is its turn (at the start, or after ``new``); else does nothing."""
        if not self.agent_to_move:
            return Reply()
        agent = self._play_agent()
        return self._after_move(f"The network played {agent.san}.")

    def _human_move(self, command: str) -> Reply:
        if self.over:
            return Reply(f"The game is over ({self.result}). Type new, undo, pgn or quit.", ok=False)
        try:
            move = parse_move(self.board, command)
        except MoveError as error:
            return Reply(str(error), ok=False)
        san = self.board.san(move)
        self.board.push(move)
        reply = self._after_move(f"You played {san}.")
        if not self.agent_to_move:
            return reply
        agent = self._play_agent()
        return self._after_move(f"You played {san}; the network answered {agent.san}.")

    def _analyse(self) -> MoveAnalysis:
        """The policy's analysis of the position, its move checked to be legal."""
        with self.thinking(self.think):
            searched = {"search": self.search} if self.search else {}  # a policy without search keeps its signature
            choice = self.policy.analyse(self.board.copy(), self.think, **searched)  # it may push and pop on its copy
        if not self.board.is_legal(choice.move):
            raise RuntimeError(f"the policy chose {choice.move.uci()}, not a legal move in {self.board.fen()}")
        return choice

    def _play_agent(self) -> AgentMove:
        choice = self._analyse()
        agent = AgentMove(
            move=choice.move,
            san=self.board.san(choice.move),
            probability=float(choice.probability),
            value=float(choice.value),
            think=self.think,
            top=[(self.board.san(move), float(p)) for move, p in choice.top if self.board.is_legal(move)],
        )
        self.agent_moves[len(self.board.move_stack)] = agent
        self.board.push(choice.move)
        return agent

    def _after_move(self, message: str) -> Reply:
        self.result, self.termination = self._game_end()
        if self.result is None:
            return Reply(message, redraw=True)
        return Reply(f"{message}\n{self._announce()}", redraw=True, result=self.result)

    def _game_end(self) -> tuple[str | None, str | None]:
        if self.resigned:
            return ("0-1" if self.human == chess.WHITE else "1-0"), "resignation"
        result = game_result(self.board)
        if result is None:
            return None, None
        outcome = self.board.outcome(claim_draw=False)
        if outcome is not None:
            return result, TERMINATIONS.get(outcome.termination, outcome.termination.name.lower())
        return result, "the fifty-move rule" if self.board.halfmove_clock >= 100 else "threefold repetition"

    def _announce(self) -> str:
        assert self.result is not None and self.termination is not None
        who = result_text(self.result, self.human)
        if self.termination == "checkmate":
            return f"Checkmate. {who} ({self.result})."
        if self.termination == "resignation":
            return f"You resign. {who} ({self.result})."
        return f"{who} by {self.termination} ({self.result})."

    def _command_undo(self) -> Reply:
        if self.resigned:
            self.resigned = False
            self.result, self.termination = self._game_end()
            return Reply("Resignation withdrawn; play on.", redraw=True)
        # Back to the person's previous turn: one ply if the game ended on their move, else two.
        plies = 1 if self.board.turn != self.human else 2
        if len(self.board.move_stack) < plies:
            return Reply("Nothing to undo: you have not moved yet in this game.", ok=False)
        taken = []
        for _ in range(plies):
            taken.append(self.board.pop())
        replay = self.board.copy()
        names = []
        for move in reversed(taken):
            names.append(replay.san(move))
            replay.push(move)
        self.agent_moves = {ply: agent for ply, agent in self.agent_moves.items() if ply < len(self.board.move_stack)}
        self.result, self.termination = self._game_end()
        return Reply(f"Took back {' '.join(names)}. Your move.", redraw=True)

    def _command_flip(self) -> Reply:
        self.orientation = not self.orientation
        return Reply(f"Board flipped: {colour_name(self.orientation)} at the bottom.", redraw=True)

    def _command_hint(self) -> Reply:
        if not self.human_to_move:
            return Reply("No hint: the game is over." if self.over else "No hint: it is not your turn.", ok=False)
        choice = self._analyse()
        return Reply(
            f"Hint: {self.board.san(choice.move)} (the network gives it {choice.probability:.0%}; "
            f"it rates your position {choice.value:+.2f})."
        )

    def _command_resign(self) -> Reply:
        if self.over:
            return Reply(f"The game is already over ({self.result}).", ok=False)
        self.resigned = True
        self.result, self.termination = self._game_end()
        return Reply(self._announce(), result=self.result)

    def _command_new(self) -> Reply:
        self.board = self.start.copy()
        self.agent_moves = {}
        self.resigned = False
        self.result, self.termination = self._game_end()
        message = f"New game: you play {colour_name(self.human)}."
        if self.agent_to_move:
            agent = self._play_agent()
            return self._after_move(f"{message} The network played {agent.san}.")
        return Reply(message, redraw=True, result=self.result)

    def _command_fen(self) -> Reply:
        return Reply(self.board.fen())

    def _command_pgn(self) -> Reply:
        return Reply(self.pgn())

    def _command_save(self, path: str = "") -> Reply:
        from trainers.play.pgn import save_game  # pgn builds on this module

        if not path:
            return Reply("Name the file: save game.pgn", ok=False)
        try:
            saved = save_game(self, path)
        except (OSError, ValueError) as error:
            return Reply(f"Could not save the game: {error}", ok=False)
        plies = len(self.board.move_stack)
        return Reply(f"Saved the game ({plies} plies, think {self.think}) to {saved}.")

    def load_moves(self, moves: list[chess.Move], evaluations: dict[int, AgentMove] | None = None) -> None:
        """Plays ``moves`` from the start position (a saved game being continued); ``evaluations`` are the
        network's moves among them by ply, as :attr:`agent_moves` keeps them.

        Raises:
            ValueError: a move that is not legal where it comes, or moves already played in this session.
        """
        if self.board.move_stack:
            raise ValueError("load moves into a new game only")
        board = self.start.copy()
        for ply, move in enumerate(moves):
            if not board.is_legal(move):
                raise ValueError(f"move {ply + 1} ({move.uci()}) is not legal in {board.fen()}")
            board.push(move)
        self.board = board
        self.agent_moves = {ply: agent for ply, agent in (evaluations or {}).items() if 0 <= ply < len(moves)}
        self.result, self.termination = self._game_end()

    def _command_help(self) -> Reply:
        lines = ["Type a move in SAN (e4, Nf3, exd5, e8=Q, O-O) or UCI (e2e4, e7e8q), or a command:"]
        lines += [f"  {name:<7} {text}" for name, text in COMMANDS.items()]
        return Reply("\n".join(lines))

    def _command_quit(self) -> Reply:
        return Reply("Bye.", quit=True)
