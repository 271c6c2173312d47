"""Self-play for the chess policy: actors in worker processes (or Ray), a learner that publishes generations, an
evaluator with an Elo table; killed or stopped, the same command resumes it.

    python scripts/selfplay.py --start chess --run-dir runs/selfplay --generations 60 --max-minutes 170
    python scripts/selfplay.py --start chess --run-dir runs/selfplay --generations 60 --gate-pairs 100 \\
        --export runs/selfplay/final                    # when it is done: newest generation vs generation 0
    python scripts/selfplay.py ... --backend ray [--address auto]        # Ray: local runtime, or a cluster

The folder keeps games.pgn (every game), metrics.jsonl (one line per generation), elo.json (the evaluator's
table, drawn as elo.png at the end of each session) and generations/gen_<n> checkpoints (playable:
policy:runs/selfplay/generations/gen_000060:think=8).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from trainers.cli import arg, command, parse_args
from trainers.selfplay import BACKENDS, RunOptions, SelfPlayConfig, SelfPlayRun
from trainers.selfplay.records import ELO_FILE

RECIPE = SelfPlayConfig()
SESSION = RunOptions()


@dataclass
class Args:
    """Self-play with Gumbel-search policy targets: parallel actors, a learner, an evaluator; resumable."""

    start: str = arg(RECIPE.start, "checkpoint that is generation 0 (shipped name or path)")
    run_dir: str = arg("runs/selfplay", "run folder (resumed if it holds a run)")
    think: int = arg(RECIPE.think, "network iterations per evaluation (thinking budget)")
    search: int = arg(RECIPE.search, "search simulations per move (the policy-improvement step)")
    considered: int = arg(RECIPE.considered, "root actions the search considers at most")
    gumbel_scale: float = arg(RECIPE.gumbel_scale, "root Gumbel noise in self-play (exploration)")
    concurrent: int = arg(RECIPE.concurrent, "games each actor plays at once (batched evaluations)")
    ply_cap: int = arg(RECIPE.ply_cap, "plies after which a game is a draw")
    openings: str = arg(RECIPE.openings, "EPD file of start positions ('' = the initial position)")
    buffer_size: int = arg(RECIPE.buffer_size, "positions in the replay buffer")
    min_buffer: int = arg(RECIPE.min_buffer, "positions before the learner starts")
    batch_size: int = arg(RECIPE.batch_size, "positions per learner step")
    sample_reuse: float = arg(RECIPE.sample_reuse, "samples per played position (caps the learner)")
    publish_every: int = arg(RECIPE.publish_every, "learner steps per generation")
    lr: float = arg(RECIPE.lr, "AdamW learning rate")
    clip: float = arg(RECIPE.clip, "gradient-norm clip")
    weight_decay: float = arg(RECIPE.weight_decay, "AdamW weight decay")
    value_weight: float = arg(RECIPE.value_weight, "weight of the value loss")
    eval_every: int = arg(RECIPE.eval_every, "evaluate every N generations (0 = never)")
    eval_pairs: int = arg(RECIPE.eval_pairs, "paired openings per evaluation match")
    eval_stockfish_nodes: int = arg(RECIPE.eval_stockfish_nodes, "Stockfish opponent's nodes (0 = none)")
    seed: int = arg(RECIPE.seed, "seed of games, batches and evaluation openings")
    backend: str = arg(SESSION.backend, f"where actors run: {', '.join(BACKENDS)}")
    workers: int = arg(SESSION.workers, "self-play actors (0 = one per core)")
    address: str = arg(SESSION.address, "Ray cluster to join (auto or host:port; '' = start a local Ray)")
    generations: int = arg(SESSION.generations, "stop after this many generations (resume to go further)")
    max_minutes: float = arg(SESSION.max_minutes, "stop this session after this long, saved (0 = no limit)")
    gate_pairs: int = arg(0, "afterwards, play the newest generation against generation 0 on this many pairs")
    export: str = arg("", "afterwards, write the newest weights to this checkpoint stem")
    threads: int = arg(1, "torch threads of the learner (the driver process)")
    progress: bool = arg(True, "show the progress display")


@command(resumable=True)
def main(argv: list[str] | None = None) -> None:
    args = parse_args(Args, argv)
    import torch

    torch.set_num_threads(args.threads)
    recipe = {name: getattr(args, name) for name in SelfPlayConfig.__dataclass_fields__}
    options = {name: getattr(args, name) for name in RunOptions.__dataclass_fields__}
    run = SelfPlayRun(SelfPlayConfig(**recipe), args.run_dir, RunOptions(**options))
    progress = run.run()
    print(
        f"self-play: generation {progress['generation']}, {progress['steps']} steps, {progress['games']} games, "
        f"{progress['positions']} positions, {progress['seconds'] / 60:.1f} minutes over {progress['session']} sessions"
    )
    if args.gate_pairs and progress["generation"] >= args.generations:
        stats = run.gate(args.gate_pairs).to_dict()
        print(
            f"gate: generation {progress['generation']} vs generation 0: {stats['elo']:+.1f} Elo "
            f"[{stats['elo_low']:+.1f}, {stats['elo_high']:+.1f}] over {stats['games']} games "
            f"(+{stats['wins']} ={stats['draws']} -{stats['losses']})"
        )
    if args.export:
        print(f"exported to {run.export(args.export)}")
    table = json.loads((run.run_dir / ELO_FILE).read_text())
    if table["ratings"]:
        from trainers.plots import plot_generations  # lazy: matplotlib only once there is something to draw

        plot_generations(table["ratings"], run.run_dir / "elo.png", f"self-play {run.run_dir.name}: Elo by generation")
        print(f"drew {run.run_dir / 'elo.png'}")


if __name__ == "__main__":
    main()
