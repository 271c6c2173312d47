"""Watch a solver think: one fresh puzzle, its answer redrawn in the terminal after every iteration. The command is
:mod:`trainers.commands.watch` (its docstring shows examples); installed, it is also ``deepthink watch``, and
``python -m trainers.commands.watch`` runs it from a checkout.
"""

from trainers.commands.watch import main

if __name__ == "__main__":
    main()
