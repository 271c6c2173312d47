"""``deepthink arena``: a paired chess match between two players, reported as Elo with its 95 % interval, LOS
and optionally an SPRT.

    deepthink arena --a policy:chess:think=8 --b policy:chess:think=4 --pairs 50 --sprt 0 20
    python scripts/arena.py --a stockfish:nodes=200 --b random --openings start --pairs 2

Players are spec strings: ``random[:seed=N]``, ``stockfish:nodes=200``, ``stockfish:elo=1500``,
``stockfish:skill=3:nodes=1000``, ``policy:<checkpoint>:think=N[:search=S]``. Each opening is played twice with
colours swapped. Prints a table; ``--out`` writes the match (every game) as JSON, ``--pgn`` as PGN.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import chess
from rich.console import Console
from rich.table import Table

from puzzles.chess_game import OPENINGS_FILE, read_openings
from puzzles.storage import atomic_write, save_json
from trainers.cli import arg, command, command_line, parse_args
from trainers.tournament.elo import sprt_bounds, sprt_decision, sprt_llr
from trainers.tournament.match import Match, play_match
from trainers.tournament.players import player_from_spec


@dataclass
class ArenaArgs:
    """Play player A against player B over paired openings and report A's Elo difference."""

    a: str = arg("random", "player A: random[:seed=N], stockfish:nodes=N|elo=E|skill=S, policy:<ckpt>:think=N:search=S")
    b: str = arg("random:seed=1", "player B (same forms)")
    openings: str = arg(
        "", "EPD opening file (default: the shipped puzzles/data/openings.epd); 'start' = start position"
    )
    pairs: int = arg(0, "play the first N openings, each twice (0 = all; with 'start', N copies of the start)")
    ply_cap: int = arg(300, "plies after which a game is adjudicated a draw")
    sprt: list[float] = arg([], "elo0 elo1: also report the SPRT log-likelihood ratio and decision (logistic Elo)")
    alpha: float = arg(0.05, "SPRT false-positive rate")
    beta: float = arg(0.05, "SPRT false-negative rate")
    out: str = arg("", "write the match as JSON here")
    pgn: str = arg("", "write the games as PGN here")
    progress: bool = arg(True, "show a progress bar")


def load_openings(source: str, pairs: int) -> list[chess.Board]:
    """The match's openings: a file's first ``pairs`` positions, or ``pairs`` copies of the start position."""
    if pairs < 0:
        raise ValueError(f"--pairs must be 0 (all) or positive, got {pairs}")
    if source == "start":
        return [chess.Board() for _ in range(max(pairs, 1))]
    path = Path(source) if source else OPENINGS_FILE
    if not path.is_file():
        hint = " (it is made by scripts/make_openings.py)" if not source else ""
        raise FileNotFoundError(
            f"no opening file at {path}{hint}; pass --openings start to play from the start position only"
        )
    boards = read_openings(path)
    return boards[:pairs] if pairs else boards


def report_table(match: Match, sprt: dict | None) -> Table:
    """The match's result as a rich table, from A's view."""
    stats = match.stats()
    summary = match.to_dict()
    table = Table(title=f"{match.player_a} (A) vs {match.player_b} (B)", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("games (pairs)", f"{stats.games} ({stats.pairs})")
    table.add_row("A's W / D / L", f"{stats.wins} / {stats.draws} / {stats.losses}")
    table.add_row("pentanomial LL LD DD+WL WD WW", " ".join(str(c) for c in stats.pentanomial))
    table.add_row("A's score", f"{stats.score:.3f}")
    table.add_row(
        "Elo A - B", f"{stats.elo:+.1f} ± {stats.elo_error:.1f}  [{stats.elo_low:+.1f}, {stats.elo_high:+.1f}]"
    )
    table.add_row("normalised Elo", f"{stats.nelo:+.1f}")
    table.add_row("LOS (A stronger)", f"{100 * stats.los:.1f}%")
    table.add_row("adjudicated draws (ply cap)", f"{summary['adjudicated']} of {stats.games}")
    table.add_row("mean plies", f"{summary['mean_plies']}")
    table.add_row("ms per move A / B", f"{summary['ms_per_move']['a']:.2f} / {summary['ms_per_move']['b']:.2f}")
    table.add_row("seconds", f"{match.seconds:.1f}")
    if sprt is not None:
        decision = sprt["decision"] or "continue"
        table.add_row(
            f"SPRT [{sprt['elo0']:g}, {sprt['elo1']:g}]",
            f"LLR {sprt['llr']:+.3f} in ({sprt['lower']:.3f}, {sprt['upper']:.3f}): {decision}",
        )
    return table


@command()
def main(argv: list[str] | None = None) -> dict:
    """``deepthink arena`` (``python scripts/arena.py``): plays the match, prints the table, writes what was asked;
    returns the report."""
    args = parse_args(ArenaArgs, argv)
    console = Console()
    if args.sprt and len(args.sprt) != 2:
        raise ValueError(f"--sprt takes two Elo bounds, elo0 elo1; got {args.sprt}")
    openings = load_openings(args.openings, args.pairs)
    if args.openings == "start" and len(openings) > 1:
        console.print("note: every pair starts from the start position; only non-deterministic players differ")
    with contextlib.ExitStack() as stack:
        players = [stack.enter_context(player_from_spec(spec)) for spec in (args.a, args.b)]
        if players[0].name == players[1].name:  # keep the two sides apart in the records and the PGN
            players[0].name, players[1].name = f"{players[0].name} (A)", f"{players[1].name} (B)"
        match = play_match(players[0], players[1], openings, ply_cap=args.ply_cap, progress=args.progress)
    sprt = None
    if args.sprt:
        elo0, elo1 = args.sprt
        llr = sprt_llr(match.stats().pentanomial, elo0, elo1)
        lower, upper = sprt_bounds(args.alpha, args.beta)
        sprt = {
            "elo0": elo0,
            "elo1": elo1,
            "alpha": args.alpha,
            "beta": args.beta,
            "llr": round(llr, 4),
            "lower": round(lower, 4),
            "upper": round(upper, 4),
            "decision": sprt_decision(llr, args.alpha, args.beta),
        }
    console.print(report_table(match, sprt))
    report = {
        "command": command_line("arena.py", argv),
        "specs": {"a": args.a, "b": args.b},
        "openings": args.openings or str(OPENINGS_FILE),
        "sprt": sprt,
        **match.to_dict(),
    }
    if args.out:
        save_json(args.out, report)
        console.print(f"wrote {args.out}")
    if args.pgn:
        text = match.to_pgn()
        atomic_write(args.pgn, lambda tmp: tmp.write_text(text))
        console.print(f"wrote {args.pgn}")
    return report


if __name__ == "__main__":
    main()
