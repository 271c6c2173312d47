"""Mine chess puzzles offline with Stockfish into the Lichess CSV format, resumably, on every core: from seeded
engine games with random mistakes (the shipped set), from balanced openings with plausible mistakes
(``--openings``, ``--mistakes plausible``), or from every position of recorded games (``--pgn``). The command is
:mod:`trainers.commands.mine_chess_puzzles` (its docstring shows examples); installed, it is also ``deepthink mine-
chess-puzzles``, and ``python -m trainers.commands.mine_chess_puzzles`` runs it from a checkout.
"""

from trainers.commands.mine_chess_puzzles import main

if __name__ == "__main__":
    main()
