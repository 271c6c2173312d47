"""Classical Sudoku solvers timed per puzzle: dancing links (Algorithm X) beside the project's exact search. The
command is :mod:`trainers.commands.bench_sudoku_classical` (its docstring shows examples); installed, it is also
``deepthink bench-sudoku-classical``, and ``python -m trainers.commands.bench_sudoku_classical`` runs it from a
checkout.
"""

from trainers.commands.bench_sudoku_classical import main

if __name__ == "__main__":
    main()
