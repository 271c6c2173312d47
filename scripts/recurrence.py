"""Recurrence against depth: feed-forward, soft-sharing and recurrent models of equal depth, and whether soft
sharing becomes a loop. The command is :mod:`trainers.commands.recurrence` (its docstring shows examples);
installed, it is also ``deepthink recurrence``, and ``python -m trainers.commands.recurrence`` runs it from a
checkout.
"""

from trainers.commands.recurrence import main

if __name__ == "__main__":
    main()
