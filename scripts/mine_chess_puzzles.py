"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core. The command is
:mod:`trainers.commands.mine_chess_puzzles` (its docstring shows examples); installed, it is also ``deepthink mine-
chess-puzzles``, and ``python -m trainers.commands.mine_chess_puzzles`` runs it from a checkout.
"""

from trainers.commands.mine_chess_puzzles import main

if __name__ == "__main__":
    main()
