"""Viewers of thought, apart from the models: :mod:`trainers.viewers.frames` draws one iteration's answer for the
terminal and for images (``deepthink watch``, :mod:`trainers.commands.watch`, plays them)."""
