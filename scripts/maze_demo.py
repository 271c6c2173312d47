"""Large mazes: how many iterations a maze solver needs, the wall time and the wrong pixels, per maze. The command
is :mod:`trainers.commands.maze_demo` (its docstring shows examples); installed, it is also ``deepthink
maze-demo``, and ``python -m trainers.commands.maze_demo`` runs it from a checkout.
"""

from trainers.commands.maze_demo import main

if __name__ == "__main__":
    main()
