"""Train a thinking network from a named recipe; resumes the run folder if it exists. The command is
:mod:`trainers.commands.train` (its docstring shows examples); installed, it is also ``deepthink train``, and
``python -m trainers.commands.train`` runs it from a checkout.
"""

from trainers.commands.train import main

if __name__ == "__main__":
    main()
