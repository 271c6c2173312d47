"""Gymnasium environments of the suite, registered under the ``DeepThink/`` namespace.

Importing this package registers every environment id, so ``gymnasium.make`` finds them::

    import gymnasium as gym
    import envs  # noqa: F401  (registers the ids)

    env = gym.make("DeepThink/Chess-v0", opponent="stockfish", agent_color="random")

Each environment documents itself in its class docstring (``help(env.unwrapped)``). Keyword arguments of
``gymnasium.make`` go to the environment's constructor. Attributes such as ``action_masks()`` and ``board``
are reached through wrappers with ``env.unwrapped`` or ``env.get_wrapper_attr(...)`` (Gymnasium 1.x no longer
forwards them).

Registered ids:

- ``DeepThink/PrefixSums-v0``: a bit string's running parity, answered whole (:class:`envs.prefix_sums.PrefixSumsEnv`).
- ``DeepThink/Maze-v0``: a maze's shortest path, answered whole as a mask (:class:`envs.mazes.MazeEnv`).
- ``DeepThink/MazeNav-v0``: walk a maze from start to goal, one move per step (:class:`envs.mazes.MazeNavEnv`).
- ``DeepThink/Sudoku-v0``: a Sudoku, answered whole (:class:`envs.sudoku.SudokuEnv`).
- ``DeepThink/SudokuFill-v0``: a Sudoku filled one digit per step, with masks (:class:`envs.sudoku.SudokuFillEnv`).
- ``DeepThink/Chess-v0``: a full chess game against a random, Stockfish or policy opponent
  (:class:`envs.chess_game.ChessEnv`).
- ``DeepThink/ChessPuzzle-v0``: a chess puzzle's solution line played against its replies, with masks
  (:class:`envs.chess_puzzles.ChessPuzzleEnv`).

Difficulty is a keyword of ``gymnasium.make`` (``size`` in bits or maze size, ``givens`` for Sudoku); each family's
knob and levels are in :mod:`puzzles.families`.
"""

import gymnasium

from puzzles.families import ENVIRONMENTS

#: Entry point of every id, from the family registry (:mod:`puzzles.families`).
ENTRY_POINTS = {environment.id: environment.entry_point for environment in ENVIRONMENTS}
for env_id, entry_point in ENTRY_POINTS.items():
    gymnasium.register(id=env_id, entry_point=entry_point)
