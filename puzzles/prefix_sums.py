"""Prefix sums modulo two: the cheapest logical-extrapolation benchmark.

A puzzle is a string of ``n`` bits, uint8 ``(B, n)`` of 0/1; its answer is the running parity
``cumsum(x) % 2``, also uint8 ``(B, n)``. Strings are unique where ``2**n`` allows it, as in the original
easy-to-hard data (sampled without replacement below 24 bits, independent fair bits from 24 bits on).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from puzzles.storage import load_arrays, save_arrays

#: Below this length strings are drawn without replacement, as the original generator does.
UNIQUE_BELOW_BITS = 24


def generate(count: int, length: int, rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draws ``count`` bit strings of ``length`` bits.

    Args:
        count: number of strings.
        length: bits per string (any positive integer).
        rng: a numpy Generator or a seed.

    Returns:
        ``(bits, answers)``, each uint8 ``(count, length)`` of 0/1 (``answers = solve(bits)``), the shape every
        family's ``generate`` returns: ``(puzzles, answers)``.

    Raises:
        ValueError: for a non-positive length, a negative count, or more unique strings than exist.
    """
    if length < 1:
        raise ValueError(f"length must be a positive number of bits, got {length}")
    if count < 0:
        raise ValueError(f"count must be non-negative, got {count}")
    rng = np.random.default_rng(rng)
    if length < UNIQUE_BELOW_BITS:
        if count > 2**length:
            raise ValueError(f"only {2**length} distinct {length}-bit strings exist; asked for {count}")
        codes = rng.choice(2**length, size=count, replace=False)
        shifts = np.arange(length, dtype=np.int64)
        bits = ((codes[:, None] >> shifts) & 1).astype(np.uint8)
    else:
        bits = rng.integers(0, 2, size=(count, length), dtype=np.uint8)
    return bits, solve(bits)


def solve(bits: np.ndarray) -> np.ndarray:
    """Returns the exact answer, ``cumsum(bits) % 2`` along the last axis, as uint8."""
    bits = validate(bits)
    return (np.cumsum(bits, axis=-1, dtype=np.int64) % 2).astype(np.uint8)


def validate(bits: np.ndarray) -> np.ndarray:
    """Checks a batch of bit strings and returns it as a uint8 array.

    Raises:
        TypeError: if ``bits`` is not an integer or boolean numpy array.
        ValueError: if it is not 2-D ``(B, n)`` or holds values other than 0 and 1.
    """
    if not isinstance(bits, np.ndarray):
        raise TypeError(f"prefix sums take a numpy array of bits, got {type(bits).__name__}")
    if bits.dtype != np.bool_ and not np.issubdtype(bits.dtype, np.integer):
        raise TypeError(f"prefix-sum bits must be an integer (uint8) array, got dtype {bits.dtype}")
    if bits.ndim != 2 or bits.shape[1] == 0:
        raise ValueError(f"prefix-sum bits must have shape (B, n) with n >= 1, got {bits.shape}")
    if bits.size and (bits.min() < 0 or bits.max() > 1):
        raise ValueError("prefix-sum bits must be 0 or 1")
    return bits.astype(np.uint8, copy=False)


def save(path: str | Path, bits: np.ndarray) -> None:
    """Writes strings (and their answers, for convenience) to an ``.npz`` file atomically."""
    bits = validate(bits)
    save_arrays(path, inputs=bits, targets=solve(bits))


def load(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Reads ``(inputs, targets)`` written by :func:`save`, checking that the answers are right."""
    arrays = load_arrays(path, ("inputs", "targets"))
    inputs = validate(arrays["inputs"])
    if not np.array_equal(solve(inputs), arrays["targets"]):
        raise ValueError(f"{path}: stored targets are not the prefix sums of the stored inputs")
    return inputs, arrays["targets"].astype(np.uint8)
