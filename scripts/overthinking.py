"""The overthinking study in one command (the dissertation's Table 5.5 and Figures 5.8 to 5.15). The command is
:mod:`trainers.commands.overthinking` (its docstring shows examples); installed, it is also ``deepthink
overthinking``, and ``python -m trainers.commands.overthinking`` runs it from a checkout.
"""

from trainers.commands.overthinking import main

if __name__ == "__main__":
    main()
