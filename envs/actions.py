"""Reading a ``Discrete`` action the way vectorised callers hand it over (shared by the step-wise envs)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np


def _as_integer(action: Any) -> int | None:
    """``action`` as a Python int (an int, a numpy integer or a one-element integer array), else None (a bool
    included: True is no action index)."""
    if isinstance(action, (bool, np.bool_)):
        return None
    try:
        return operator.index(action)
    except TypeError:
        pass
    try:
        array = np.asarray(action)
    except (TypeError, ValueError):
        return None
    if array.size != 1 or not np.issubdtype(array.dtype, np.integer):
        return None
    return int(array.reshape(()))


def discrete_index(action: Any, n: int) -> int | None:
    """``action`` as an index in ``0..n-1`` (an int, a numpy integer or a one-element integer array), or None
    for anything else (a bool included); never raises, so an env can turn a bad action into its penalty."""
    index = _as_integer(action)
    return index if index is not None and 0 <= index < n else None


def discrete_action(action: Any, n: int) -> int:
    """``action`` as an index in ``0..n-1``, read as :func:`discrete_index` reads it; a value outside the action
    space ``Discrete(n)`` is refused rather than played.

    Raises:
        TypeError: not an integer (None, a float such as NaN or 1.5, text, a bool, an array of several values).
        ValueError: an integer outside ``0..n-1``.
    """
    index = _as_integer(action)
    if index is None:
        raise TypeError(f"an action is an integer in 0..{n - 1} (Discrete({n})), got {action!r}")
    if not 0 <= index < n:
        raise ValueError(f"an action is an integer in 0..{n - 1} (Discrete({n})), got {index}")
    return index
