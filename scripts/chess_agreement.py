"""How a chess policy's moves agree with Stockfish's labels as it thinks longer, on held-out labelled games, and on
held-out mined puzzles by difficulty (does the player think longer where tactics are deeper?). The command is
:mod:`trainers.commands.chess_agreement` (its docstring shows examples); installed, it is also ``deepthink chess-
agreement``, and ``python -m trainers.commands.chess_agreement`` runs it from a checkout.
"""

from trainers.commands.chess_agreement import main

if __name__ == "__main__":
    main()
