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
    """Owns one Stockfish process (one search thread, 16 MB hash), optionally weakened; use it as a context
    manager or call :meth:`close`, so the process never outlives its owner.

    Args:
        engine_path: the binary (found with :func:`find_stockfish` by default).
        elo: limit the strength to this ``UCI_Elo`` (Debian's Stockfish 15.1 accepts 1350-2850 only).
        skill: Stockfish's ``Skill Level``, 0 (weakest) to 20.
        names: what the caller calls ``elo`` and ``skill``, for error messages.

    Raises:
        ValueError: a setting outside the engine's range, or ``elo`` together with ``skill``.
        FileNotFoundError: no Stockfish binary.
    """

    def __init__(
        self,
        engine_path: str | None = None,
        elo: int | None = None,
        skill: int | None = None,
        names: tuple[str, str] = ("elo", "skill"),
    ) -> None:
        if elo is not None and skill is not None:
            raise ValueError(
                f"give Stockfish either {names[0]}= or {names[1]}=, not both (UCI_Elo overrides Skill Level)"
            )
        self.engine = chess.engine.SimpleEngine.popen_uci(engine_path or find_stockfish())
        try:
            options: dict[str, object] = {"Threads": 1, "Hash": 16}
            if elo is not None:
                self._check_range("UCI_Elo", elo, names[0])
                options.update({"UCI_LimitStrength": True, "UCI_Elo": elo})
            if skill is not None:
                self._check_range("Skill Level", skill, names[1])
                options["Skill Level"] = skill
            self.engine.configure(options)
        except BaseException:
            self.engine.quit()
            raise

    def _check_range(self, option: str, value: int, key: str) -> None:
        spec = self.engine.options.get(option)
        if spec is None:
            raise ValueError(f"this Stockfish ({self.engine.id.get('name')}) has no {option} option")
        if not spec.min <= value <= spec.max:
            raise ValueError(
                f"stockfish {key}={value} is outside {self.engine.id.get('name', 'Stockfish')}'s {option} range "
                f"[{spec.min}, {spec.max}]; for a weaker player use Skill Level or a smaller node limit"
            )

    def close(self) -> None:
        """Ends the engine process."""
        self.engine.quit()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
