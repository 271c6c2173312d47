"""Stockfish, found wherever it is installed, and one process of it owned by an object (python-chess UCI, or a
bare pipe for the miner's hot loop)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import chess
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


#: A mate's score in :meth:`UciSearch.lines` (python-chess's ``mate_score``): nearer mates score higher.
MATE_SCORE = 100_000


#: One line of a search: (score for the side to move, the line's first move or None).
Line = tuple[int, chess.Move | None]


def _mate_score(moves: int) -> int:
    return MATE_SCORE - moves if moves > 0 else -MATE_SCORE - moves


class UciSearch:
    """A bare UCI pipe to one Stockfish process for hot loops that need only scores and first moves.

    python-chess parses every ``info`` line into boards and moves on an event-loop thread: 3.2 ms of Python CPU
    per 1,500-node search against 0.7 ms through this pipe (``python scripts/bench.py --checkpoint ''
    --miner-searches 500``). The searches are the same: the position goes with its move history, as
    python-chess sends it, so a search here and through :class:`StockfishProcess` agree.

    Args:
        engine_path: the binary (found with :func:`find_stockfish` by default).
    """

    def __init__(self, engine_path: str | None = None) -> None:
        self.process = subprocess.Popen(
            [engine_path or find_stockfish()], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self._multipv = 1
        self._send("uci", "setoption name Threads value 1", "setoption name Hash value 16", "isready")
        self._read_until("readyok")

    def _send(self, *lines: str) -> None:
        self.process.stdin.write("".join(line + "\n" for line in lines))
        self.process.stdin.flush()

    def _read_until(self, prefix: str) -> list[str]:
        lines = []
        for line in self.process.stdout:
            if line.startswith(prefix):
                return lines
            lines.append(line)
        raise RuntimeError(f"Stockfish ended before answering {prefix!r}")

    def clear_hash(self) -> None:
        """Forgets earlier searches (a search then depends on its position alone)."""
        self._send("setoption name Clear Hash")

    def lines(self, board: chess.Board, nodes: int, multipv: int = 1) -> list[Line]:
        """The engine's best ``multipv`` lines after a ``nodes`` search, best first, each as (score for the side
        to move in centipawns, a mate in n as ``MATE_SCORE - n`` or ``n - MATE_SCORE``; the line's first move
        or None)."""
        if multipv != self._multipv:
            self._send(f"setoption name MultiPV value {multipv}")
            self._multipv = multipv
        root, moves = board.root(), " ".join(move.uci() for move in board.move_stack)
        start = "startpos" if root.fen() == chess.STARTING_FEN else "fen " + root.fen()
        self._send(f"position {start}" + (f" moves {moves}" if moves else ""), f"go nodes {nodes}")
        found: dict[int, list] = {}
        for line in self._read_until("bestmove"):
            words = line.split()
            if not words or words[0] != "info" or "string" in words or "score" not in words and "pv" not in words:
                continue
            index = int(words[words.index("multipv") + 1]) if "multipv" in words else 1
            entry = found.setdefault(index, [None, None])
            if "score" in words:  # as python-chess reads it: a later line updates what it carries
                kind, value = words[words.index("score") + 1 : words.index("score") + 3]
                entry[0] = int(value) if kind == "cp" else _mate_score(int(value))
            if "pv" in words:
                entry[1] = chess.Move.from_uci(words[words.index("pv") + 1])
        return [tuple(found[i]) for i in sorted(found) if found[i][0] is not None]

    def close(self) -> None:
        """Ends the engine process."""
        if self.process.poll() is None:
            self._send("quit")
            self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
