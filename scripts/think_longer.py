"""The think-longer curve: the chess policy at several budgets against its training regime, in Elo.

    python scripts/think_longer.py --checkpoint chess --thinks 1 2 4 16 32 64 200 --reference 8 --pairs 100

Writes ``<out>/think_longer.json`` (every match's statistics and the jointly fitted ratings) and
``<out>/think_longer.png``; ``--update-card`` records the result in the checkpoint's model card.
The same as ``deepthink think-longer`` (trainers/tournament/think_longer.py).
"""

from trainers.cli import run_main
from trainers.tournament.think_longer import main

if __name__ == "__main__":
    run_main(main)
