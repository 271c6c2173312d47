"""The ``deepthink`` command: one entry point whose subcommands are the suite's command lines.

    deepthink uci [--checkpoint chess] [--threads 1]     # the chess policy as a UCI engine on stdin/stdout
    deepthink play [--think 200] [--pgn game.pgn] ...    # chess in the terminal (trainers/play/terminal.py)

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
    width = max(len(name) for name in COMMANDS)
    lines += [f"  {name:<{width}}  {text}" for name, (text, _) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Dispatches ``deepthink <command> ...`` to the command's ``main`` with the remaining arguments."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return
    if argv[0] not in COMMANDS:
        print(f"error: no command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    command = resolve(COMMANDS[argv[0]][1])
    run_main(lambda: command(argv[1:]))


if __name__ == "__main__":
    main()
