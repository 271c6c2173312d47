"""Self-play for the chess policy: actors in worker processes (or Ray), a learner that publishes generations, an
evaluator with an Elo table; killed or stopped, the same command resumes it. The command is
:mod:`trainers.commands.selfplay` (its docstring shows examples); installed, it is also ``deepthink selfplay``, and
``python -m trainers.commands.selfplay`` runs it from a checkout.
"""

from trainers.commands.selfplay import main

if __name__ == "__main__":
    main()
