"""Make the shipped opening file of balanced positions for paired matches. The command is
:mod:`trainers.commands.make_openings` (its docstring shows examples); installed, it is also ``deepthink make-
openings``, and ``python -m trainers.commands.make_openings`` runs it from a checkout.
"""

from trainers.commands.make_openings import main

if __name__ == "__main__":
    main()
