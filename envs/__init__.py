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

- ``DeepThink/Chess-v0``: a full chess game against a random, Stockfish or policy opponent
  (:class:`envs.chess_game.ChessEnv`).

The other puzzle families' environments follow their issues.
"""

import gymnasium

gymnasium.register(id="DeepThink/Chess-v0", entry_point="envs.chess_game:ChessEnv")
