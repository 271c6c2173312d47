"""Atomic, pickle-free storage of named numpy arrays (``.npz``) and JSON documents."""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Calls ``write(tmp)`` on a temporary file beside ``path``, then renames it over ``path``.

    A crash mid-write leaves the old file intact, never a half-written one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_arrays(path: str | Path, **arrays: np.ndarray) -> None:
    """Writes arrays to a compressed ``.npz`` file atomically."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    atomic_write(path, write)


def load_arrays(path: str | Path, names: Iterable[str]) -> dict[str, np.ndarray]:
    """Reads the named arrays from an ``.npz`` file without unpickling anything.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if it is not a readable ``.npz`` file or lacks one of ``names``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such data file: {path}")
    names = list(names)
    try:
        with np.load(path, allow_pickle=False) as data:
            found = {name: data[name] for name in names if name in data.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
        raise ValueError(f"{path}: not a readable .npz data file ({error})") from error
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"{path}: missing arrays {missing}")
    return found


def save_json(path: str | Path, document: Any) -> None:
    """Writes a JSON document atomically, pretty-printed."""
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))
