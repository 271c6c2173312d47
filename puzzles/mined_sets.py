"""Mined puzzle sets: resumable chunked mining on every core, merging the chunks into one Lichess CSV sorted from
easy to hard, and the set's data card (how it was made, what is in it, and a deeper search's verdict on a sample).
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
import numpy as np

from puzzles.chess_puzzles import LICHESS_COLUMNS, read_lichess_csv
from puzzles.chunked import run_seeded_chunks
from puzzles.engine import StockfishProcess
from puzzles.miner import Miner, MinerConfig
from puzzles.storage import atomic_write, save_json

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
