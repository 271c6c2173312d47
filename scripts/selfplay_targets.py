"""Compare policy-target sources for self-play against a deep Stockfish search on the same positions. The command is
:mod:`trainers.commands.selfplay_targets` (its docstring shows examples); installed, it is also ``deepthink
selfplay-targets``, and ``python -m trainers.commands.selfplay_targets`` runs it from a checkout.
"""

from trainers.commands.selfplay_targets import main

if __name__ == "__main__":
    main()
