"""Self-play games per minute with 1 and 2 worker processes and 2 Ray actors, side by side (run on idle cores). The
command is :mod:`trainers.commands.selfplay_bench` (its docstring shows examples); installed, it is also ``deepthink
selfplay-bench``, and ``python -m trainers.commands.selfplay_bench`` runs it from a checkout.
"""

from trainers.commands.selfplay_bench import main

if __name__ == "__main__":
    main()
