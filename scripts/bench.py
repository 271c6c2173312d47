"""Benchmark: our trainer and inference against a straightforward eager implementation, each solver against the
classical algorithm, the Sudoku generator and the chess miner's searches. The command is
:mod:`trainers.commands.bench` (its docstring shows examples); installed, it is also ``deepthink bench``, and
``python -m trainers.commands.bench`` runs it from a checkout.
"""

from trainers.commands.bench import main

if __name__ == "__main__":
    main()
