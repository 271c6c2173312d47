"""Thinking networks, checkpoints and the solver API.

from agents import load_solver
solver = load_solver("prefix_sums")
answers = solver.solve(bits, think=300)

from agents import load_policy
policy = load_policy("chess")
move = policy.act(board, think=200)     # a chess.Board -> a legal chess.Move
"""

from agents.checkpoint import load_checkpoint, save_checkpoint
from agents.chess_policy import ChessPolicy, MoveChoice, load_policy
from agents.networks import NetworkConfig, ThinkingNetwork, build_network
from agents.problems import PROBLEMS, Problem, get_problem
from agents.solver import Solver, ThoughtStep, load_solver

__all__ = [
    "PROBLEMS",
    "ChessPolicy",
    "MoveChoice",
    "NetworkConfig",
    "Problem",
    "Solver",
    "ThinkingNetwork",
    "ThoughtStep",
    "build_network",
    "get_problem",
    "load_checkpoint",
    "load_policy",
    "load_solver",
    "save_checkpoint",
]
