"""Train a Stable-Baselines3 baseline on an easy puzzle level, then evaluate it at harder levels. The command is
:mod:`trainers.commands.train_sb3` (its docstring shows examples); installed, it is also ``deepthink train-sb3``,
and ``python -m trainers.commands.train_sb3`` runs it from a checkout.
"""

from trainers.commands.train_sb3 import main

if __name__ == "__main__":
    main()
