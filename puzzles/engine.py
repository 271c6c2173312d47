"""Stockfish, found wherever it is installed, and one process of it owned by an object (python-chess UCI)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import chess.engine


def find_stockfish() -> str:
    """The Stockfish binary: on PATH, or where Debian's package puts it (``dpkg -L stockfish``).

    Raises:
        FileNotFoundError: with the command that installs it.
    """
    found = shutil.which("stockfish")
    if found:
        return found
    for candidate in ("/usr/games/stockfish", "/usr/bin/stockfish"):
        if Path(candidate).is_file():
            return candidate
    try:
        listing = subprocess.run(["dpkg", "-L", "stockfish"], capture_output=True, text=True, check=False).stdout
        for line in listing.splitlines():
            if line.endswith("/stockfish") and Path(line).is_file():
                return line
    except OSError:
        pass
    raise FileNotFoundError("Stockfish not found; install it with: apt-get install stockfish")


class StockfishProcess:
    """Owns one Stockfish process (one search thread, 16 MB hash); use it as a context manager or call
    :meth:`close`, so the process never outlives its owner.

    Args:
        engine_path: the binary (found with :func:`find_stockfish` by default).
    """

    def __init__(self, engine_path: str | None = None) -> None:
        self.engine = chess.engine.SimpleEngine.popen_uci(engine_path or find_stockfish())
        try:
            self.engine.configure({"Threads": 1, "Hash": 16})
        except BaseException:
            self.engine.quit()
            raise

    def close(self) -> None:
        """Ends the engine process."""
        self.engine.quit()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
