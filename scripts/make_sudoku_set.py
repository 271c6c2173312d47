"""Graded Sudoku sets: minimal puzzles (or puzzles with a number of givens) of a grade, or a sample of all grades. The
command is :mod:`trainers.commands.make_sudoku_set` (its docstring shows examples); installed, it is also
``deepthink make-sudoku-set``, and ``python -m trainers.commands.make_sudoku_set`` runs it from a checkout.
"""

from trainers.commands.make_sudoku_set import main

if __name__ == "__main__":
    main()
