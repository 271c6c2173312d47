"""Train the chess player on ladder-labelled positions so that its iterations count; resumes the run folder. The
command is :mod:`trainers.commands.train_chess_ladder` (its docstring shows examples); installed, it is also
``deepthink train-chess-ladder``, and ``python -m trainers.commands.train_chess_ladder`` runs it from a checkout.
"""

from trainers.commands.train_chess_ladder import main

if __name__ == "__main__":
    main()
