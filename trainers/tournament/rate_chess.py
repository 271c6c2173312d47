"""``deepthink rate-chess``: absolute numbers for the chess policy, from games against a random mover and a
ladder of Stockfish node limits.

    deepthink rate-chess --checkpoint chess --think 8 --search 7 --random-games 100 \
        --ladder stockfish:nodes=1 stockfish:nodes=10 stockfish:nodes=100 stockfish:elo=1350 --pairs 25

Ladder rungs are arena specs (:func:`trainers.tournament.players.player_from_spec`): ``random=P`` makes
Stockfish play a random move with probability P, a knob below its weakest node limit.

Prints a table, writes ``<out>/chess_strength.json``, every game in ``<out>/chess_strength.pgn`` and the ladder
(Elo against each rung with its 95 % interval) in ``<out>/chess_strength.png``; ``--update-card`` records it in
the model card.
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
from puzzles.storage import atomic_write, save_json
from trainers.cards import write_card_section
from trainers.cli import arg, command, command_line, parse_args
from trainers.plots import plot_ladder
from trainers.tournament.match import Match, play_match
from trainers.tournament.players import PolicyPlayer, RandomPlayer, player_from_spec


@dataclass
class RateChessArgs:
    """Rate the chess policy against a random mover and a ladder of Stockfish levels, over paired openings."""

    checkpoint: str = arg("chess", "chess policy checkpoint (shipped name or path)")
    think: int = arg(200, "the policy's budget")
    search: int = arg(0, "search simulations a move (a budget of its own; 0 = the network's move)")
    random_games: int = arg(100, "games against the uniformly random mover (half with each colour)")
    ladder: list[str] = arg(["stockfish:nodes=1", "stockfish:nodes=10"], "Stockfish rungs, as arena specs")
    pairs: int = arg(25, "openings per rung (each played twice, colours swapped)")
    openings: str = arg(str(OPENINGS_FILE), "EPD opening file")
    ply_cap: int = arg(300, "plies after which a game is adjudicated a draw")
    out: str = arg("reports", "folder for chess_strength.json, .pgn and .png")
    update_card: bool = arg(False, "record the result in the checkpoint's model card")


@command()
def main(argv: list[str] | None = None) -> None:
    """``deepthink rate-chess``: plays the random mover and every rung, prints the table, writes the JSON."""
    args = parse_args(RateChessArgs, argv)
    policy = load_policy(args.checkpoint)
    searched = f" search={args.search}" if args.search else ""
    agent = PolicyPlayer(policy, args.think, name=f"policy think={args.think}{searched}", search=args.search)
    openings = read_openings(args.openings)
    started = time.perf_counter()
    report: dict = {"think": args.think, "search": args.search, "levels": {}}
    matches: list[Match] = []

    def record(name: str, match: Match) -> None:
        matches.append(match)
        ended = Counter(g.termination for g in match.games)
        report["levels"][name] = {**match.stats().to_dict(), "terminations": ended}

    if args.random_games:
        record("random", play_match(agent, RandomPlayer(seed=0), openings[: args.random_games // 2], args.ply_cap))
    for spec in args.ladder:
        with player_from_spec(spec) as engine:
            record(spec, play_match(agent, engine, openings[: args.pairs], args.ply_cap))
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
    out = Path(args.out)
    save_json(out / "chess_strength.json", report)
    pgn = "\n".join(match.to_pgn() for match in matches)
    atomic_write(out / "chess_strength.pgn", lambda tmp: tmp.write_text(pgn))
    plot_ladder(report["levels"], out / "chess_strength.png", f"{agent.name} against a ladder")
    print(f"wrote {out / 'chess_strength.json'}, .pgn and .png in {report['seconds']:.0f} s")
    if args.update_card:
        write_card_section(args.checkpoint, "strength", report)


if __name__ == "__main__":
    main()
