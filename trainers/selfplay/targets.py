"""How good is a policy target? The network's own policy, the Gumbel search's improved policy and Stockfish at
small node budgets, scored against a deep Stockfish search on the same positions.

Positions come from the shipped openings, each continued by a seeded number of plies sampled from the network's
policy (so they look like the positions self-play meets). For each source the report gives the share of
positions where the target's most probable move is the reference move, the mean probability the target puts on
the reference move (a one-hot target for Stockfish), and its cost per position (network evaluations or nodes).
"""

from __future__ import annotations

import time
from typing import Any

import chess
import numpy as np

from agents.chess_network import ChessNetwork
from agents.chess_policy import legal_indices
from agents.chess_search import gumbel_search
from puzzles.chess_encoding import encode_move
from puzzles.chess_game import OPENINGS_FILE, game_planes, game_result, read_openings
from puzzles.engine import UciSearch
from trainers.selfplay.actors import NetworkEvaluator


def sample_positions(net: ChessNetwork, think: int, count: int, plies: tuple[int, int], seed: int) -> list[chess.Board]:
    """``count`` positions: a random opening continued by ``plies[0]..plies[1]`` plies sampled from the policy."""
    if count < 1 or not 0 <= plies[0] <= plies[1]:
        raise ValueError(f"need count >= 1 and 0 <= min plies <= max plies, got {count} and {plies}")
    rng = np.random.default_rng(seed)
    openings = read_openings(OPENINGS_FILE)
    evaluate = NetworkEvaluator(net, think)
    boards: list[chess.Board] = []
    while len(boards) < count:
        board = openings[int(rng.integers(len(openings)))].copy()
        for _ in range(int(rng.integers(plies[0], plies[1] + 1))):
            moves, actions = legal_indices(board)
            board.push(moves[int(rng.choice(len(moves), p=_policy(evaluate, board, actions)))])
            if game_result(board) is not None:
                break
        if game_result(board) is None:
            boards.append(board)
    return boards


def _policy(evaluate: NetworkEvaluator, board: chess.Board, actions: np.ndarray) -> np.ndarray:
    """The network's policy over the legal moves (``actions``)."""
    logits, _ = evaluate(game_planes(board)[None])
    row = logits[0][actions].astype(np.float64)
    p = np.exp(row - row.max())
    return p / p.sum()


def compare_targets(
    net: ChessNetwork,
    boards: list[chess.Board],
    think: int,
    simulations: list[int],
    considered: int,
    stockfish_nodes: list[int],
    reference_nodes: int,
) -> list[dict[str, Any]]:
    """One row per target source: agreement with the reference move, mass on it, cost (module docstring)."""
    evaluate = NetworkEvaluator(net, think)
    with UciSearch() as engine:
        reference = []
        for board in boards:
            engine.clear_hash()
            reference.append(encode_move(board, engine.lines(board, reference_nodes)[0][1]))
        rows = []
        for sims in [0, *simulations]:
            started = time.perf_counter()
            if sims:
                results = gumbel_search(boards, evaluate, sims, considered, 0.0)
                targets = [(r.actions, r.target) for r in results]
            else:  # the network's own policy: what the search starts from
                targets = []
                for board in boards:
                    actions = legal_indices(board)[1]
                    targets.append((actions, _policy(evaluate, board, actions)))
            seconds = time.perf_counter() - started
            top = [int(actions[np.argmax(t)]) == best for (actions, t), best in zip(targets, reference, strict=True)]
            mass = [float(t[list(actions).index(best)]) for (actions, t), best in zip(targets, reference, strict=True)]
            name, cost = (
                (f"gumbel search, {sims} simulations", f"{1 + sims} evaluations")
                if sims
                else ("network policy", "1 evaluation")
            )
            rows.append(_row(name, top, mass, cost, seconds / len(boards)))
        for nodes in stockfish_nodes:
            started = time.perf_counter()
            top = []
            for board, best in zip(boards, reference, strict=True):
                engine.clear_hash()
                top.append(encode_move(board, engine.lines(board, nodes)[0][1]) == best)
            seconds = time.perf_counter() - started
            rows.append(
                _row(f"stockfish, {nodes} nodes", top, [float(t) for t in top], f"{nodes} nodes", seconds / len(boards))
            )
    return rows


def _row(name: str, top: list[bool], mass: list[float], cost: str, seconds: float) -> dict[str, Any]:
    return {
        "target": name,
        "positions": len(top),
        "top_move_agrees": round(float(np.mean(top)), 3),
        "mass_on_reference": round(float(np.mean(mass)), 3),
        "cost": cost,
        "ms_per_position": round(1000 * seconds, 1),
    }
