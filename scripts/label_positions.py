"""Label chess positions with Stockfish for the policy's warm start, resumably, on every core. The command is
:mod:`trainers.commands.label_positions` (its docstring shows examples); installed, it is also ``deepthink label-
positions``, and ``python -m trainers.commands.label_positions`` runs it from a checkout.
"""

from trainers.commands.label_positions import main

if __name__ == "__main__":
    main()
