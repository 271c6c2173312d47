"""Helpers shared by the tests."""

import os
from pathlib import Path

import chess

from puzzles.chess_puzzles import LICHESS_COLUMNS, held_out_split

ROOT = Path(__file__).resolve().parent.parent


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that runs ``scripts/<name>.py``: this checkout's packages first on
    ``PYTHONPATH`` (a script imports the library and edits no ``sys.path``; the suite need not be installed)."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


# ------------------------------------------------------------------------------------- a hand-made puzzle set
# (FEN before the opponent's move, Moves, difficulty, held-out split or None for training). Rows 0-11 alternate:
# even rows are solved by White, odd rows by Black.
CHESS_PUZZLES = [
    ("r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR b KQkq - 3 3", "g8f6 h5f7", 1, "test"),  # Qxf7#
    ("rnbqkbnr/pppp1ppp/8/4p3/8/5P2/PPPPP1PP/RNBQKBNR w KQkq - 0 2", "g2g4 d8h4", 1, "test"),  # Qh4#
    ("6k1/5ppp/8/8/8/8/5PPP/R5K1 b - - 0 1", "g8h8 a1a8", 1, None),  # back-rank Ra8#
    ("r5k1/5ppp/8/8/8/8/5PPP/6K1 w - - 0 1", "g1h1 a8a1", 1, None),  # back-rank Ra1#
    ("4k3/q7/8/8/8/5N2/8/4K3 b - - 0 1", "a7d4 f3d4", 1, None),  # the queen hangs to a knight
    ("4k3/8/2n5/8/8/8/8/Q3K3 w - - 0 1", "a1d4 c6d4", 1, None),
    ("8/4P3/8/8/8/k7/8/K7 b - - 0 1", "a3b3 e7e8q", 2, "test"),  # promote
    ("k7/8/8/8/8/8/4p3/7K w - - 0 1", "h1g1 e2e1q", 2, "test"),
    ("k7/8/1K6/8/8/8/7R/6R1 b - - 0 1", "a8b8 g1g8", 2, None),  # Rg8#
    ("8/8/8/8/8/5k2/P3q3/7K w - - 0 1", "a2a3 e2g2", 2, None),  # Qg2#
    ("3qk3/8/8/8/8/8/8/3RK3 b - - 0 1", "d8d4 d1d4", 2, None),  # the queen hangs to a rook
    ("4k3/8/8/8/2b5/8/8/3QK3 w - - 0 1", "d1e2 c4e2", 2, None),  # ... to a bishop
    ("4k3/8/8/8/3q4/8/8/3RK3 b - - 0 1", "e8e7 d1d4", 1, "validation"),  # the queen hangs to a rook
    ("4k3/8/8/8/8/2n5/8/2Q1K3 b - - 0 1", "e8d7 c1c3", 2, "validation"),  # the knight hangs to a queen
]


def chess_puzzle_ids() -> list[str]:
    """Ids that land each puzzle of :data:`CHESS_PUZZLES` in the share the table asks for."""
    names = (f"p{n}" for n in range(10_000))
    pools = {split: [] for split in ("validation", "test", None)}
    for name in names:
        pools[held_out_split(name)].append(name)
    return [pools[split].pop(0) for *_, split in CHESS_PUZZLES]


def solved_chess_puzzles() -> list[dict]:
    """Each puzzle as a solver sees it (the position after Moves[0]), its line checked legal here."""
    rows = []
    for puzzle_id, (fen, moves, difficulty, split) in zip(chess_puzzle_ids(), CHESS_PUZZLES, strict=True):
        board = chess.Board(fen)
        assert board.is_valid()
        first, best = (chess.Move.from_uci(m) for m in moves.split())
        assert board.is_legal(first)
        board.push(first)
        assert board.is_legal(best)
        held = split is not None
        row = {"id": puzzle_id, "fen": board.fen(), "move": best.uci(), "difficulty": difficulty, "held": held}
        rows.append({**row, "split": split})
    return rows


def _mates(fen: str, move: str) -> bool:
    board = chess.Board(fen)
    board.push_uci(move)
    return board.is_checkmate()


def write_chess_puzzles(path: Path) -> Path:
    """:data:`CHESS_PUZZLES` as a Lichess-format CSV at ``path``, the mates themed ``mateIn1``."""
    ids, solved = chess_puzzle_ids(), solved_chess_puzzles()
    themes = ["mateIn1" if _mates(row["fen"], row["move"]) else "" for row in solved]
    rows = [
        f"{i},{fen},{moves},{d},,,,{theme},,\n"
        for i, (fen, moves, d, _), theme in zip(ids, CHESS_PUZZLES, themes, strict=True)
    ]
    path.write_text(",".join(LICHESS_COLUMNS) + "\n" + "".join(rows))
    return path


def train_tiny_chess_solver(folder: Path, recipe: str = "chess_puzzles", **overrides) -> tuple[Path, dict]:
    """A tiny ``chess_puzzles`` run (seconds) on the puzzle set ``$DEEPTHINK_CHESS_PUZZLES`` names: its best
    checkpoint (for ``load_solver``) and the trainer's progress."""
    from trainers.recipes import get_recipe
    from trainers.supervised import Trainer

    config = get_recipe(
        recipe,
        network={"width": 8, "blocks": 1},
        train_difficulty=2,
        dataset_size=20,
        epochs=2,
        batch_size=8,
        warmup_steps=2,
        lr_decay_epochs=[],
        max_iters=3,
        **overrides,
    )
    progress = Trainer(config, folder, progress=False).run()
    return folder / "best", progress
