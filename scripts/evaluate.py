"""Evaluate a checkpoint: exact-match accuracy at every iteration, per test size, in one streamed pass; or, with
``--env``, the solver as a policy in Gymnasium rollouts. The command is :mod:`trainers.commands.evaluate` (its
docstring shows examples); installed, it is also ``deepthink evaluate``, and ``python -m
trainers.commands.evaluate`` runs it from a checkout.
"""

from trainers.commands.evaluate import main

if __name__ == "__main__":
    main()
