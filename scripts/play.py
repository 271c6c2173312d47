"""Play chess against the deep-thinking network in the terminal; it plays stronger the longer it thinks.

    python scripts/play.py --think 200
    python scripts/play.py --color black --fen "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"

Type moves in SAN (e4, Nf3, O-O, e8=Q) or UCI (e2e4, e7e8q); `help` lists the commands (undo, flip, hint,
resign, new, fen, pgn, save FILE.pgn, quit). `--ascii` draws plain letters for terminals whose fonts mangle the
pieces. `--pgn game.pgn` continues a saved game (your colour and the think budget come from the file).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402

from agents.chess_play import GameSession, TerminalUI, board_from_fen, choose_colour  # noqa: E402
from agents.networks import MAX_THINK, check_iterations  # noqa: E402
from trainers.cli import arg, parse_args, run_main  # noqa: E402


@dataclass
class Args:
    """Play chess against the deep-thinking network in the terminal."""

    think: int | None = arg(
        None, f"iterations the network thinks per move (1 to {MAX_THINK}); None: the checkpoint's default_think"
    )
    color: str = arg("white", "your colour: white, black or random")
    fen: str = arg("", "start position as FEN, empty for the initial one; `new` returns to it")
    checkpoint: str = arg("chess", "shipped policy name or checkpoint path")
    ascii: bool = arg(False, "plain letters (KQRBNP/kqrbnp, '.') instead of unicode pieces on coloured squares")
    seed: int | None = arg(None, "seed for --color random and any sampling by the network; None: fresh each run")
    pgn: str = arg("", "a PGN file to continue (its first game); a game saved here keeps your colour and think")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    # Check what the person typed before the slow part, loading the network.
    human = choose_colour(args.color, random.Random(args.seed))
    board = board_from_fen(args.fen)
    if args.think is not None:
        check_iterations(args.think, "--think")
    saved = None
    if args.pgn:
        from agents.chess_pgn import read_game

        if args.fen:
            raise ValueError("--pgn and --fen both give the start: use one")
        saved = read_game(args.pgn)
        board, human = saved.start, human if saved.human is None else saved.human

    import torch

    from agents.chess_policy import load_policy

    if args.seed is not None:
        random.seed(args.seed)
        torch.manual_seed(args.seed)
    console = Console()
    with console.status(f"Loading the network {args.checkpoint!r}..."):
        policy = load_policy(args.checkpoint)
    think = args.think if args.think is not None or saved is None else saved.think
    session = GameSession(policy, human=human, think=think, board=board)
    if saved is not None:
        saved.resume(session)
    TerminalUI(session, console, ascii=args.ascii).run()


if __name__ == "__main__":
    run_main(main)
