"""Thinking budgets and the checks on them: how many iterations a network may run, and for how long.

Every budget (``think``, the cap of ``think="auto"``, a card's ``recommended_think``, a config's ``max_iters``)
goes through :func:`check_iterations`; a wall-clock budget becomes a deadline (:func:`deadline_after`) that the
thinking loop checks before every iteration (:func:`check_deadline`).
"""

from __future__ import annotations

import operator
import time
from typing import Any

#: The most iterations a network runs in one call, and the most any thinking budget may ask for (``think``, the
#: cap of ``think="auto"``, a card's ``recommended_think``, a config's ``max_iters``). Shipped models recommend
#: 44 to 453 and the 201x201 maze demo runs up to 3,000; a budget far beyond this is a typo or an attack, and a
#: long but honest run can also be bounded by a wall-clock budget (``max_seconds``).
MAX_THINK = 100_000
#: The most simulations a chess player's search may spend on one move (each a batch of network calls at ``think``
#: iterations), and the bound of a card's ``recommended_search``.
MAX_SEARCH = 10_000


def check_iterations(value: Any, name: str = "think", minimum: int = 1) -> int:
    """``value`` as a number of iterations in ``minimum..MAX_THINK``.

    Raises:
        ValueError: anything else (a bool, a float such as 2.5, text, or a number out of range), naming ``name``.
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)  # ints and numpy integers; 2.5 or "abc" are refused, not truncated
    except TypeError:
        raise ValueError(f"{name} must be a whole number of iterations, got {value!r}") from None
    if not minimum <= number <= MAX_THINK:
        raise ValueError(f"{name} must be from {minimum} to {MAX_THINK} iterations (MAX_THINK), got {number}")
    return number


def check_whole(value: Any, name: str) -> int:
    """``value`` if it is a whole number (an int, not a bool); else TypeError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    return value


def deadline_after(max_seconds: float | None) -> float | None:
    """The ``time.monotonic()`` at which a wall-clock budget of ``max_seconds`` runs out (None: no budget).

    Raises:
        ValueError: a budget that is not a positive finite number of seconds.
    """
    if max_seconds is None:
        return None
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, int | float) or not 0 < max_seconds < float("inf"):
        raise ValueError(f"max_seconds must be a positive number of seconds or None, got {max_seconds!r}")
    return time.monotonic() + max_seconds


def check_deadline(deadline: float | None, done: int, iters: int) -> None:
    """Raises TimeoutError once ``deadline`` (a ``time.monotonic()`` value, None for none) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError(
            f"thinking ran out of its wall-clock budget (max_seconds) after {done} of {iters} iterations"
        )


def check_search(value: Any, name: str = "search") -> int:
    """``value`` as a number of search simulations from 0 (none) to :data:`MAX_SEARCH`; TypeError or ValueError
    naming ``name``."""
    if not 0 <= check_whole(value, name) <= MAX_SEARCH:
        raise ValueError(f"{name} must be 0 (none) to {MAX_SEARCH} simulations, got {value}")
    return value
