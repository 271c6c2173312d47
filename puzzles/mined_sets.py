"""Mined puzzle sets: resumable chunked mining on every core, merging the chunks into one Lichess CSV sorted from
easy to hard, and the set's data card (how it was made, what is in it, and a deeper search's verdict on a sample).

Two sources of games: seeded games (:func:`mine`, a chunk is ``games_per_chunk`` games seeded by ``(seed, chunk,
game)``) and recorded games (:func:`mine_recorded`, a chunk is a fixed slice of a PGN file's games in file order).
A puzzle's id says where it came from, so the held-out split (a hash of the id) holds whatever the source:
``s{seed}c{chunk}g{game}n{number}`` for seeded games from the start position with random mistakes (the shipped
set), ``e...`` alike for seeded games from openings or with plausible mistakes, ``pgn{game}n{number}`` for the
file's game ``game`` (counted from 0).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import chess
import chess.engine
import chess.pgn
import numpy as np

from puzzles.chess_game import read_openings
from puzzles.chess_puzzles import LICHESS_COLUMNS, read_lichess_csv
from puzzles.chunked import missing_chunks, run_chunks, run_seeded_chunks
from puzzles.engine import StockfishProcess
from puzzles.miner import Miner, MinerConfig
from puzzles.storage import atomic_write, save_json

_WORKER_MINER: Miner | None = None


def _start_worker(config: MinerConfig) -> None:
    global _WORKER_MINER
    _WORKER_MINER = Miner(config)


def chunk_path(folder: Path, index: int) -> Path:
    return folder / f"chunk_{index:05d}.csv"


#: A recorded game: the FEN of its first position and its moves in UCI.
RecordedGame = tuple[str, tuple[str, ...]]


def read_pgn_games(path: str | Path) -> list[RecordedGame]:
    """Every game of a PGN file, in file order.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a game with an illegal or unreadable move (naming it), or no game at all.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"no PGN file at {path}")
    games: list[RecordedGame] = []
    with open(path) as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            if game.errors:
                raise ValueError(f"{path}: game {len(games) + 1}: {game.errors[0]}")
            games.append((game.board().fen(), tuple(move.uci() for move in game.mainline_moves())))
    if not games:
        raise ValueError(f"{path}: no games")
    return games


def seeded_id_prefix(config: MinerConfig) -> str:
    """``s`` for seeded games from the start position with random mistakes (the shipped set's ids), else ``e``."""
    return "s" if (config.openings, config.mistakes) == ("", "random") else "e"


def _write_chunk(folder: Path, index: int, games: int, rows: list[list[str]], started: float) -> None:
    """Writes a chunk's CSV with the seconds it took beside it (``chunk_*.json``, written first: the CSV marks the
    chunk done)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    seconds = round(time.perf_counter() - started, 2)
    save_json(
        chunk_path(folder, index).with_suffix(".json"), {"games": games, "puzzles": len(rows), "seconds": seconds}
    )
    atomic_write(chunk_path(folder, index), lambda tmp: tmp.write_text(buffer.getvalue()))


def _mine_chunk(job: tuple[int, int, int, str]) -> tuple[int, int]:
    """Mines one chunk of seeded games (seeded by ``(seed, chunk, game)``) into its files; returns (chunk,
    puzzles)."""
    index, seed, games, folder = job
    assert _WORKER_MINER is not None
    started = time.perf_counter()
    prefix = seeded_id_prefix(_WORKER_MINER.config)
    rows = []
    for game in range(games):
        for number, puzzle in enumerate(_WORKER_MINER.mine_game(np.random.default_rng([seed, index, game]))):
            rows.append(puzzle.csv_row(f"{prefix}{seed}c{index}g{game}n{number}"))
    _write_chunk(Path(folder), index, games, rows, started)
    return index, len(rows)


def _mine_recorded_chunk(job: tuple[int, int, list[RecordedGame], str]) -> tuple[int, int]:
    """Mines one chunk of recorded games, the first numbered ``first`` in its file, into its files; returns
    (chunk, puzzles)."""
    index, first, games, folder = job
    assert _WORKER_MINER is not None
    started = time.perf_counter()
    rows = []
    for offset, (fen, moves) in enumerate(games):
        puzzles = _WORKER_MINER.mine_recorded_game(chess.Board(fen), [chess.Move.from_uci(m) for m in moves])
        rows += [puzzle.csv_row(f"pgn{first + offset}n{number}") for number, puzzle in enumerate(puzzles)]
    _write_chunk(Path(folder), index, len(games), rows, started)
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
    """Mines ``chunks`` chunks of seeded games into ``folder`` with ``workers`` processes, skipping chunks already
    written.

    A killed run resumes where it stopped: every chunk is written atomically and seeded on its own.

    Raises:
        FileNotFoundError, ValueError: ``config.openings`` is missing or no opening file (checked here, before any
            worker starts).
    """
    if config.openings:
        read_openings(config.openings)
    name = lambda i: chunk_path(Path(folder), i).name  # noqa: E731
    run_seeded_chunks(
        folder, chunks, games_per_chunk, seed, name, _mine_chunk, workers, _start_worker, (config,), on_chunk
    )


def recorded_chunks(games: int, games_per_chunk: int) -> int:
    """How many chunks ``games`` recorded games make, ``games_per_chunk`` each (the last may hold fewer)."""
    if games_per_chunk < 1:
        raise ValueError(f"games_per_chunk must be at least 1, got {games_per_chunk}")
    return -(-games // games_per_chunk)


def mine_recorded(
    folder: str | Path,
    games: list[RecordedGame],
    games_per_chunk: int,
    config: MinerConfig,
    workers: int = 2,
    on_chunk: Callable[[int, int], None] | None = None,
    chunks: int | None = None,
) -> None:
    """Mines recorded ``games`` (:func:`read_pgn_games`) into ``folder``, chunk ``i`` being games ``i *
    games_per_chunk`` onwards, skipping chunks already written (a killed run resumes); only the first ``chunks``
    chunks if given."""
    total = recorded_chunks(len(games), games_per_chunk)
    todo = missing_chunks(
        folder, total if chunks is None else min(chunks, total), lambda i: chunk_path(Path(folder), i).name
    )
    jobs = [(i, i * games_per_chunk, games[i * games_per_chunk : (i + 1) * games_per_chunk], str(folder)) for i in todo]
    report = None if on_chunk is None else (lambda result: on_chunk(*result))
    run_chunks(jobs, _mine_recorded_chunk, workers, _start_worker, (config,), report)


def finished_chunks(folder: str | Path, chunks: int | None = None) -> list[Path]:
    """The finished chunk files of ``folder`` in order, only those numbered below ``chunks`` if given (a run
    that went on mining beyond a shipped set still remakes that set exactly)."""
    paths = sorted(Path(folder).glob("chunk_*.csv"))
    return paths if chunks is None else [p for p in paths if int(p.stem.split("_")[1]) < chunks]


def merge_chunks(folder: str | Path, output: str | Path, chunks: int | None = None, unique: bool = False) -> int:
    """Joins the finished chunks (the first ``chunks`` if given) into one gzipped Lichess CSV sorted from easy to
    hard, byte for byte the same on a rerun; returns the puzzle count.

    Args:
        unique: keep one puzzle per position the solver sees (move counters aside) and solution line, the one with
            the smallest id: recorded games share their openings, and a repeated puzzle under two ids could land
            on both sides of the held-out split.
    """
    rows = []
    for path in finished_chunks(folder, chunks):
        with open(path, newline="") as handle:
            rows += list(csv.reader(handle))
    return write_set(rows, output, unique)


def join_sets(sets: list[str | Path], output: str | Path, unique: bool = False) -> int:
    """Joins finished puzzle sets (gzipped Lichess CSVs, e.g. one per game source) into one, as
    :func:`merge_chunks` joins chunks; returns the puzzle count. Their ids must not clash.

    Raises:
        ValueError: an id in two of the sets.
    """
    rows, seen = [], {}
    for path in sets:
        with gzip.open(path, "rt", newline="") as handle:
            for row in list(csv.reader(handle))[1:]:
                if row[0] in seen:
                    raise ValueError(f"puzzle id {row[0]} is in both {seen[row[0]]} and {path}")
                seen[row[0]] = path
                rows.append(row)
    return write_set(rows, output, unique)


def write_set(rows: list[list[str]], output: str | Path, unique: bool = False) -> int:
    """Writes Lichess CSV ``rows`` to ``output`` gzipped, sorted easy to hard, byte for byte the same on a rerun;
    returns the count (see :func:`merge_chunks` for ``unique``)."""
    rows = sorted(rows, key=lambda row: (int(row[3]), row[0]))
    if unique:
        first: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            board, (move, *line) = chess.Board(row[1]), row[2].split()
            board.push_uci(move)
            first.setdefault((board.epd(), " ".join(line)), row)
        rows = list(first.values())

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
    source: dict,
) -> dict:
    """The data card of a merged puzzle set: how it was made (``source``: where its games came from; the miner's
    settings, seed and games per chunk),
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
        "source": source,
        "miner": asdict(config),
        "seed": seed,
        "games_per_chunk": games_per_chunk,
        **totals,
        "puzzles_in_set": len(puzzles),
        "puzzles_per_hour_on_two_cores": round(totals["puzzles"] / hours_on_two_cores) if totals["chunks"] else 0,
        **set_contents(puzzles),
        "reverified": {
            "sample": len(sample),
            "nodes": reverify_nodes,
            "agree": len(sample) - len(disagreements),
            "disagreements": disagreements,
            "seconds": round(time.perf_counter() - started, 1),
        },
    }


def set_contents(puzzles: list) -> dict:
    """What is in a set: its difficulty, solver-move and theme counts."""
    return {
        "difficulty": "plies a material-only search needs to find the first move (puzzles.lookahead)",
        "difficulty_counts": dict(sorted(Counter(int(p.difficulty) for p in puzzles).items())),
        "solver_moves_counts": dict(sorted(Counter((len(p.line) + 1) // 2 for p in puzzles).items())),
        "theme_counts": dict(Counter(t for p in puzzles for t in p.themes).most_common()),
    }


def joined_card(sets: list[str | Path], output: str | Path) -> dict:
    """The data card of a set joined from ``sets`` (:func:`join_sets`): each part's own card (the JSON beside it,
    if any) and what the joined set holds."""
    parts = {}
    for path in map(str, sets):
        card = Path(path.removesuffix(".gz").removesuffix(".csv") + ".json")
        parts[path] = json.loads(card.read_text()) if card.is_file() else None
    puzzles = read_lichess_csv(output)
    return {"parts": parts, "puzzles_in_set": len(puzzles), **set_contents(puzzles)}
