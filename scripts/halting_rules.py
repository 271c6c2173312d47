"""Halting rules replayed on a validation draw: what each (patience, confidence) rule would cost and lose. The
command is :mod:`trainers.commands.halting_rules` (its docstring shows examples); installed, it is also
``deepthink halting-rules``, and ``python -m trainers.commands.halting_rules`` runs it from a checkout.
"""

from trainers.commands.halting_rules import main

if __name__ == "__main__":
    main()
