"""Play chess against the deep-thinking network in the terminal; it plays stronger the longer it thinks.

    python scripts/play.py --think 200
    python scripts/play.py --color black --fen "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"

Type moves in SAN (e4, Nf3, O-O, e8=Q) or UCI (e2e4, e7e8q); `help` lists the commands (undo, flip, hint,
resign, new, fen, pgn, save FILE.pgn, quit). `--ascii` draws plain letters for terminals whose fonts mangle the
pieces. `--pgn game.pgn` continues a saved game (your colour and the think budget come from the file).
The same as ``deepthink play`` (trainers/play/terminal.py).
"""

from trainers.cli import run_main
from trainers.play.terminal import main

if __name__ == "__main__":
    run_main(main)
