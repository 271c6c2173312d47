"""The README's environment table in one command: each family's shipped solver as a policy, at its training level and
harder ones, beside Stable-Baselines3 baselines trained at the easy level (``scripts/train_sb3.py``). The command is
:mod:`trainers.commands.env_table` (its docstring shows examples); installed, it is also ``deepthink env-table``,
and ``python -m trainers.commands.env_table`` runs it from a checkout.
"""

from trainers.commands.env_table import main

if __name__ == "__main__":
    main()
