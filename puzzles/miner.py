"""An offline chess-puzzle miner on Stockfish, in the spirit of Lichess's generator.

Games are played from the start position with a mix of engine moves and random "blunders". Tactics follow
blunders (measured: every puzzle of 40 games came right after a random move, none after an engine move), so
only positions after a random move are screened, with a cheap two-line search: the game's own random moves,
and at every ply a few random sidelines the game does not play. Where one move looks clearly best (a forced
mate, or a large gap to the second-best move while the second-best does not also win), a deeper search
verifies it. A verified position becomes a puzzle in the Lichess format: the FEN *before* the move that
allowed the tactic, that move, then the solution line, extended (engine reply, solver's move) while the
solver's move stays unique.

Difficulty: the plies a material-only search must look ahead to find the first solution move
(:func:`puzzles.lookahead.lookahead_plies`: one for a free piece, three for a fork or a mate in two). Puzzles
sort from easy to hard by it, as the original benchmark sorts Lichess puzzles by rating.

Stockfish's hash is cleared once per game, so a game (and its puzzles) depends on its seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import chess
import numpy as np

from puzzles.engine import MATE_SCORE, Line, UciSearch, find_stockfish  # noqa: F401  (find_stockfish: re-exported)
from puzzles.lookahead import lookahead_plies


@dataclass(frozen=True)
class MinerConfig:
    """Settings of the miner (all recorded in the data card).

    Attributes:
        screen_nodes: nodes of the cheap screening search (it also picks the engine's moves).
        verify_nodes: nodes of the verifying search.
        random_move_rate: chance that a move of the game is a uniformly random legal move.
        sidelines: random moves tried (and screened) at every ply besides the move the game plays.
        min_ply, max_ply: plies of a game in which puzzles are looked for.
        win_cp: the best move must reach at least this score (centipawns, or a mate).
        min_gap_cp: and beat the second-best move by at least this much...
        max_second_cp: ...while the second-best scores at most this (it must not also win).
        max_solver_moves: longest solution line, in the solver's moves.
        max_lookahead: the deepest difficulty measured; harder puzzles get ``max_lookahead + 1``.
        decided_cp: a game ends once the screening score passes this either way: lopsided positions
            almost never have a unique winning move, so playing them on wastes the engine's time.
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
    """Mines puzzles from seeded games with one Stockfish process (use one Miner per worker).

    Args:
        config: thresholds and search budgets.
        engine_path: the Stockfish binary (found automatically by default).
    """

    def __init__(self, config: MinerConfig = MinerConfig(), engine_path: str | None = None) -> None:
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

    def mine_game(self, rng: np.random.Generator) -> list[MinedPuzzle]:
        """Plays one seeded game and returns the puzzles found after its random moves and sidelines."""
        cfg = self.config
        self.clear_hash()
        board = chess.Board()
        found: dict[tuple[str, str], MinedPuzzle] = {}
        while not board.is_game_over(claim_draw=False) and board.ply() < cfg.max_ply:
            score, engine_move = self._best(board)
            if engine_move is not None and abs(score) > cfg.decided_cp:
                break
            moves = list(board.legal_moves)
            random_move = rng.random() < cfg.random_move_rate or engine_move is None
            played = moves[rng.integers(len(moves))] if random_move else engine_move
            sidelines = [moves[i] for i in rng.permutation(len(moves))[: cfg.sidelines]]
            if board.ply() + 1 >= cfg.min_ply:
                for move in dict.fromkeys(([played] if random_move else []) + sidelines):
                    if move == engine_move:  # the engine's own move sets no puzzle (measured)
                        continue
                    board.push(move)
                    puzzle = None if board.is_game_over() else self._screen(board)
                    board.pop()
                    if puzzle is not None:
                        found.setdefault((puzzle.fen, puzzle.moves[0]), puzzle)
            board.push(played)
        return list(found.values())
