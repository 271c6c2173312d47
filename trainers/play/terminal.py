"""Chess against the network in the terminal: the play loop and ``deepthink play`` (``python scripts/play.py``).

    deepthink play --think 200
    deepthink play --color black --fen "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"

The game is in layers, so that tests reach every part without a terminal: :mod:`trainers.play.parser` reads
what the person types, :class:`trainers.play.session.GameSession` is the game itself (no I/O),
:mod:`trainers.play.board_view` draws the board, and :class:`TerminalUI` here is the loop: print the board and
the game's state, read a line, hand it to the session. The input function is injectable, so a test drives it
with scripted lines and a recording console.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from agents.budget import check_search
from agents.networks import MAX_THINK, check_iterations
from trainers.cli import arg, command, parse_args
from trainers.play.board_view import render_board
from trainers.play.parser import board_from_fen, choose_colour
from trainers.play.pgn import read_game
from trainers.play.session import GameSession, Reply, colour_name


class TerminalUI:
    """The play loop on a rich console: board, state, prompt, repeat until quit, Ctrl-C or end of input.

    Args:
        session: the game.
        console: where to print; a new ``Console()`` when None.
        input_fn: reads one line given the prompt; ``console.input`` when None. EOFError and
            KeyboardInterrupt end the loop cleanly.
        ascii: plain letters for the board (see :func:`render_board`).
    """

    def __init__(
        self,
        session: GameSession,
        console: Console | None = None,
        input_fn: Callable[[str], str] | None = None,
        ascii: bool = False,
    ) -> None:
        self.session = session
        self.console = console or Console()
        self.input_fn = input_fn or self.console.input
        self.ascii = ascii
        session.thinking = self._spinner

    @contextlib.contextmanager
    def _spinner(self, think: int) -> Iterator[None]:
        with self.console.status(f"The network is thinking ({think} iterations)..."):
            yield

    def render(self) -> RenderableType:
        """The board beside the game's state: players, last move, check, move list, the network's view."""
        session = self.session
        board = render_board(session.board, session.orientation, session.last_move, ascii=self.ascii)
        lines: list[Text] = [
            Text(
                f"You: {colour_name(session.human)}    "
                f"Network: {colour_name(not session.human)} (think {session.think}"
                + (f", search {session.search})" if session.search else ")"),
                style="bold",
            )
        ]
        last = session.last_move_text()
        if last:
            lines.append(Text(f"Last move: {last}"))
        if session.board.is_check() and not session.over:
            lines.append(Text("Check!", style="bold red"))
        agent = session.last_agent_move
        if agent:
            lines.append(
                Text(
                    f"Network's {agent.san}: confidence {agent.probability:.0%}, "
                    f"win chance {agent.win_chance:.0%} (value {agent.value:+.2f})"
                )
            )
            others = [f"{san} {p:.0%}" for san, p in agent.top if san != agent.san][:3]
            if others:
                lines.append(Text("  also considered: " + ", ".join(others), style="dim"))
        lines.append(Text("Moves: " + (session.move_list() or "none yet")))
        if session.over:
            lines.append(Text(f"Game over: {session.result} ({session.termination})", style="bold"))
        else:
            lines.append(Text(f"{colour_name(session.board.turn)} to move."))
        grid = Table.grid(padding=(0, 3))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(board, Group(*lines))
        return grid

    def say(self, reply: Reply) -> None:
        if reply.message:
            style = "red" if not reply.ok else "bold" if reply.result else ""
            self.console.print(Text(reply.message, style=style))

    def run(self) -> str | None:
        """Plays until quit or end of input; returns the game's result, or None when it was not finished."""
        session = self.session
        self.console.print(
            Text(
                f"You play {colour_name(session.human)} against the deep-thinking network "
                f"({session.think} iterations a move"
                + (f", {session.search} simulations of search" if session.search else "")
                + "). Type a move like e4 or e2e4, or help.",
                style="bold",
            )
        )
        try:
            if session.over:
                self.console.print(Text(f"This position is already over: {session.termination}.", style="bold"))
            else:
                self.say(session.agent_turn())
            self.console.print(self.render())
            while True:
                prompt = f"{colour_name(session.board.turn)} to move> " if session.human_to_move else "> "
                try:
                    line = self.input_fn(prompt)
                except EOFError:
                    self.console.print(Text("\nBye."))
                    break
                reply = session.handle(line)
                self.say(reply)
                if reply.quit:
                    break
                if reply.redraw:
                    self.console.print(self.render())
        except KeyboardInterrupt:
            self.console.print(Text("\nInterrupted. Bye."))
        return session.result


@dataclass
class PlayArgs:
    """Play chess against the deep-thinking network in the terminal."""

    think: int | None = arg(
        None, f"iterations the network thinks per move (1 to {MAX_THINK}); None: the checkpoint's default_think"
    )
    search: int | None = arg(
        None, "Gumbel search simulations per move over the network's evaluations (0: none; None: the card's)"
    )
    color: str = arg("white", "your colour: white, black or random")
    fen: str = arg("", "start position as FEN, empty for the initial one; `new` returns to it")
    checkpoint: str = arg("chess", "shipped policy name or checkpoint path")
    ascii: bool = arg(False, "plain letters (KQRBNP/kqrbnp, '.') instead of unicode pieces on coloured squares")
    seed: int | None = arg(None, "seed for --color random and any sampling by the network; None: fresh each run")
    pgn: str = arg("", "a PGN file to continue (its first game); a game saved here keeps your colour and think")


@command()
def main(argv: list[str] | None = None) -> None:
    """``deepthink play``: checks the flags, loads the network, then plays in the terminal until quit."""
    args = parse_args(PlayArgs, argv)
    # Check what the person typed before the slow part, loading the network.
    human = choose_colour(args.color, random.Random(args.seed))
    board = board_from_fen(args.fen)
    if args.think is not None:
        check_iterations(args.think, "--think")
    if args.search is not None:
        check_search(args.search, "--search")
    saved = None
    if args.pgn:
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
    # Any policy with analyse and default_think plays; one without a recommended search does not search.
    search = getattr(policy, "default_search", 0) if args.search is None else args.search
    session = GameSession(policy, human=human, think=think, board=board, search=search)
    if saved is not None:
        saved.resume(session)
    TerminalUI(session, console, ascii=args.ascii).run()


if __name__ == "__main__":
    main()
