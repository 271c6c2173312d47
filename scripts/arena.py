"""Play a paired chess match between two players and report Elo, its 95 % interval, LOS and optionally an SPRT.

    python scripts/arena.py --a policy:chess:think=8 --b policy:chess:think=4 --pairs 50 --sprt 0 20
    python scripts/arena.py --a stockfish:nodes=200 --b random --openings start --pairs 2

The same as ``deepthink arena`` (trainers/tournament/arena.py).
"""

from trainers.cli import run_main
from trainers.tournament.arena import main

if __name__ == "__main__":
    run_main(main)
