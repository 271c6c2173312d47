"""The suite's command lines, one module each (lczero-training's ``commands/`` layout).

``trainers/commands/<name>.py`` holds the command's arguments (a dataclass parsed by :mod:`trainers.cli`) and a
``main(argv)`` marked with :func:`trainers.cli.command`; the work itself is done by the library it calls. Each
command runs three ways, all the same: ``deepthink <name-with-dashes>`` (installed, :mod:`trainers.console`),
``python scripts/<name>.py`` (a thin script) and ``python -m trainers.commands.<name>`` (a checkout).
"""
