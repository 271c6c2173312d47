"""``deepthink uci``: the chess policy as a UCI engine on stdin and stdout, for chess GUIs and python-chess.

deepthink uci [--checkpoint chess] [--threads 1]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from trainers.cli import arg, command, parse_args


@dataclass
class UciArgs:
    """Speak UCI on stdin and stdout with the chess policy (see agents/uci.py for the protocol)."""

    checkpoint: str = arg("chess", "shipped policy name or checkpoint path")
    threads: int = arg(1, "torch threads (the UCI option Threads changes it)")


@command()
def main(argv: list[str] | None = None) -> None:
    """``deepthink uci``: loads the policy, then answers UCI commands until ``quit`` or the end of input."""
    args = parse_args(UciArgs, argv)
    if args.threads < 1:
        raise ValueError(f"--threads must be at least 1, got {args.threads}")
    from agents.chess_policy import load_policy
    from agents.uci import UciEngine

    policy = load_policy(args.checkpoint)
    name = f"Deep Thinking Suite ({policy.card.get('name') or Path(str(args.checkpoint)).name})"
    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    engine = UciEngine(policy, write, name=name, threads=args.threads)
    try:
        engine.run(iter(sys.stdin.readline, ""))
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
