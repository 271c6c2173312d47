"""The replay buffer: the newest positions of finished self-play games, sampled uniformly by the learner.

Positions live in preallocated numpy arrays used as a ring: network inputs (uint8 planes), the legal moves as
action indices padded with -1 to :data:`~trainers.selfplay.actors.MAX_MOVES` (the legal-move mask, stored
sparsely), the search's policy targets over them (float16), the game's result for the side to move, and the
generation whose weights played. It is saved atomically as one ``.npz`` (:func:`puzzles.storage.save_arrays`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from puzzles.storage import load_arrays, save_arrays
from trainers.selfplay.actors import MAX_MOVES, GameSummary, PlayedGame

#: The arrays of a buffer (and of a sampled batch), with their per-position shapes and types.
FIELDS = {
    "planes": ((19, 8, 8), np.uint8),
    "legal": ((MAX_MOVES,), np.int16),
    "targets": ((MAX_MOVES,), np.float16),
    "outcomes": ((), np.float32),
    "generations": ((), np.int32),
}


class ReplayBuffer:
    """The newest ``capacity`` positions (a ring of numpy arrays).

    Args:
        capacity: positions kept.
    """

    def __init__(self, capacity: int) -> None:
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"a replay buffer holds at least one position, got capacity {capacity!r}")
        self.capacity = capacity
        self.arrays = {name: np.zeros((capacity, *shape), dtype=dtype) for name, (shape, dtype) in FIELDS.items()}
        self.size, self.next = 0, 0
        self.added = 0

    def __len__(self) -> int:
        return self.size

    def add(self, arrays: dict[str, np.ndarray]) -> None:
        """Appends positions (one array per :data:`FIELDS` name, equal lengths); the oldest make way."""
        missing = set(FIELDS) - set(arrays)
        if missing:
            raise ValueError(f"positions need the arrays {sorted(FIELDS)}; missing {sorted(missing)}")
        count = len(arrays["outcomes"])
        for name, (shape, _) in FIELDS.items():
            if arrays[name].shape != (count, *shape):
                raise ValueError(f"{name} has shape {arrays[name].shape}, expected {(count, *shape)}")
        keep = min(count, self.capacity)  # more than fit: the newest part
        index = (self.next + np.arange(keep)) % self.capacity
        for name in FIELDS:
            self.arrays[name][index] = arrays[name][count - keep :]
        self.next = int((self.next + keep) % self.capacity)
        self.size = min(self.capacity, self.size + keep)
        self.added += count

    def add_games(self, games: list[PlayedGame]) -> list[GameSummary]:
        """Appends every position of these games; returns the games' summaries (moves and results)."""
        for game in games:
            self.add(
                {
                    "planes": game.planes,
                    "legal": game.legal,
                    "targets": game.targets,
                    "outcomes": game.outcomes,
                    "generations": np.full(game.plies, game.generation, dtype=np.int32),
                }
            )
        return [game.summary() for game in games]

    def sample(self, count: int, seed: list[int]) -> dict[str, np.ndarray]:
        """``count`` positions drawn uniformly with replacement by a generator seeded with ``seed``.

        Raises:
            ValueError: the buffer is empty.
        """
        if self.size == 0:
            raise ValueError("cannot sample an empty replay buffer")
        index = np.random.default_rng(seed).integers(0, self.size, count)
        return {name: array[index] for name, array in self.arrays.items()}

    def state(self) -> dict[str, np.ndarray]:
        """The contents oldest first, and the count of positions ever added."""
        order = np.arange(self.size) if self.size < self.capacity else (self.next + np.arange(self.size)) % self.size
        return {**{name: array[order] for name, array in self.arrays.items()}, "added": np.array(self.added)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Replaces the contents with a :meth:`state` (keeping the newest ``capacity`` positions)."""
        self.size, self.next = 0, 0
        self.add({name: state[name] for name in FIELDS})
        self.added = int(state["added"])

    def stats(self) -> dict[str, float]:
        """Size, positions ever added, and the oldest and newest generation in the buffer."""
        generations = self.arrays["generations"][: self.size]
        return {
            "size": self.size,
            "added": self.added,
            "oldest_generation": int(generations.min()) if self.size else -1,
            "newest_generation": int(generations.max()) if self.size else -1,
        }


def save_buffer(path: str | Path, state: dict[str, np.ndarray]) -> None:
    """Writes a buffer :meth:`~ReplayBuffer.state` atomically."""
    save_arrays(path, **state)


def load_buffer(path: str | Path) -> dict[str, np.ndarray]:
    """Reads a saved buffer state (no pickle).

    Raises:
        FileNotFoundError: no such file.
        ValueError: unreadable, or arrays missing.
    """
    return load_arrays(path, [*FIELDS, "added"])
