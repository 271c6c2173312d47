"""``deepthink rate-chess``: absolute numbers for the chess policy, from games against a random mover and a
ladder of Stockfish node limits.

    deepthink rate-chess --checkpoint chess --think 200 --random-games 100 \
        --ladder stockfish:nodes=1:random=0.5 stockfish:nodes=1 stockfish:nodes=10 --pairs 25

Ladder rungs are arena specs (:func:`trainers.tournament.players.player_from_spec`): ``random=P`` makes
Stockfish play a random move with probability P, a knob below its weakest node limit.

Prints a table, writes ``<out>/chess_strength.json``; ``--update-card`` records it in the model card.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agents.checkpoint import resolve_checkpoint
from agents.chess_policy import load_policy
from puzzles.chess_game import OPENINGS_FILE, read_openings
from puzzles.storage import save_json
from trainers.cards import write_card_section
from trainers.cli import arg, command, command_line, parse_args
from trainers.tournament.match import play_match
from trainers.tournament.players import PolicyPlayer, RandomPlayer, player_from_spec


@dataclass
class RateChessArgs:
    """Rate the chess policy against a random mover and a ladder of Stockfish levels, over paired openings."""

    checkpoint: str = arg("chess", "chess policy checkpoint (shipped name or path)")
    think: int = arg(200, "the policy's budget")
    random_games: int = arg(100, "games against the uniformly random mover (half with each colour)")
    ladder: list[str] = arg(["stockfish:nodes=1", "stockfish:nodes=10"], "Stockfish rungs, as arena specs")
    pairs: int = arg(25, "openings per rung (each played twice, colours swapped)")
    openings: str = arg(str(OPENINGS_FILE), "EPD opening file")
    ply_cap: int = arg(300, "plies after which a game is adjudicated a draw")
    out: str = arg("reports", "folder for chess_strength.json")
    update_card: bool = arg(False, "record the result in the checkpoint's model card")


@command()
def main(argv: list[str] | None = None) -> None:
    """``deepthink rate-chess``: plays the random mover and every rung, prints the table, writes the JSON."""
    args = parse_args(RateChessArgs, argv)
    policy = load_policy(args.checkpoint)
    agent = PolicyPlayer(policy, args.think, name=f"policy think={args.think}")
    openings = read_openings(args.openings)
    started = time.perf_counter()
    report: dict = {"think": args.think, "levels": {}}
    if args.random_games:
        match = play_match(agent, RandomPlayer(seed=0), openings[: args.random_games // 2], args.ply_cap)
        report["levels"]["random"] = {
            **match.stats().to_dict(),
            "terminations": Counter(g.termination for g in match.games),
        }
    for spec in args.ladder:
        with player_from_spec(spec) as engine:
            match = play_match(agent, engine, openings[: args.pairs], args.ply_cap)
        report["levels"][spec] = {
            **match.stats().to_dict(),
            "terminations": Counter(g.termination for g in match.games),
        }
    report["command"] = command_line("rate_chess.py", argv)
    report["seconds"] = round(time.perf_counter() - started, 1)
    table = Table(title=f"{resolve_checkpoint(args.checkpoint).name} at think={args.think}")
    for column in ("opponent", "games", "W/D/L", "score", "Elo (95%)"):
        table.add_column(column, justify="right")
    for name, row in report["levels"].items():
        table.add_row(
            name,
            str(row["games"]),
            f"{row['wins']}/{row['draws']}/{row['losses']}",
            f"{row['score']:.3f}",
            f"{row['elo']:+.0f} ± {row['elo_error']:.0f}",
        )
    Console().print(table)
    save_json(Path(args.out) / "chess_strength.json", report)
    print(f"wrote {Path(args.out) / 'chess_strength.json'} in {report['seconds']:.0f} s")
    if args.update_card:
        write_card_section(args.checkpoint, "strength", report)


if __name__ == "__main__":
    main()
