"""The ``deepthink`` command: one entry point whose subcommands are the suite's command lines.

    deepthink uci [--checkpoint chess] [--threads 1]     # the chess policy as a UCI engine on stdin/stdout
    deepthink play [--think 200] [--pgn game.pgn] ...    # chess in the terminal (trainers/play/terminal.py)
    deepthink train --recipe prefix_sums                 # every scripts/<name>.py is deepthink <name-with-dashes>

From a checkout without installing, ``python -m trainers.console <command> ...`` does the same.
:data:`COMMANDS` is the table of subcommands: name -> (what it does, ``module:function``), each function a
``main(argv)`` that parses the rest of the command line itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from trainers.cli import run_main

COMMANDS = {
    # Chess: the game, the engine and tournaments (trainers/play/, trainers/tournament/).
    "uci": ("the chess policy as a UCI engine (for chess GUIs and python-chess)", "trainers.play.uci:main"),
    "play": ("play chess against the network in the terminal", "trainers.play.terminal:main"),
    "arena": ("a paired chess match between two players, in Elo", "trainers.tournament.arena:main"),
    "rate-chess": ("the chess policy against a random mover and Stockfish", "trainers.tournament.rate_chess:main"),
    "think-longer": ("the chess policy's Elo at several thinking budgets", "trainers.tournament.think_longer:main"),
    # Watching and measuring thought (trainers/commands/).
    "watch": ("watch a solver think, redrawn after every iteration", "trainers.commands.watch:main"),
    "recurrence": ("feed-forward, soft-sharing and recurrent nets of equal depth", "trainers.commands.recurrence:main"),
    "overthinking": ("the overthinking study: interventions and thought change", "trainers.commands.overthinking:main"),
    "halting-rules": ("halting rules replayed on a traced validation draw", "trainers.commands.halting_rules:main"),
    "bench": ("throughput against the eager baseline and classical algorithms", "trainers.commands.bench:main"),
    "maze-demo": ("large mazes: iterations, time and wrong pixels per maze", "trainers.commands.maze_demo:main"),
    # Training, evaluation, baselines and data (trainers/commands/).
    "train": ("train a thinking network from a named recipe (resumable)", "trainers.commands.train:main"),
    "evaluate": ("accuracy by iteration per test size, or env rollouts", "trainers.commands.evaluate:main"),
    "check-device": ("train and solve on a GPU, compared with the CPU", "trainers.commands.check_device:main"),
    "env-table": ("solvers and SB3 baselines as policies, per family and level", "trainers.commands.env_table:main"),
    "env-pictures": ("one PNG picture of every environment", "trainers.commands.env_pictures:main"),
    "train-sb3": ("train and evaluate a Stable-Baselines3 baseline", "trainers.commands.train_sb3:main"),
    "train-chess": ("warm-start the chess policy on labelled positions", "trainers.commands.train_chess:main"),
    "train-chess-ladder": ("train the chess player on ladder targets", "trainers.commands.train_chess_ladder:main"),
    "chess-agreement": ("chess moves' agreement with Stockfish by iteration", "trainers.commands.chess_agreement:main"),
    "selfplay": ("self-play training of the chess policy (resumable)", "trainers.commands.selfplay:main"),
    "selfplay-bench": ("self-play throughput per backend and worker count", "trainers.commands.selfplay_bench:main"),
    "selfplay-targets": ("self-play policy targets against deep Stockfish", "trainers.commands.selfplay_targets:main"),
    "label-positions": ("label chess positions with Stockfish (resumable)", "trainers.commands.label_positions:main"),
    "label-ladder": ("label chess positions at a ladder of Stockfish budgets", "trainers.commands.label_ladder:main"),
    "mine-chess-puzzles": ("mine chess puzzles with Stockfish", "trainers.commands.mine_chess_puzzles:main"),
    "make-openings": ("make the balanced opening file for paired matches", "trainers.commands.make_openings:main"),
    "make-sudoku-set": ("generate a graded Sudoku set", "trainers.commands.make_sudoku_set:main"),
    "bench-sudoku-classical": ("time classical Sudoku solvers", "trainers.commands.bench_sudoku_classical:main"),
}


def resolve(target: str) -> Callable[[list[str] | None], None]:
    """The function that ``module:function`` names."""
    where, _, function = target.rpartition(":")
    return getattr(importlib.import_module(where), function)


def usage() -> str:
    """The list of commands."""
    lines = ["usage: deepthink <command> [arguments]  (deepthink <command> --help for its arguments)", "", "commands:"]
    width = max(map(len, COMMANDS))
    lines += [f"  {name:<{width}} {text}" for name, (text, _) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Dispatches ``deepthink <command> ...`` to the command's ``main`` with the remaining arguments."""
    from_command_line = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return
    if argv[0] not in COMMANDS:
        print(f"error: no command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    if from_command_line:
        sys.argv[0] = f"deepthink {argv[0]}"  # what --help's usage line and the resume hint name
    command = resolve(COMMANDS[argv[0]][1])
    run_main(lambda: command(argv[1:]), resumable=getattr(command, "resumable", False))


if __name__ == "__main__":
    main()
