"""Each solver against the classical algorithm on the same instances (running parity, breadth-first search,
exact search) at its card's budget and with auto-halting, the Sudoku generator, and the chess miner's
Stockfish searches through python-chess and through a bare pipe. Only ratios measured in one run mean anything;
``deepthink bench`` prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from trainers.benchmark import Measurement, timed
from trainers.halting import trace_halting


def strings_throughput(solver, length: int, count: int, think: int | None = None, seed: int = 2) -> Measurement:
    """Strings/s of a prefix-sums solver at its budget (and with auto-halting) beside the running parity by
    ``numpy.cumsum`` on the same strings; ``extra`` holds accuracies and auto-halting's share of iterations."""
    from puzzles import prefix_sums

    inputs, targets = solver.problem.generate(count, length, np.random.default_rng(seed))
    return _against_classical(
        f"prefix sums, {length} bits ({count} strings)",
        "strings/s",
        solver,
        inputs,
        targets,
        think or solver.default_think,
        "running parity (numpy cumsum)",
        lambda: prefix_sums.solve(inputs),
        repeats=3,
    )


def maze_throughput(solver, size: int, count: int, think: int | None = None, seed: int = 0) -> Measurement:
    """Mazes/s of a maze solver at its budget (and with auto-halting), beside breadth-first search on the same
    mazes (the classical limit). The measurement's ``extra`` holds iterations/s and the solver's accuracy."""
    from puzzles.mazes import generate_grid, shortest_path

    rng = np.random.default_rng(seed)
    grids = [generate_grid(size, rng) for _ in range(count)]
    inputs, targets = solver.problem.generate(count, size, np.random.default_rng(seed))
    think = think or solver.default_think
    measurement = _against_classical(
        f"mazes {size}x{size} ({count} mazes)",
        "mazes/s",
        solver,
        inputs,
        targets,
        think,
        "breadth-first search",
        lambda: [shortest_path(g) for g in grids],
        repeats=1,
    )
    measurement.extra["seconds_per_maze"] = 1 / measurement.variants[f"solve(think={think})"]
    return measurement


def sudoku_generator_throughput(levels: Sequence[int], count: int, seed: int = 0) -> Measurement:
    """Unique-solution puzzles/s of :func:`puzzles.sudoku.generate` at each number of givens (the first is the
    baseline), with the share of puzzles that singles alone solve in ``extra``."""
    from puzzles import sudoku

    rates, extra = {}, {}
    for givens in levels:
        started = time.perf_counter()
        puzzles, _ = sudoku.generate(count, givens, np.random.default_rng(seed))
        rates[f"{givens} givens"] = count / (time.perf_counter() - started)
        extra[f"singles_solve_share_{givens}"] = float(np.mean([sudoku.grade(p) == 0 for p in puzzles]))
    measurement = Measurement(f"Sudoku generator ({count} puzzles per level)", "puzzles/s", rates)
    measurement.extra = extra
    return measurement


def sudoku_throughput(solver, givens: int, count: int, think: int | None = None, seed: int = 1) -> Measurement:
    """Puzzles/s of a Sudoku solver at its budget (and with auto-halting) beside the exact search solver on the
    same puzzles; ``extra`` holds the thinking solver's exact-solution rate and iterations/s."""
    from puzzles import sudoku

    inputs, targets = sudoku.generate(count, givens, np.random.default_rng(seed))
    return _against_classical(
        f"Sudoku, {givens} givens ({count} puzzles)",
        "puzzles/s",
        solver,
        inputs,
        targets,
        think or solver.default_think,
        "exact search (puzzles.sudoku.solve)",
        lambda: sudoku.solve(inputs),
        repeats=0,
    )


def _against_classical(
    title: str,
    unit: str,
    solver,
    inputs: np.ndarray,
    targets: np.ndarray,
    think: int,
    classical_name: str,
    classical: Callable[[], object],
    repeats: int,
) -> Measurement:
    """Instances/s of a classical algorithm (the baseline), of ``solver.solve`` at ``think`` and of auto-halting
    capped there, on the same instances. ``extra`` holds iterations/s, both exact-match rates, the halting gap
    (auto's exact match minus the fixed budget's), the share of the fixed budget's iterations auto ran, and that
    share's floor (:meth:`trainers.halting.HaltingTrace.floor`, from an untimed pass)."""
    count = len(inputs)
    fixed: list[np.ndarray] = []
    auto: list[tuple[np.ndarray, np.ndarray]] = []
    timings = {
        classical_name: timed(classical, repeats),
        f"solve(think={think})": timed(lambda: fixed.append(solver.solve(inputs, think=think)), 0),
        f"solve(think='auto', cap={think})": timed(lambda: auto.append(solver.solve_auto(inputs, cap=think)), 0),
    }
    measurement = Measurement(title, unit, {k: count / v for k, v in timings.items()})
    fixed_exact, auto_exact = _exact_match(fixed[0], targets), _exact_match(auto[0][0], targets)
    measurement.extra = {
        "iterations_per_second": count * think / timings[f"solve(think={think})"],
        "solver_exact_match": fixed_exact,
        "auto_exact_match": auto_exact,
        "auto_minus_fixed_points": 100 * (auto_exact - fixed_exact),
        "auto_iteration_share": float(auto[0][1].mean() / think),
        "first_right_share": trace_halting(solver, inputs, targets, think).floor(),
    }
    return measurement


def _exact_match(answers: np.ndarray, targets: np.ndarray) -> float:
    return float(np.mean([np.array_equal(a, t) for a, t in zip(answers, targets, strict=True)]))


def miner_search_throughput(count: int, nodes: int = 1_500, seed: int = 0) -> Measurement:
    """Stockfish searches/s of the miner's screening search (``nodes``, two lines) through python-chess's
    ``analyse`` (the baseline) and through the bare pipe :class:`puzzles.engine.UciSearch`, on the positions of
    one seeded random game (with their move history, as the miner sends them); the Python CPU milliseconds each
    spends per search go in ``extra`` (the engine's own time is the same both ways)."""
    import chess
    import chess.engine

    from puzzles.engine import StockfishProcess, UciSearch

    rng, board, positions = np.random.default_rng(seed), chess.Board(), []
    while len(positions) < count:
        if board.is_game_over():
            board = chess.Board()
        moves = list(board.legal_moves)
        board.push(moves[rng.integers(len(moves))])
        if not board.is_game_over():
            positions.append(board.copy())
    limit = chess.engine.Limit(nodes=nodes)
    with StockfishProcess() as reference, UciSearch() as pipe:
        searches = {
            "python-chess analyse": lambda b: reference.engine.analyse(b, limit, multipv=2),
            "bare UCI pipe": lambda b: pipe.lines(b, nodes, multipv=2),
        }
        rates, extra = {}, {}
        for name, search in searches.items():
            search(positions[0])  # warm-up: the engine loads its network
            started, cpu = time.perf_counter(), time.process_time()
            for position in positions:
                search(position)
            rates[name] = count / (time.perf_counter() - started)
            extra[f"python_cpu_ms_per_search ({name})"] = 1000 * (time.process_time() - cpu) / count
    name = f"miner screening search ({nodes} nodes, 2 lines, {count} positions)"
    return Measurement(name, "searches/s", rates, extra)


def miner_source_throughput(games: int, pgn: str = "", seed: int = 0, config=None) -> Measurement:
    """Puzzles per CPU-hour of the miner's game sources, ``games`` games each: seeded games from the start position
    with random mistakes (the shipped set's, the baseline), seeded games from the shipped openings with plausible
    mistakes, and the first games of the PGN file ``pgn`` (if given). The CPU counts Stockfish's: each source's
    engine is closed and reaped before the clock is read (a pool worker's engine escapes ``time``). Puzzles and
    CPU-seconds a game go in ``extra``.

    Args:
        seed: the seeded games are chunk 0 of ``seed`` (``mine_chess_puzzles --seed``), game by game.
        config: the miner's settings (:class:`puzzles.miner.MinerConfig`'s defaults if None).
    """
    import os
    from dataclasses import replace

    import chess

    from puzzles.chess_game import OPENINGS_FILE
    from puzzles.mined_sets import read_pgn_games
    from puzzles.miner import Miner, MinerConfig

    config = config or MinerConfig()
    sources = {
        "start position, random mistakes": (config, None),
        "openings, plausible mistakes": (replace(config, openings=str(OPENINGS_FILE), mistakes="plausible"), None),
    }
    if pgn:
        sources["recorded games (--miner-pgn)"] = (config, read_pgn_games(pgn)[:games])
    cpu_seconds = lambda: sum(os.times()[:4])  # noqa: E731  (this process and its reaped children)
    rates, extra = {}, {}
    for name, (settings, recorded) in sources.items():
        started = cpu_seconds()
        with Miner(settings) as miner:
            if recorded is None:
                found = sum(len(miner.mine_game(np.random.default_rng([seed, 0, g]))) for g in range(games))
            else:
                found = sum(
                    len(miner.mine_recorded_game(chess.Board(fen), [chess.Move.from_uci(m) for m in moves]))
                    for fen, moves in recorded
                )
        cpu = cpu_seconds() - started
        played = games if recorded is None else len(recorded)
        rates[name] = 3600 * found / cpu
        extra[f"puzzles_per_game ({name})"] = found / played
        extra[f"cpu_seconds_per_game ({name})"] = cpu / played
    return Measurement(f"miner game sources ({games} games each)", "puzzles/CPU-hour", rates, extra)
