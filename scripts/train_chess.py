"""Warm-start the chess policy on Stockfish-labelled positions; resumes the run folder if it exists. The command is
:mod:`trainers.commands.train_chess` (its docstring shows examples); installed, it is also ``deepthink train-
chess``, and ``python -m trainers.commands.train_chess`` runs it from a checkout.
"""

from trainers.commands.train_chess import main

if __name__ == "__main__":
    main()
