"""Label chess positions at a ladder of Stockfish node budgets (the chess player's iteration-indexed targets). The
command is :mod:`trainers.commands.label_ladder` (its docstring shows examples); installed, it is also ``deepthink
label-ladder``, and ``python -m trainers.commands.label_ladder`` runs it from a checkout.
"""

from trainers.commands.label_ladder import main

if __name__ == "__main__":
    main()
