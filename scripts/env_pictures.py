"""One picture of every environment (its ``rgb_array`` render, a little way into an episode) as a PNG. The command is
:mod:`trainers.commands.env_pictures` (its docstring shows examples); installed, it is also ``deepthink env-
pictures``, and ``python -m trainers.commands.env_pictures`` runs it from a checkout.
"""

from trainers.commands.env_pictures import main

if __name__ == "__main__":
    main()
