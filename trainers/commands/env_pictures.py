"""One picture of every environment (its ``rgb_array`` render, a little way into an episode) as a PNG.

    python scripts/env_pictures.py                  # docs/envs/<Name>.png, e.g. docs/envs/Chess-v0.png
    python scripts/env_pictures.py --out pictures --seed 3

Each environment is reset with ``--seed`` and played a few steps so the picture shows what an episode looks
like: an answer with a mistake or two for the one-shot puzzles (right in blue, wrong in red), some moves for
the step-wise ones (random legal moves; for SudokuFill-v0 digits of the solution), each environment made with its
small picture settings (:attr:`puzzles.families.Environment.picture_kwargs`). Files are written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

import envs  # noqa: F401  (registers the DeepThink/ ids)
from puzzles.families import ENVIRONMENTS, get_environment
from puzzles.storage import atomic_write
from trainers.cli import arg, command, parse_args


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
    env = gym.make(env_id, render_mode="rgb_array", **get_environment(env_id).picture_kwargs)
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


@command()
def main(argv: list[str] | None = None) -> list[Path]:
    args = parse_args(Args, argv)
    folder = Path(args.out)
    written = []
    for environment in ENVIRONMENTS:
        path = folder / f"{environment.id.split('/')[-1]}.png"
        height, width = save_png(path, env_picture(environment.id, args.seed))
        written.append(path)
        print(f"{path}  {width}x{height}")
    return written


if __name__ == "__main__":
    main()
