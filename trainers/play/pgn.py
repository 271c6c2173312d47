"""Games against the network as PGN files: saved with its evaluations, loaded to be continued.

A saved game (the ``save FILE.pgn`` command of ``deepthink play``) is the session's PGN with two additions:

- a ``[Think "N"]`` header: the iterations the network thought per move;
- a comment on each of the network's moves: ``{ network: value +0.12, probability 31%, think 8 [%eval 0.48] }``,
  the value being the network's expected outcome for itself (-1 lost .. +1 won) before its move, the
  probability its policy's share for the move among the legal ones, and ``[%eval]`` the value as a White-view
  score in pawns (``4 atanh(value)``, the scale of the training labels), which PGN viewers such as Lichess draw.

:func:`read_game` reads such a file (or any PGN: its first game's main line) and :meth:`SavedGame.resume`
continues it in a :class:`trainers.play.session.GameSession` (``deepthink play --pgn FILE``): the colour you
played (the side the PGN calls ``You``) and the think budget come back from the file, and the network's
comments come back as its moves' evaluations, so a game saved again keeps them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import chess
import chess.engine
import chess.pgn

from puzzles.storage import atomic_write
from trainers.play.agent import AgentMove
from trainers.play.parser import board_from_fen
from trainers.play.session import GameSession
from trainers.play.uci_limits import value_to_cp

HUMAN_NAME = "You"
_COMMENT = re.compile(r"network: value ([+-]?\d+(?:\.\d+)?), probability (\d+(?:\.\d+)?)%, think (\d+)")


def agent_comment(agent: AgentMove) -> str:
    """The comment on one of the network's moves (without the ``[%eval]`` part)."""
    return f"network: value {agent.value:+.2f}, probability {agent.probability:.0%}, think {agent.think}"


def game_pgn(session: GameSession) -> str:
    """The session's game as PGN with the ``Think`` header and the network's evaluations as move comments."""
    game = chess.pgn.read_game(io.StringIO(session.pgn()))
    assert game is not None
    game.headers["Think"] = str(session.think)
    for ply, node in enumerate(game.mainline()):
        agent = session.agent_moves.get(ply)
        if agent is None:
            continue
        ending = node.comment  # the closing comment of a finished game sits on the last move
        node.comment = agent_comment(agent)
        mover = node.parent.turn() if node.parent is not None else chess.WHITE
        node.set_eval(chess.engine.PovScore(chess.engine.Cp(value_to_cp(agent.value)), mover))
        if ending:
            node.comment += " " + ending
    return str(game) + "\n"


def save_game(session: GameSession, path: str | Path) -> Path:
    """Writes :func:`game_pgn` to ``path`` atomically (a crash never leaves half a file); returns the path.

    Raises:
        ValueError: an empty path.
        OSError: the file cannot be written (a folder of that name, no permission).
    """
    text = str(path).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    if not text:
        raise ValueError("name the file to save to, e.g. save game.pgn")
    target = Path(text).expanduser()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; name a file, e.g. {target / 'game.pgn'}")
    pgn = game_pgn(session)
    atomic_write(target, lambda tmp: tmp.write_text(pgn, encoding="utf-8"))
    return target


class _QuietBuilder(chess.pgn.GameBuilder):
    """Keeps the errors of a PGN on the game without logging them (they become one clear ValueError)."""

    def handle_error(self, error: Exception) -> None:
        self.game.errors.append(error)


@dataclass
class SavedGame:
    """The first game of a PGN file, ready to be continued.

    Attributes:
        start: the start position (the ``FEN`` header's, else the initial one).
        moves: the main line's moves.
        human: the side the PGN calls ``You`` (a game saved here), else None.
        think: the ``Think`` header, else None.
        evaluations: the network's moves by ply, from their comments (a game saved here).
        result: the ``Result`` header.
    """

    start: chess.Board
    moves: list[chess.Move]
    human: chess.Color | None = None
    think: int | None = None
    evaluations: dict[int, AgentMove] = field(default_factory=dict)
    result: str = "*"

    def resume(self, session: GameSession) -> None:
        """Plays the saved moves in ``session`` (built on :attr:`start`), marking the network's evaluations."""
        if session.start.fen() != self.start.fen() or session.board.move_stack:
            raise ValueError("resume a saved game in a new session built on its start position")
        session.load_moves(self.moves, self.evaluations)


def read_game(path: str | Path) -> SavedGame:
    """The first game of a PGN file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: no game in the file, an illegal or unreadable move (named), an impossible start position,
            or a ``Think`` header that is not a positive whole number.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no such PGN file: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a PGN file (not text)") from None
    game = chess.pgn.read_game(io.StringIO(text), Visitor=_QuietBuilder)
    if game is None or (not game.variations and set(game.headers.values()) <= {"?", "*", "????.??.??"}):
        raise ValueError(f"{path} holds no PGN game")
    if game.errors:
        raise ValueError(f"{path}: {game.errors[0]}")
    start = board_from_fen(game.board().fen())
    human = _human_side(game.headers)
    think = _think_header(path, game.headers.get("Think"))
    moves, evaluations = [], {}
    board = start.copy()
    for ply, node in enumerate(game.mainline()):
        match = _COMMENT.search(node.comment)
        if match and human is not None and board.turn != human:
            evaluations[ply] = AgentMove(
                move=node.move,
                san=board.san(node.move),
                probability=float(match[2]) / 100,
                value=float(match[1]),
                think=int(match[3]),
            )
        moves.append(node.move)
        board.push(node.move)
    return SavedGame(start, moves, human, think, evaluations, game.headers.get("Result", "*"))


def _human_side(headers: chess.pgn.Headers) -> chess.Color | None:
    sides = [
        colour for colour, tag in ((chess.WHITE, "White"), (chess.BLACK, "Black")) if headers.get(tag) == HUMAN_NAME
    ]
    return sides[0] if len(sides) == 1 else None


def _think_header(path: Path, text: str | None) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"{path}: the Think header is a positive number of iterations, got {text!r}")
    return int(text)
