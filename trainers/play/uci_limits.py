"""UCI limits for a thinking engine: ``go`` parsed, the clock turned into a budget of iterations, the options.

The engine thinks about the position the GUI sent and reports what the network says after a number of
iterations; there is no tree search, so the UCI limits are translated into a thinking budget:

==========================================  ==============================================================
``go`` (no limit)                           ``Think`` iterations (default: the checkpoint card's
                                            ``recommended_think``, else its training regime's iterations)
``go depth d`` / ``go nodes n``             ``d`` / ``n`` iterations (the smaller when both are given)
``go movetime t``                           as many iterations as fit in ``t - MoveOverhead`` ms, at most
                                            ``MaxThink``
``go wtime/btime [winc/binc] [movestogo]``  the time for this move is ``remaining / movestogo`` (30 when not
                                            given) plus 3/4 of the increment, at most half the remaining
                                            time, minus ``MoveOverhead``; then as ``movetime``
``go infinite`` / ``go ponder``             thinks until ``stop`` (or ``ponderhit``), at most
                                            :data:`MAX_THINK` iterations, and only then answers
==========================================  ==============================================================

Time limits are met twice over: the budget comes from the measured iterations per second (timed at the first
``isready`` and refined by every search), and a timed search also looks at the clock before each further
chunk of thinking. Several limits together: the smallest budget wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import chess

from puzzles.chess_positions import PositionConfig

#: The most iterations one search may run (``go infinite`` stops here and waits for ``stop``).
MAX_THINK = 100_000
#: Centipawns per unit of ``atanh(value)``: the scale the value labels were made with.
VALUE_SCALE_CP = PositionConfig.value_scale_cp
#: Moves assumed to be left in the game when the GUI does not send ``movestogo``.
MOVES_TO_GO = 30


@dataclass
class GoLimits:
    """The limits of one ``go`` command (times in milliseconds; None when not given).

    Attributes:
        errors: what could not be read (each reported as an ``info string``, the rest still applies).
    """

    depth: int | None = None
    nodes: int | None = None
    movetime: int | None = None
    wtime: int | None = None
    btime: int | None = None
    winc: int | None = None
    binc: int | None = None
    movestogo: int | None = None
    infinite: bool = False
    ponder: bool = False
    searchmoves: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_NUMBERS = ("depth", "nodes", "movetime", "wtime", "btime", "winc", "binc", "movestogo", "mate")
_FLAGS = ("infinite", "ponder")


def parse_go(tokens: list[str]) -> GoLimits:
    """The limits of ``go`` from its tokens (without ``go``); never raises: problems land in ``errors``."""
    limits = GoLimits()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token in _FLAGS:
            setattr(limits, token, True)
        elif token in _NUMBERS:
            text = tokens[index] if index < len(tokens) else None
            index += text is not None
            try:
                number = int(text)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                limits.errors.append(f"go {token} takes a whole number, got {text!r}; ignored")
                continue
            if token == "mate":  # no mate search here: think as for a depth of twice the moves
                limits.errors.append("go mate is not searched for; thinking as for depth 2 * moves")
                token, number = "depth", 2 * number
            setattr(limits, token, number)
        elif token == "searchmoves":
            while index < len(tokens) and tokens[index] not in _NUMBERS + _FLAGS:
                limits.searchmoves.append(tokens[index])
                index += 1
        else:
            limits.errors.append(f"unknown go parameter {token!r}; ignored")
    return limits


def move_time_ms(limits: GoLimits, turn: chess.Color) -> float | None:
    """The milliseconds the limits give this move before ``MoveOverhead`` (None when untimed).

    ``movetime`` as is; a clock: ``remaining / movestogo + 3/4 increment``, at most half the remaining time.
    """
    budgets = []
    if limits.movetime is not None:
        budgets.append(float(max(limits.movetime, 0)))
    remaining = limits.wtime if turn == chess.WHITE else limits.btime
    if remaining is not None:
        increment = max((limits.winc if turn == chess.WHITE else limits.binc) or 0, 0)
        remaining = max(remaining, 0)
        moves = limits.movestogo if limits.movestogo and limits.movestogo > 0 else MOVES_TO_GO
        budgets.append(min(remaining / moves + 0.75 * increment, remaining / 2))
    return min(budgets) if budgets else None


def value_to_cp(value: float) -> int:
    """The value head's expected outcome (-1..1) as centipawns: ``400 atanh(value)``, about +-2000 at most."""
    value = min(max(float(value), -0.9999), 0.9999) if math.isfinite(value) else 0.0
    return round(VALUE_SCALE_CP * math.atanh(value))


@dataclass
class Plan:
    """How long one search thinks.

    Attributes:
        iterations: the budget (the search ends here unless stopped sooner).
        seconds: the time it may take (None: untimed).
        wait: after the budget, keep the answer until ``stop`` or ``ponderhit`` (``infinite``, ``ponder``).
    """

    iterations: int
    seconds: float | None = None
    wait: bool = False


@dataclass
class Options:
    """The engine's UCI options (``setoption name <Name> value <v>``) and their bounds."""

    think: int
    max_think: int
    threads: int
    move_overhead: int = 30

    # A class-level table (no annotation, so not a dataclass field): option -> (attribute, low, high).
    BOUNDS = {
        "Think": ("think", 1, MAX_THINK),
        "MaxThink": ("max_think", 1, MAX_THINK),
        "Threads": ("threads", 1, 256),
        "MoveOverhead": ("move_overhead", 0, 10_000),
    }
