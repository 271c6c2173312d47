"""Put absolute numbers on the chess policy: games against a random mover and a ladder of Stockfish node limits.

    python scripts/rate_chess.py --checkpoint chess --think 200 --random-games 100 \
        --ladder stockfish:nodes=1:random=0.5 stockfish:nodes=1 stockfish:nodes=10 --pairs 25

Prints a table, writes ``<out>/chess_strength.json``; ``--update-card`` records it in the model card.
The same as ``deepthink rate-chess`` (trainers/tournament/rate_chess.py).
"""

from trainers.cli import run_main
from trainers.tournament.rate_chess import main

if __name__ == "__main__":
    run_main(main)
