"""The ``deepthink`` command: one entry point whose subcommands are the suite's command lines.

    deepthink uci [--checkpoint chess] [--threads 1]     # the chess policy as a UCI engine on stdin/stdout
    deepthink play [--think 200] [--pgn game.pgn] ...    # chess in the terminal (scripts/play.py)
    deepthink train --recipe prefix_sums                 # every scripts/<name>.py is deepthink <name-with-dashes>

From a checkout without installing, ``python -m trainers.console <command> ...`` does the same.
:data:`COMMANDS` is the table of subcommands: name -> (what it does, ``module:function``), each function a
``main(argv)`` that parses the rest of the command line itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

from trainers.cli import run_main

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "uci": ("the chess policy as a UCI engine (for chess GUIs and python-chess)", "trainers.commands.uci:main"),
    "play": ("play chess against the network in the terminal", "scripts/play.py:main"),
    # Training, evaluation, baselines and data (trainers/commands/).
    "train": ("train a thinking network from a named recipe (resumable)", "trainers.commands.train:main"),
    "evaluate": ("accuracy by iteration per test size, or env rollouts", "trainers.commands.evaluate:main"),
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
    """The function that ``module:function`` or ``scripts/<file>.py:function`` names."""
    where, _, function = target.rpartition(":")
    if where.endswith(".py"):
        path = ROOT / where
        if not path.is_file():
            raise FileNotFoundError(f"{where} is not here: this command needs a source checkout of the suite")
        spec = importlib.util.spec_from_file_location(f"scripts_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[spec.name] = module  # type: ignore[union-attr]  (dataclasses look their module up there)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        module = importlib.import_module(where)
    return getattr(module, function)


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
