"""Check training and solving on a GPU against the CPU, with a PASS/FAIL line. The command is
:mod:`trainers.commands.check_device` (its docstring shows examples); installed, it is also ``deepthink check-device``.
"""

from trainers.commands.check_device import main

if __name__ == "__main__":
    main()
