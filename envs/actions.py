"""Reading a ``Discrete`` action the way vectorised callers hand it over (shared by the step-wise envs)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np


def discrete_index(action: Any, n: int) -> int | None:
    """``action`` as an index in ``0..n-1`` (an int, a numpy integer or a one-element integer array), or None
    for anything else (a bool included); never raises, so an env can turn a bad action into its penalty."""
    if isinstance(action, (bool, np.bool_)):
        return None
    try:
        index = operator.index(action)
    except TypeError:
        try:
            array = np.asarray(action)
            if array.size != 1 or not np.issubdtype(array.dtype, np.integer):
                return None
            index = int(array.reshape(()))
        except (TypeError, ValueError):
            return None
    return index if 0 <= index < n else None
