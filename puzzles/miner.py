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

import csv
import gzip
import io
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import chess
import chess.engine
import numpy as np

from puzzles.chess_puzzles import LICHESS_COLUMNS, read_lichess_csv
from puzzles.chunked import run_seeded_chunks
from puzzles.engine import MATE_SCORE, Line, StockfishProcess, UciSearch, find_stockfish  # noqa: F401  (find_stockfish: re-exported)
from puzzles.lookahead import lookahead_plies
from puzzles.storage import atomic_write, save_json


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


# --------------------------------------------------------------------------------------------- batch mining
_WORKER_MINER: Miner | None = None


def _start_worker(config: MinerConfig) -> None:
    global _WORKER_MINER
    _WORKER_MINER = Miner(config)


def chunk_path(folder: Path, index: int) -> Path:
    return folder / f"chunk_{index:05d}.csv"


def _mine_chunk(job: tuple[int, int, int, str]) -> tuple[int, int]:
    """Mines one chunk of games (seeded by ``(seed, chunk, game)``) into its CSV, with the seconds it took
    beside it (``chunk_*.json``, written first: the CSV marks the chunk done); returns (chunk, puzzles)."""
    index, seed, games, folder = job
    assert _WORKER_MINER is not None
    started = time.perf_counter()
    rows = []
    for game in range(games):
        for number, puzzle in enumerate(_WORKER_MINER.mine_game(np.random.default_rng([seed, index, game]))):
            rows.append(puzzle.csv_row(f"s{seed}c{index}g{game}n{number}"))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    seconds = round(time.perf_counter() - started, 2)
    save_json(
        chunk_path(Path(folder), index).with_suffix(".json"), {"games": games, "puzzles": len(rows), "seconds": seconds}
    )
    atomic_write(chunk_path(Path(folder), index), lambda tmp: tmp.write_text(buffer.getvalue()))
    return index, len(rows)


def mine(
    folder: str | Path,
    chunks: int,
    games_per_chunk: int,
    seed: int,
    config: MinerConfig,
    workers: int = 2,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    """Mines ``chunks`` chunks into ``folder`` with ``workers`` processes, skipping chunks already written.

    A killed run resumes where it stopped: every chunk is written atomically and seeded on its own.
    """
    name = lambda i: chunk_path(Path(folder), i).name  # noqa: E731
    run_seeded_chunks(
        folder, chunks, games_per_chunk, seed, name, _mine_chunk, workers, _start_worker, (config,), on_chunk
    )


def finished_chunks(folder: str | Path, chunks: int | None = None) -> list[Path]:
    """The finished chunk files of ``folder`` in order, only those numbered below ``chunks`` if given (a run
    that went on mining beyond a shipped set still remakes that set exactly)."""
    paths = sorted(Path(folder).glob("chunk_*.csv"))
    return paths if chunks is None else [p for p in paths if int(p.stem.split("_")[1]) < chunks]


def merge_chunks(folder: str | Path, output: str | Path, chunks: int | None = None) -> int:
    """Joins the finished chunks (the first ``chunks`` if given) into one gzipped Lichess CSV sorted from easy to
    hard, byte for byte the same on a rerun; returns the puzzle count."""
    rows = []
    for path in finished_chunks(folder, chunks):
        with open(path, newline="") as handle:
            rows += list(csv.reader(handle))
    rows.sort(key=lambda row: (int(row[3]), row[0]))

    def write(tmp: Path) -> None:
        with (
            open(tmp, "wb") as file,
            gzip.GzipFile(filename="", mode="wb", fileobj=file, mtime=0) as raw,  # no name, no time in the header
            io.TextIOWrapper(raw, newline="") as handle,
        ):
            writer = csv.writer(handle)
            writer.writerow(LICHESS_COLUMNS)
            writer.writerows(rows)

    atomic_write(output, write)
    return len(rows)


def mining_summary(folder: str | Path, chunks: int | None = None) -> dict[str, float]:
    """Totals over the finished chunks of ``folder`` (the first ``chunks`` if given): chunks, games, puzzles and
    worker-seconds."""
    totals = {"chunks": 0, "games": 0, "puzzles": 0, "worker_seconds": 0.0}
    for path in finished_chunks(folder, chunks):
        meta = json.loads(path.with_suffix(".json").read_text())
        totals["chunks"] += 1
        totals["games"] += meta["games"]
        totals["puzzles"] += meta["puzzles"]
        totals["worker_seconds"] += meta["seconds"]
    return totals


def reverify(puzzles: list, nodes: int, engine_path: str | None = None) -> list[tuple[str, str, str]]:
    """Re-checks each puzzle's best move with a deeper search (``nodes``, hash cleared); returns the
    disagreements as ``(puzzle_id, stored move, the deeper search's move)``."""
    disagreements = []
    with StockfishProcess(engine_path) as stockfish:
        for puzzle in puzzles:
            stockfish.engine.configure({"Clear Hash": None})
            info = stockfish.engine.analyse(chess.Board(puzzle.fen), chess.engine.Limit(nodes=nodes))
            deeper = info["pv"][0].uci()
            if deeper != puzzle.best_move:
                disagreements.append((puzzle.puzzle_id, puzzle.best_move, deeper))
    return disagreements


def data_card(
    output: str | Path,
    folder: str | Path,
    chunks: int,
    config: MinerConfig,
    reverify_count: int,
    reverify_nodes: int,
    seed: int,
    games_per_chunk: int,
) -> dict:
    """The data card of a merged puzzle set: how it was made (the miner's settings, seed and games per chunk),
    how long it took (the chunks' totals), what is in it (difficulty, solver-move and theme counts), and whether a
    deeper search of ``reverify_nodes`` agrees with a seeded sample of ``reverify_count`` of its best moves.

    Args:
        output: the merged set (:func:`merge_chunks`).
        folder: the folder of chunks it was merged from; ``chunks``: how many of them.
    """
    puzzles = read_lichess_csv(output)
    totals = mining_summary(folder, chunks)
    sample = np.random.default_rng(seed).choice(len(puzzles), min(reverify_count, len(puzzles)), replace=False)
    started = time.perf_counter()
    disagreements = reverify([puzzles[i] for i in sample], reverify_nodes)
    hours_on_two_cores = totals["worker_seconds"] / 3600 / 2
    return {
        "miner": asdict(config),
        "seed": seed,
        "games_per_chunk": games_per_chunk,
        **totals,
        "puzzles_per_hour_on_two_cores": round(totals["puzzles"] / hours_on_two_cores) if totals["chunks"] else 0,
        "difficulty": "plies a material-only search needs to find the first move (puzzles.lookahead)",
        "difficulty_counts": dict(sorted(Counter(int(p.difficulty) for p in puzzles).items())),
        "solver_moves_counts": dict(sorted(Counter((len(p.line) + 1) // 2 for p in puzzles).items())),
        "theme_counts": dict(Counter(t for p in puzzles for t in p.themes).most_common()),
        "reverified": {
            "sample": len(sample),
            "nodes": reverify_nodes,
            "agree": len(sample) - len(disagreements),
            "disagreements": disagreements,
            "seconds": round(time.perf_counter() - started, 1),
        },
    }
