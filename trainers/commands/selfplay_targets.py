"""Compare policy-target sources for self-play against a deep Stockfish search on the same positions.

    python scripts/selfplay_targets.py --start chess --positions 400 --simulations 8 16 32 \\
        --stockfish-nodes 64 256 --reference-nodes 100000 --out reports/selfplay_targets.json

For each source (the network's policy, the Gumbel search at several simulation counts, Stockfish at small node
budgets): how often its most probable move is the reference move, the mean probability it puts on that move,
and its cost per position.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainers.cli import arg, command, command_line, parse_args


@dataclass
class Args:
    """Score policy targets (network, Gumbel search, small Stockfish searches) against a deep Stockfish search."""

    start: str = arg("chess", "the network (a shipped name or a checkpoint path)")
    positions: int = arg(100, "positions (random openings continued by plies sampled from the network)")
    min_plies: int = arg(4, "fewest sampled plies after the opening")
    max_plies: int = arg(40, "most sampled plies after the opening")
    think: int = arg(8, "network iterations per evaluation")
    simulations: list[int] = arg([8, 16, 32], "Gumbel search simulation counts to score")
    considered: int = arg(8, "root actions the search considers")
    stockfish_nodes: list[int] = arg([64, 256], "small Stockfish node budgets to score as targets")
    reference_nodes: int = arg(20_000, "nodes of the reference search")
    seed: int = arg(0, "seed of the positions")
    out: str = arg("", "write the rows as JSON here")


@command()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    import torch
    from rich.console import Console
    from rich.table import Table

    from agents.checkpoint import load_checkpoint
    from agents.chess_network import ChessNetwork
    from puzzles.storage import save_json
    from trainers.cards import hardware
    from trainers.selfplay.targets import compare_targets, sample_positions

    torch.set_num_threads(1)
    net, _ = load_checkpoint(args.start)
    if not isinstance(net, ChessNetwork):
        raise ValueError(f"{args.start} is not a chess policy checkpoint")
    if any(n < 1 for n in [*args.simulations, *args.stockfish_nodes, args.reference_nodes, args.think]):
        raise ValueError("simulations, node budgets and think must be positive")
    boards = sample_positions(net, args.think, args.positions, (args.min_plies, args.max_plies), args.seed)
    rows = compare_targets(
        net, boards, args.think, args.simulations, args.considered, args.stockfish_nodes, args.reference_nodes
    )
    table = Table(title=f"policy targets vs Stockfish {args.reference_nodes} nodes ({len(boards)} positions)")
    for column in ("target", "top move agrees", "mass on reference move", "cost", "ms/position"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["target"],
            f"{row['top_move_agrees']:.3f}",
            f"{row['mass_on_reference']:.3f}",
            row["cost"],
            f"{row['ms_per_position']:.1f}",
        )
    Console().print(table)
    if args.out:
        save_json(args.out, {"command": command_line(__file__, argv), "hardware": hardware(), "rows": rows})


if __name__ == "__main__":
    main()
