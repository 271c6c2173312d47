"""One picture of every environment (its ``rgb_array`` render, a little way into an episode) as a PNG.

    python scripts/env_pictures.py                  # docs/envs/<Name>.png, e.g. docs/envs/Chess-v0.png
    python scripts/env_pictures.py --out pictures --seed 3

Each environment is reset with ``--seed`` and played a few steps so the picture shows what an episode looks
like: an answer with a mistake or two for the one-shot puzzles (right in blue, wrong in red), some moves for
the step-wise ones (random legal moves; for SudokuFill-v0 digits of the solution). Files are written atomically.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

import envs  # noqa: E402  (registers the DeepThink/ ids)
from puzzles.storage import atomic_write  # noqa: E402
from trainers.cli import arg, parse_args, run_main  # noqa: E402

#: ``gymnasium.make`` keywords that keep each picture small.
SETTINGS = {
    "DeepThink/PrefixSums-v0": {"size": 64},
    "DeepThink/Maze-v0": {"size": 13},
    "DeepThink/MazeNav-v0": {"size": 13},
    "DeepThink/Sudoku-v0": {"givens": 36},
    "DeepThink/SudokuFill-v0": {"givens": 36},
    "DeepThink/Chess-v0": {},
    "DeepThink/ChessPuzzle-v0": {},
}


@dataclass
class Args:
    """Save one PNG picture of every environment."""

    out: str = arg("docs/envs", "folder for the pictures (<env name>.png)")
    seed: int = arg(0, "seed of each environment's reset and of the moves played")


def play_a_little(env: gym.Env, env_id: str, rng: np.random.Generator) -> None:
    """A few steps of an episode that has just been reset, so the picture has something to show."""
    base = env.unwrapped
    if env_id in ("DeepThink/PrefixSums-v0", "DeepThink/Sudoku-v0"):
        answer = base.solution.copy()
        flat = answer.reshape(-1)
        for index in rng.choice(flat.size, 2, replace=False):
            flat[index] = 1 - flat[index] if env_id.endswith("PrefixSums-v0") else flat[index] % 9 + 1
        env.step(answer)
    elif env_id == "DeepThink/Maze-v0":
        env.step(base.solution)
    elif env_id == "DeepThink/SudokuFill-v0":
        blanks = np.flatnonzero(base.puzzle.reshape(-1) == 0)
        for cell in rng.choice(blanks, 12, replace=False):
            env.step(81 * (int(base.solution.reshape(-1)[cell]) - 1) + int(cell))
    elif env_id in ("DeepThink/MazeNav-v0", "DeepThink/Chess-v0"):
        for _ in range(6 if env_id.endswith("Chess-v0") else 8):
            _, _, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(base.action_masks()))))
            if terminated or truncated:
                break


def env_picture(env_id: str, seed: int = 0) -> np.ndarray:
    """The ``rgb_array`` render of ``env_id`` a few steps after ``reset(seed=seed)``."""
    env = gym.make(env_id, render_mode="rgb_array", **SETTINGS.get(env_id, {}))
    try:
        env.reset(seed=seed)
        play_a_little(env, env_id, np.random.default_rng(seed))
        return env.render()
    finally:
        env.close()


def save_png(path: Path, image: np.ndarray) -> tuple[int, int]:
    """Writes an ``(H, W, 3)`` uint8 picture as a PNG, atomically; a tiny one (the mazes' native pictures)
    is enlarged by a whole factor, each pixel a block, to about 256 pixels. Returns the saved ``(height, width)``."""
    from matplotlib.image import imsave

    scale = max(1, 256 // max(image.shape[:2]))
    image = image.repeat(scale, axis=0).repeat(scale, axis=1)
    atomic_write(path, lambda tmp: imsave(tmp, image, format="png"))
    return image.shape[0], image.shape[1]


def main(argv: list[str] | None = None) -> list[Path]:
    args = parse_args(Args, argv)
    folder = Path(args.out)
    written = []
    for env_id in envs.ENTRY_POINTS:
        path = folder / f"{env_id.split('/')[-1]}.png"
        height, width = save_png(path, env_picture(env_id, args.seed))
        written.append(path)
        print(f"{path}  {width}x{height}")
    return written


if __name__ == "__main__":
    run_main(main)
