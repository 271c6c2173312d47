"""Play chess against a thinking policy in the terminal (``scripts/play.py``).

Three layers, so that tests reach every part without a terminal:

- :class:`GameSession`: the game itself, no I/O. ``handle(command)`` takes one line the person typed
  (a move in SAN or UCI, or a command such as ``undo`` or ``hint``) and returns a :class:`Reply`; when the
  move leaves the policy to move, the session asks it (``analyse``) and records its move, probability and
  value.
- :func:`render_board`: the position as a rich renderable, unicode pieces on coloured squares or plain
  letters (``ascii=True``) that read the same without colour.
- :class:`TerminalUI`: the loop: print the board and the game's state, read a line, hand it to the session.
  The input function is injectable, so a test drives it with scripted lines and a recording console.

The policy only has to look like :class:`Policy` (``agents.chess_policy.ChessPolicy`` does).
"""

from __future__ import annotations

import contextlib
import datetime
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import chess
import chess.pgn
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from agents.networks import check_iterations
from puzzles.chess_game import game_result

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

PIECE_NAMES = {chess.PAWN: "pawn", chess.KNIGHT: "knight", chess.BISHOP: "bishop", chess.ROOK: "rook"}
PIECE_NAMES |= {chess.QUEEN: "queen", chess.KING: "king"}
LETTER_PIECES = {"n": chess.KNIGHT, "b": chess.BISHOP, "r": chess.ROOK, "q": chess.QUEEN, "k": chess.KING}

# Case-insensitive shapes; the letter case is looked at afterwards (a lower-case "b" may be a pawn's file).
_UCI = re.compile(r"^([a-h][1-8])[-x:]?([a-h][1-8])=?([nbrq])?$", re.IGNORECASE)
_SAN = re.compile(r"^([nbrqk])?([a-h])?([1-8])?[x:-]?([a-h][1-8])(?:=?([nbrq]))?$", re.IGNORECASE)
_CASTLES = {"o-o": "king", "oo": "king", "o-o-o": "queen", "ooo": "queen"}

TERMINATIONS = {
    chess.Termination.CHECKMATE: "checkmate",
    chess.Termination.STALEMATE: "stalemate",
    chess.Termination.INSUFFICIENT_MATERIAL: "insufficient material",
    chess.Termination.SEVENTYFIVE_MOVES: "the seventy-five-move rule",
    chess.Termination.FIVEFOLD_REPETITION: "fivefold repetition",
}


class MoveAnalysis(Protocol):
    """What a policy says about a position (``agents.chess_policy.MoveChoice`` has this shape)."""

    move: chess.Move
    probability: float  # the network's probability of ``move`` among the legal moves
    value: float  # the expected outcome for the side to move, -1..1
    top: list[tuple[chess.Move, float]]  # the best few legal moves with probabilities, best first


class Policy(Protocol):
    """A chess player that thinks ``think`` iterations per move."""

    @property
    def default_think(self) -> int:
        """The budget used when none is given."""
        ...

    def analyse(self, board: chess.Board, think: int | None = None) -> MoveAnalysis:
        """The policy's move in ``board`` (the side to move) with its probability and value."""
        ...


@dataclass(frozen=True)
class AgentMove:
    """One move the policy played, as the UI shows it.

    Attributes:
        move: the move.
        san: the move in SAN, in the position it was played in.
        probability: the network's probability of the move among the legal moves.
        value: the network's expected outcome for itself (the side that moved), -1..1.
        think: the iterations it thought.
        top: the best few moves in SAN with their probabilities, best first.
    """

    move: chess.Move
    san: str
    probability: float
    value: float
    think: int
    top: list[tuple[str, float]] = field(default_factory=list)


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


class MoveError(ValueError):
    """A line that is not a legal move in the position; the message says why."""


def colour_name(colour: chess.Color) -> str:
    return "White" if colour == chess.WHITE else "Black"


def choose_colour(name: str, rng: random.Random | None = None) -> chess.Color:
    """The person's colour from ``white``, ``black`` or ``random`` (any case).

    Raises:
        ValueError: any other name.
    """
    name = name.strip().lower()
    if name == "random":
        return (rng or random.Random()).random() < 0.5
    if name not in ("white", "black"):
        raise ValueError(f"--color is white, black or random, got {name!r}")
    return chess.WHITE if name == "white" else chess.BLACK


def board_from_fen(fen: str | None) -> chess.Board:
    """The start position: the initial one for an empty ``fen``, else the FEN's.

    Raises:
        ValueError: a FEN that does not parse, or describes an impossible position (naming what is wrong).
    """
    if not fen or not fen.strip():
        return chess.Board()
    try:
        board = chess.Board(fen.strip())
    except ValueError as error:
        raise ValueError(f"not a FEN: {fen!r} ({error})") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        problems = ", ".join(flag.name.lower().replace("_", " ") for flag in chess.Status if flag in status)
        raise ValueError(f"not a legal chess position: {fen!r} ({problems})")
    return board


def parse_move(board: chess.Board, text: str) -> chess.Move:
    """The legal move that ``text`` names, in SAN (``Nf3``, ``exd5``, ``e8=Q``, ``O-O``) or UCI (``e2e4``).

    Case does not matter where the move is still clear: ``nf3``, ``E2E4`` and ``0-0`` work; ``bxc3`` is
    refused as ambiguous only when both a bishop and the b-pawn could take on c3.

    Raises:
        MoveError: the text is not a move, not legal here, or ambiguous; the message says which and why.
    """
    move_text = text.strip().rstrip("+#!?")
    lowered = move_text.lower().replace("0", "o")
    if lowered in _CASTLES:
        return _parse_castling(board, text, _CASTLES[lowered])
    uci = _UCI.match(move_text)
    if uci:
        return _parse_uci(board, text, uci)
    san = _SAN.match(move_text)
    if san:
        return _parse_san(board, text, san)
    raise MoveError(
        f"Not a move or a command: {_shown(text)!r}. Moves look like e4, Nf3, exd5, e8=Q, O-O or e2e4; "
        "type help for the commands."
    )


def _shown(text: str, limit: int = 40) -> str:
    """What the person typed, stripped and cut to ``limit`` characters, for an error message."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


def _illegal(board: chess.Board, text: str, reason: str) -> MoveError:
    legal = " ".join(sorted(board.san(move) for move in board.legal_moves))
    return MoveError(f"Illegal move: {_shown(text)} - {reason}. Legal moves: {legal or 'none'}")


def _parse_castling(board: chess.Board, text: str, side: str) -> chess.Move:
    for move in board.legal_moves:
        if board.is_castling(move) and board.is_kingside_castling(move) == (side == "king"):
            return move
    has_right = board.has_kingside_castling_rights if side == "king" else board.has_queenside_castling_rights
    if board.is_check():
        reason = "you are in check"
    elif not has_right(board.turn):
        reason = "your king or that rook has moved"
    else:
        reason = "the squares between are occupied or attacked"
    raise _illegal(board, text, f"you cannot castle {side} side now ({reason})")


def _parse_uci(board: chess.Board, text: str, match: re.Match[str]) -> chess.Move:
    start, target = chess.parse_square(match[1].lower()), chess.parse_square(match[2].lower())
    promotion = LETTER_PIECES[match[3].lower()] if match[3] else None
    move = chess.Move(start, target, promotion)
    if board.is_legal(move):
        return move
    piece = board.piece_at(start)
    if piece is None:
        raise _illegal(board, text, f"there is no piece on {match[1].lower()}")
    name = PIECE_NAMES[piece.piece_type]
    if piece.color != board.turn:
        raise _illegal(board, text, f"the {name} on {match[1].lower()} is not yours")
    if promotion is None and board.is_legal(chess.Move(start, target, chess.QUEEN)):
        raise _illegal(board, text, f"name the promotion piece, e.g. {move.uci()}q")
    raise _illegal(board, text, _why_not(board, [move], f"your {name} on {match[1].lower()} cannot move there"))


def _parse_san(board: chess.Board, text: str, match: re.Match[str]) -> chess.Move:
    letter, from_file, from_rank, target_name, promotion_letter = match.groups()
    target = chess.parse_square(target_name.lower())
    promotion = LETTER_PIECES[promotion_letter.lower()] if promotion_letter else None
    # A lower-case "b" is either the bishop or the b-file of a pawn; only the moves decide.
    readings: list[tuple[chess.PieceType, str | None]] = []
    if letter is None:
        readings.append((chess.PAWN, from_file))
    elif letter == "b":
        readings += [(chess.BISHOP, from_file)] + ([(chess.PAWN, "b")] if from_file is None else [])
    else:
        readings.append((LETTER_PIECES[letter.lower()], from_file))

    def origin_fits(square: chess.Square, piece_type: chess.PieceType, file_name: str | None) -> bool:
        if board.piece_type_at(square) != piece_type or board.color_at(square) != board.turn:
            return False
        # A pawn move without a file is a push along the target's file.
        file_name = file_name or (target_name[0] if piece_type == chess.PAWN else None)
        if file_name and chess.square_file(square) != chess.FILE_NAMES.index(file_name.lower()):
            return False
        return not from_rank or chess.square_rank(square) == int(from_rank) - 1

    def fits(move: chess.Move, with_promotion: bool) -> bool:
        if move.to_square != target or (with_promotion and move.promotion != promotion):
            return False
        return any(origin_fits(move.from_square, piece_type, file_name) for piece_type, file_name in readings)

    candidates = [move for move in board.legal_moves if fits(move, with_promotion=True)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        options = " or ".join(sorted(board.san(move) for move in candidates))
        raise MoveError(f"Ambiguous move: {_shown(text)} could be {options}; write the one you mean")
    if promotion is None and any(fits(move, with_promotion=False) for move in board.legal_moves):
        raise _illegal(board, text, f"name the promotion piece, e.g. {target_name.lower()}=Q")
    pseudo = [move for move in board.generate_pseudo_legal_moves() if fits(move, with_promotion=False)]
    own = [
        square
        for piece_type, file_name in readings
        for square in board.pieces(piece_type, board.turn)
        if origin_fits(square, piece_type, file_name)
    ]
    names = " or ".join(PIECE_NAMES[piece_type] for piece_type, _ in readings)
    if len(own) == 1:
        name = PIECE_NAMES[board.piece_type_at(own[0]) or chess.PAWN]
        fallback = f"your {name} on {chess.square_name(own[0])} cannot move to {target_name.lower()}"
    elif not any(board.pieces(piece_type, board.turn) for piece_type, _ in readings):
        fallback = f"you have no {names}"
    else:
        fallback = f"no {names} of yours can move to {target_name.lower()}"
    raise _illegal(board, text, _why_not(board, pseudo, fallback))


def _why_not(board: chess.Board, tried: list[chess.Move], fallback: str) -> str:
    """Why moves that the pieces could make are still illegal: the king."""
    if any(board.is_pseudo_legal(move) for move in tried):
        return (
            "you are in check and it does not stop the check"
            if board.is_check()
            else "it would leave your king in check"
        )
    return fallback


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
    ) -> None:
        self.policy = policy
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

    def _play_agent(self) -> AgentMove:
        board = self.board.copy()  # the policy may push and pop; our board stays ours
        with self.thinking(self.think):
            choice = self.policy.analyse(board, self.think)
        if not self.board.is_legal(choice.move):
            raise RuntimeError(f"the policy chose {choice.move.uci()}, not a legal move in {self.board.fen()}")
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
        with self.thinking(self.think):
            choice = self.policy.analyse(self.board.copy(), self.think)
        if not self.board.is_legal(choice.move):
            raise RuntimeError(f"the policy chose {choice.move.uci()}, not a legal move in {self.board.fen()}")
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
        from agents.chess_pgn import save_game

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


# -- rendering ---------------------------------------------------------------------------------------------

LIGHT, DARK = "#d6b487", "#a47a4f"
LIGHT_MOVED, DARK_MOVED = "#d4d46a", "#aaa23a"  # the last move's squares
CHECKED = "#e0584f"  # the king in check
WHITE_PIECE, BLACK_PIECE = "bold #ffffff", "bold #000000"
# U+FE0E asks for the text glyph: some terminals draw U+265F (the filled pawn) as a coloured emoji.
FILLED = {piece_type: chess.Piece(piece_type, chess.BLACK).unicode_symbol() for piece_type in chess.PIECE_TYPES}
FILLED[chess.PAWN] += "\ufe0e"


@dataclass
class BoardView:
    """A rich renderable of a position with rank and file labels, ``orientation``'s side at the bottom.

    On a colour terminal both sides are filled glyphs, white and black, on light and dark squares (filled
    shapes stand out best on coloured squares), with the last move's squares and a king in check coloured.
    Without colour (or in :meth:`text` with ``colour=False``) White's pieces are the outlined glyphs, so the
    sides still differ. ASCII mode uses ``KQRBNP``/``kqrbnp`` and ``.`` with no styles at all: the last
    move's squares are bracketed (``[P]``) and a king in check is marked ``!K!``.
    """

    board: chess.Board
    orientation: chess.Color = chess.WHITE
    last_move: chess.Move | None = None
    ascii: bool = False

    def text(self, colour: bool = True) -> Text:
        """The board as one :class:`~rich.text.Text`, styled when ``colour`` (and not ``ascii``)."""
        board = self.board
        marked = {self.last_move.from_square, self.last_move.to_square} if self.last_move else set()
        checked = board.king(board.turn) if board.is_check() else None
        ranks = range(7, -1, -1) if self.orientation == chess.WHITE else range(8)
        files = list(range(8)) if self.orientation == chess.WHITE else list(range(7, -1, -1))
        text = Text(no_wrap=True, overflow="crop")
        for rank in ranks:
            text.append(f"{rank + 1} ")
            for file in files:
                square = chess.square(file, rank)
                piece = board.piece_at(square)
                if self.ascii or not colour:
                    symbol = (piece.symbol() if self.ascii else piece.unicode_symbol()) if piece else "."
                    left, right = ("!", "!") if square == checked else ("[", "]") if square in marked else (" ", " ")
                    text.append(f"{left}{symbol}{right}")
                    continue
                light = (rank + file) % 2 == 1
                background = LIGHT if light else DARK
                if square in marked:
                    background = LIGHT_MOVED if light else DARK_MOVED
                if square == checked:
                    background = CHECKED
                if piece is None:
                    text.append("   ", style=f"on {background}")
                else:
                    ink = WHITE_PIECE if piece.color == chess.WHITE else BLACK_PIECE
                    text.append(f" {FILLED[piece.piece_type]} ", style=f"{ink} on {background}")
            text.append("\n")
        text.append("  " + "".join(f" {chess.FILE_NAMES[file]} " for file in files))
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(colour=console.color_system is not None and not console.no_color)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(26, 26)  # the rank label and eight squares of three cells


def render_board(
    board: chess.Board,
    orientation: chess.Color = chess.WHITE,
    last_move: chess.Move | None = None,
    ascii: bool = False,
) -> BoardView:
    """The position as a rich renderable: see :class:`BoardView` (``render_board(...).text()`` for the text)."""
    return BoardView(board.copy(stack=False), orientation, last_move, ascii)


# -- the terminal loop -------------------------------------------------------------------------------------


class TerminalUI:
    """The play loop on a rich console: board, state, prompt, repeat until quit, Ctrl-C or end of input.

    Args:
        session: the game.
        console: where to print; a new ``Console()`` when None.
        input_fn: reads one line given the prompt; ``console.input`` when None. EOFError and
            KeyboardInterrupt end the loop cleanly.
        ascii: plain letters for the board (see :func:`render_board`).
    """

    def __init__(
        self,
        session: GameSession,
        console: Console | None = None,
        input_fn: Callable[[str], str] | None = None,
        ascii: bool = False,
    ) -> None:
        self.session = session
        self.console = console or Console()
        self.input_fn = input_fn or self.console.input
        self.ascii = ascii
        session.thinking = self._spinner

    @contextlib.contextmanager
    def _spinner(self, think: int) -> Iterator[None]:
        with self.console.status(f"The network is thinking ({think} iterations)..."):
            yield

    def render(self) -> RenderableType:
        """The board beside the game's state: players, last move, check, move list, the network's view."""
        session = self.session
        board = render_board(session.board, session.orientation, session.last_move, ascii=self.ascii)
        lines: list[Text] = [
            Text(
                f"You: {colour_name(session.human)}    "
                f"Network: {colour_name(not session.human)} (think {session.think})",
                style="bold",
            )
        ]
        last = session.last_move_text()
        if last:
            lines.append(Text(f"Last move: {last}"))
        if session.board.is_check() and not session.over:
            lines.append(Text("Check!", style="bold red"))
        agent = session.last_agent_move
        if agent:
            lines.append(
                Text(
                    f"Network's {agent.san}: confidence {agent.probability:.0%}, "
                    f"value {agent.value:+.2f} for the network"
                )
            )
            others = [f"{san} {p:.0%}" for san, p in agent.top if san != agent.san][:3]
            if others:
                lines.append(Text("  also considered: " + ", ".join(others), style="dim"))
        lines.append(Text("Moves: " + (session.move_list() or "none yet")))
        if session.over:
            lines.append(Text(f"Game over: {session.result} ({session.termination})", style="bold"))
        else:
            lines.append(Text(f"{colour_name(session.board.turn)} to move."))
        grid = Table.grid(padding=(0, 3))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(board, Group(*lines))
        return grid

    def say(self, reply: Reply) -> None:
        if reply.message:
            style = "red" if not reply.ok else "bold" if reply.result else ""
            self.console.print(Text(reply.message, style=style))

    def run(self) -> str | None:
        """Plays until quit or end of input; returns the game's result, or None when it was not finished."""
        session = self.session
        self.console.print(
            Text(
                f"You play {colour_name(session.human)} against the deep-thinking network "
                f"({session.think} iterations a move). Type a move like e4 or e2e4, or help.",
                style="bold",
            )
        )
        try:
            if session.over:
                self.console.print(Text(f"This position is already over: {session.termination}.", style="bold"))
            else:
                self.say(session.agent_turn())
            self.console.print(self.render())
            while True:
                prompt = f"{colour_name(session.board.turn)} to move> " if session.human_to_move else "> "
                try:
                    line = self.input_fn(prompt)
                except EOFError:
                    self.console.print(Text("\nBye."))
                    break
                reply = session.handle(line)
                self.say(reply)
                if reply.quit:
                    break
                if reply.redraw:
                    self.console.print(self.render())
        except KeyboardInterrupt:
            self.console.print(Text("\nInterrupted. Bye."))
        return session.result
