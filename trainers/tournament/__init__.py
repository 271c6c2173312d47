"""Chess tournaments apart from training: players, paired matches, Elo statistics and the commands that rate a policy.

- :mod:`trainers.tournament.players`: the one player interface (``act_batch(boards, think)``, ``act``) and the
  random, Stockfish and policy players, built from spec strings.
- :mod:`trainers.tournament.match`: paired matches that batch every game's board, with their records and PGN.
- :mod:`trainers.tournament.elo`: Elo, pentanomial intervals, SPRT and joint rating fits (numpy only).
- :mod:`trainers.tournament.arena`, :mod:`~trainers.tournament.rate_chess`, :mod:`~trainers.tournament.think_longer`:
  the ``deepthink arena``, ``rate-chess`` and ``think-longer`` commands.
"""
