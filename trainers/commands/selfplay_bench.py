"""Self-play games per minute with 1 and 2 worker processes and 2 Ray actors, side by side (run on idle cores).

    python scripts/selfplay_bench.py --start chess --cases process:1 process:2 ray:2 --warmup 120 --seconds 480 \\
        --out reports/selfplay_bench.json

Prints a table with each case's games and positions per minute and its speed-up over the first case.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainers.cli import arg, command, command_line, parse_args

DEFAULT_CASES = ["process:1", "process:2", "ray:2"]


@dataclass
class Args:
    """Time self-play throughput for several backends and worker counts (actors only, no learner)."""

    start: str = arg("chess", "checkpoint whose weights play")
    cases: list[str] = arg(DEFAULT_CASES, "BACKEND:WORKERS cases, timed in order (speed-ups are over the first)")
    warmup: float = arg(120.0, "seconds of play before the window (workers start, games fall out of step)")
    seconds: float = arg(480.0, "seconds of the timed window per case")
    think: int = arg(8, "network iterations per evaluation")
    search: int = arg(16, "search simulations per move")
    considered: int = arg(8, "root actions the search considers")
    concurrent: int = arg(32, "games per actor at once")
    ply_cap: int = arg(200, "plies after which a game is a draw")
    out: str = arg("", "write the rows as JSON here")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    from rich.console import Console
    from rich.table import Table

    from puzzles.storage import save_json
    from trainers.cards import hardware
    from trainers.selfplay.bench import measure, parse_case, speedups
    from trainers.selfplay.config import SelfPlayConfig

    cases = [parse_case(text) for text in args.cases]
    config = SelfPlayConfig(
        start=args.start,
        think=args.think,
        search=args.search,
        considered=args.considered,
        concurrent=args.concurrent,
        ply_cap=args.ply_cap,
    )
    console = Console()
    rows = []
    for case in cases:
        console.log(f"{case.name}: {args.warmup:.0f} s warm-up, {args.seconds:.0f} s window")
        rows.append(measure(config, case, args.warmup, args.seconds))
        console.log(rows[-1])
    ratios = speedups(rows)
    table = Table(
        title=f"self-play throughput (think={args.think}, search={args.search}, {args.concurrent} games/actor)"
    )
    for column in ("case", "games", "games/min", "positions/min", "speed-up (games)", "speed-up (positions)"):
        table.add_column(column, justify="right")
    for row in rows:
        ratio = ratios[row["case"]]
        table.add_row(
            row["case"],
            str(row["games"]),
            f"{row['games_per_min']:.2f}",
            f"{row['positions_per_min']:.0f}",
            f"{ratio['games_per_min']:.2f}x",
            f"{ratio['positions_per_min']:.2f}x",
        )
    console.print(table)
    if args.out:
        document = {"command": command_line(__file__, argv), "hardware": hardware(), "rows": rows, "speedups": ratios}
        save_json(args.out, document)
        console.print(f"written to {args.out}")


if __name__ == "__main__":
    main()
