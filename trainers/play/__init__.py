"""Playing the chess policy, apart from the networks: the terminal game and the UCI engine.

- :mod:`trainers.play.parser`: moves as people type them (SAN, UCI), the start position, the colour.
- :mod:`trainers.play.agent`: what the game asks of a policy (its ``analyse``) and keeps of each network move.
- :mod:`trainers.play.session`: one game driven by typed lines, no I/O.
- :mod:`trainers.play.board_view`: the board as a rich renderable.
- :mod:`trainers.play.terminal`: the loop on a terminal and ``deepthink play``.
- :mod:`trainers.play.pgn`: games saved as PGN with the network's evaluations, and continued.
- :mod:`trainers.play.uci_limits` and :mod:`trainers.play.uci`: the UCI engine (``deepthink uci``).
"""
