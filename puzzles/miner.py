"""An offline chess-puzzle miner on Stockfish, in the spirit of Lichess's generator.

Seeded games mix engine moves with "mistakes". By default they start from the start position and a mistake is
a uniformly random legal move (``mistakes="random"``, the shipped set); for more realistic games they start
from a seeded choice of balanced openings (``openings``, an EPD file) and a mistake is drawn among the
screening search's top lines, the likelier the nearer its score is to the best (``mistakes="plausible"``: the
errors a weak player makes). Tactics follow mistakes (measured: every puzzle of 40 random-move games came
right after a random move, none after an engine move), so only positions after a mistake are screened, with a
cheap two-line search: the game's own mistakes, and at every ply a few sidelines (drawn as mistakes are) the
game does not play. Recorded games (a PGN file, e.g. self-play) are screened after every move instead
(:meth:`Miner.mine_recorded_game`). Where one move looks clearly best (a forced mate, or a large gap to the
second-best move while the second-best does not also win), a deeper search verifies it. A verified position
becomes a puzzle in the Lichess format: the FEN *before* the move that allowed the tactic, that move, then the
solution line, extended (engine reply, solver's move) while the solver's move stays unique.

Difficulty: the plies a material-only search must look ahead to find the first solution move
(:func:`puzzles.lookahead.lookahead_plies`: one for a free piece, three for a fork or a mate in two). Puzzles
sort from easy to hard by it, as the original benchmark sorts Lichess puzzles by rating.

Stockfish's hash is cleared once per game, so a game (and its puzzles) depends on its seed (or its moves) alone.
Chunked runs over many games, the merged set and its data card are :mod:`puzzles.mined_sets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import chess
import numpy as np

from puzzles.chess_game import read_openings
from puzzles.engine import MATE_SCORE, Line, UciSearch, find_stockfish  # noqa: F401  (find_stockfish: re-exported)
from puzzles.lookahead import lookahead_plies

#: The kinds of mistake a seeded game makes (:class:`MinerConfig`'s ``mistakes``).
MISTAKE_KINDS = ("random", "plausible")


@dataclass(frozen=True)
class MinerConfig:
    """Settings of the miner (all recorded in the data card).

    Attributes:
        screen_nodes: nodes of the cheap screening search (it also picks the engine's moves).
        verify_nodes: nodes of the verifying search.
        random_move_rate: chance that a move of the game is a mistake (``mistakes`` says which kind).
        sidelines: mistakes tried (and screened) at every ply besides the move the game plays.
        min_ply, max_ply: plies played in a game (from its first position) in which puzzles are looked for.
        win_cp: the best move must reach at least this score (centipawns, or a mate).
        min_gap_cp: and beat the second-best move by at least this much...
        max_second_cp: ...while the second-best scores at most this (it must not also win).
        max_solver_moves: longest solution line, in the solver's moves.
        max_lookahead: the deepest difficulty measured; harder puzzles get ``max_lookahead + 1``.
        decided_cp: a game ends once the screening score passes this either way: lopsided positions
            almost never have a unique winning move, so playing them on wastes the engine's time.
        openings: an EPD file (``puzzles/data/openings.epd``: balanced positions a few moves in) a seeded game
            starts from, one position drawn per game; empty: the start position.
        mistakes: ``random`` (a uniformly random legal move) or ``plausible`` (one of the screening search's
            ``mistake_lines`` best moves, drawn with chance proportional to
            ``exp((score - best score) / temperature_cp)``).
    """

    screen_nodes: int = 1_500
    verify_nodes: int = 20_000
    random_move_rate: float = 0.25
    sidelines: int = 2
    min_ply: int = 6
    max_ply: int = 120
    win_cp: int = 200
    min_gap_cp: int = 300
    max_second_cp: int = 150
    max_solver_moves: int = 4
    max_lookahead: int = 4
    decided_cp: int = 500
    openings: str = ""
    mistakes: str = "random"
    mistake_lines: int = 4
    temperature_cp: float = 150.0

    def __post_init__(self) -> None:
        if self.mistakes not in MISTAKE_KINDS:
            raise ValueError(f"mistakes is one of {', '.join(MISTAKE_KINDS)}, got {self.mistakes!r}")
        if self.mistake_lines < 2 or self.temperature_cp <= 0:
            raise ValueError(
                f"plausible mistakes need mistake_lines >= 2 and temperature_cp > 0, got {self.mistake_lines} "
                f"and {self.temperature_cp}"
            )


def plausibility(scores: Sequence[int], temperature_cp: float) -> np.ndarray:
    """The chance of playing each of a search's lines, scored ``scores``: proportional to
    ``exp((score - best) / temperature_cp)`` with ``best`` the highest score (a node-limited search may list a
    line above a better one: it stopped mid-iteration), so a move 150 centipawns worse than the best is e times rarer at
    150, and a move that throws away a mate is all but never played."""
    weights = np.exp((np.asarray(scores, dtype=np.float64) - max(scores)) / temperature_cp)
    return weights / weights.sum()


@dataclass(frozen=True)
class MinedPuzzle:
    """A mined puzzle in Lichess terms: ``fen`` is before ``moves[0]``, the opponent's move."""

    fen: str
    moves: tuple[str, ...]
    difficulty: int
    themes: tuple[str, ...]

    def csv_row(self, puzzle_id: str) -> list[str]:
        """The Lichess CSV columns (rating = difficulty; popularity, plays and URL empty)."""
        return [
            puzzle_id,
            self.fen,
            " ".join(self.moves),
            str(self.difficulty),
            "0",
            "0",
            "0",
            " ".join(self.themes),
            "",
            "",
        ]


class Miner(UciSearch):
    """Mines puzzles from seeded or recorded games with one Stockfish process (use one Miner per worker).

    Args:
        config: thresholds, search budgets and how the seeded games are played.
        engine_path: the Stockfish binary (found automatically by default).

    Raises:
        FileNotFoundError, ValueError: ``config.openings`` is missing or holds a line that is no position.
    """

    def __init__(self, config: MinerConfig = MinerConfig(), engine_path: str | None = None) -> None:
        self.openings = read_openings(config.openings) if config.openings else None  # before the engine starts
        super().__init__(engine_path)
        self.config = config

    def _unique(self, lines: list[Line]) -> bool:
        """True when the first line's move is the only good one for the side to move."""
        if len(lines) < 2 or lines[0][1] is None:  # a single legal move is no puzzle
            return False
        best, second = lines[0][0], lines[1][0]
        if best >= MATE_SCORE - 100 and second < MATE_SCORE - 100:
            return True
        cfg = self.config
        return best >= cfg.win_cp and best - second >= cfg.min_gap_cp and second <= cfg.max_second_cp

    def _best(self, board: chess.Board) -> Line:
        """The screening search's best line, or ``(0, None)`` if the engine reported none (no move to play)."""
        lines = self.lines(board, self.config.screen_nodes)
        return lines[0] if lines else (0, None)

    def _puzzle_at(self, board: chess.Board) -> MinedPuzzle | None:
        """A verified puzzle starting after ``board``'s last move, or None."""
        cfg = self.config
        start = board.copy()
        lines = self.lines(start, cfg.verify_nodes, multipv=2)
        if not self._unique(lines):
            return None
        score, position, line = lines[0][0], start.copy(), []
        while True:
            move = lines[0][1]
            line.append(move)
            position.push(move)
            if position.is_game_over() or (len(line) + 1) // 2 >= cfg.max_solver_moves:
                break
            reply = self._best(position)[1]
            if reply is None:
                break
            position.push(reply)
            lines = [] if position.is_game_over() else self.lines(position, cfg.verify_nodes, multipv=2)
            if not self._unique(lines):
                position.pop()  # the line ends with the solver's move
                break
            line.append(reply)
        solver_moves = (len(line) + 1) // 2
        themes = [f"mateIn{solver_moves}"] if position.is_checkmate() else []
        themes.append("crushing" if score >= 600 else "advantage")
        themes.append("oneMove" if solver_moves == 1 else ("short" if solver_moves == 2 else "long"))
        previous = board.copy()
        last = previous.pop()
        return MinedPuzzle(
            fen=previous.fen(),
            moves=(last.uci(), *(m.uci() for m in line)),
            difficulty=lookahead_plies(start, line[0], cfg.max_lookahead),
            themes=tuple(themes),
        )

    def _screen(self, board: chess.Board) -> MinedPuzzle | None:
        """The puzzle after ``board``'s last move if the cheap search sees one and verification agrees."""
        return self._puzzle_at(board) if self._unique(self.lines(board, self.config.screen_nodes, multipv=2)) else None

    def start_position(self, rng: np.random.Generator) -> chess.Board:
        """The position a seeded game starts from: the start position, or an opening drawn by ``rng``."""
        if self.openings is None:
            return chess.Board()
        return self.openings[rng.integers(len(self.openings))].copy()

    def _options(self, board: chess.Board) -> tuple[int, chess.Move | None, list[chess.Move], np.ndarray | None]:
        """The screening score and the engine's move (``(0, None)`` if the engine reported none), then the moves a
        mistake is drawn from with their chances (None: uniformly)."""
        cfg = self.config
        if cfg.mistakes == "random":
            return *self._best(board), list(board.legal_moves), None
        lines = [line for line in self.lines(board, cfg.screen_nodes, multipv=cfg.mistake_lines) if line[1] is not None]
        if not lines:
            return 0, None, list(board.legal_moves), None
        scores, moves = zip(*lines, strict=True)
        return scores[0], moves[0], list(moves), plausibility(scores, cfg.temperature_cp)

    def play_game(self, rng: np.random.Generator) -> tuple[chess.Board, list[MinedPuzzle]]:
        """Plays one seeded game; returns it (its moves on the board's move stack, from :meth:`start_position`)
        and the puzzles found after its mistakes and sidelines."""
        cfg = self.config
        self.clear_hash()
        board = self.start_position(rng)
        found: dict[tuple[str, str], MinedPuzzle] = {}
        while not board.is_game_over(claim_draw=False) and len(board.move_stack) < cfg.max_ply:
            score, engine_move, options, chances = self._options(board)
            if engine_move is not None and abs(score) > cfg.decided_cp:
                break
            mistake = rng.random() < cfg.random_move_rate or engine_move is None
            if not mistake:
                played = engine_move
            elif chances is None:
                played = options[rng.integers(len(options))]
            else:
                played = options[rng.choice(len(options), p=chances)]
            if chances is None:
                sidelines = [options[i] for i in rng.permutation(len(options))[: cfg.sidelines]]
            else:
                count = min(cfg.sidelines, np.count_nonzero(chances))  # a chance may round to 0
                sidelines = [options[i] for i in rng.choice(len(options), size=count, replace=False, p=chances)]
            if len(board.move_stack) + 1 >= cfg.min_ply:
                for move in dict.fromkeys(([played] if mistake else []) + sidelines):
                    if move == engine_move:  # the engine's own move sets no puzzle (measured)
                        continue
                    board.push(move)
                    self._keep(None if board.is_game_over() else self._screen(board), found)
                    board.pop()
            board.push(played)
        return board, list(found.values())

    def mine_game(self, rng: np.random.Generator) -> list[MinedPuzzle]:
        """Plays one seeded game and returns the puzzles found after its mistakes and sidelines."""
        return self.play_game(rng)[1]

    def mine_recorded_game(self, start: chess.Board, moves: Sequence[chess.Move]) -> list[MinedPuzzle]:
        """The puzzles of a recorded game from ``start``: the position after every move played from ply
        ``min_ply`` to ``max_ply`` (counted from ``start``) is screened as a seeded game's mistakes are."""
        cfg = self.config
        self.clear_hash()
        board = chess.Board(start.fen())  # the game's history starts here, as it did when it was played
        found: dict[tuple[str, str], MinedPuzzle] = {}
        for move in moves[: cfg.max_ply]:
            board.push(move)
            if len(board.move_stack) >= cfg.min_ply and not board.is_game_over():
                self._keep(self._screen(board), found)
        return list(found.values())

    @staticmethod
    def _keep(puzzle: MinedPuzzle | None, found: dict[tuple[str, str], MinedPuzzle]) -> None:
        if puzzle is not None:
            found.setdefault((puzzle.fen, puzzle.moves[0]), puzzle)
