"""The built wheel works outside the checkout: installed into a fresh virtual environment and run from an empty
directory, it loads every shipped model, solves with each and plays a UCI game against Stockfish to the end.

Slow (a wheel build and a virtual environment each): run with ``python -m pytest -m slow -o addopts=''``. The
"lowest" case installs the dependencies' lowest allowed versions from PyPI first (torch aside: the machine's CPU
wheel stands in for every torch, since PyPI's other builds are multi-GB CUDA downloads).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STOCKFISH = shutil.which("stockfish") or "/usr/games/stockfish"

# Runs inside the wheel's environment, from an empty directory.
CHECK = """
import sys
from pathlib import Path

import chess
import chess.engine
import numpy as np

import agents
from agents import load_policy, load_solver
from agents.checkpoint import SHIPPED_DIR
from puzzles import mazes, prefix_sums, sudoku

assert "site-packages" in agents.__file__, agents.__file__  # the wheel's copy, not the checkout
names = sorted(p.stem for p in SHIPPED_DIR.glob("*.safetensors"))
assert {"prefix_sums", "mazes", "sudoku", "chess", "chess_puzzles"} <= set(names), names
bits = prefix_sums.generate(4, 16, rng=0)
assert (load_solver("prefix_sums").solve(bits, think=30).shape == bits.shape)
images, paths = mazes.generate(2, 9, rng=0)
assert load_solver("mazes").solve(images, think=30).shape == paths.shape
assert load_solver("mazes_progressive").solve(images, think=30).shape == paths.shape
grids, _ = sudoku.generate(2, 40, rng=0)
assert load_solver("sudoku").solve(grids, think=10).shape == grids.shape
fens = [chess.Board().fen()]
assert len(load_solver("chess_puzzles").solve(fens, think=4)) == 1
assert load_policy("chess").act(chess.Board(), think=2) in chess.Board().legal_moves

board = chess.Board()
# Generous start-up time: the engine imports torch and loads its weights before it answers "uci".
ours = chess.engine.SimpleEngine.popen_uci([str(Path(sys.executable).parent / "deepthink"), "uci"], timeout=300)
stockfish = chess.engine.SimpleEngine.popen_uci(sys.argv[1], timeout=300)
try:
    ours.configure({"Think": 1})
    while not board.is_game_over(claim_draw=True):
        engine, limit = (ours, chess.engine.Limit(nodes=1)) if board.turn else (stockfish, chess.engine.Limit(nodes=1))
        board.push(engine.play(board, limit).move)
finally:
    ours.quit()
    stockfish.quit()
print("game over:", board.result(claim_draw=True), "after", board.ply(), "plies")
"""


def lowest_versions() -> list[str]:
    """``name==low`` for each dependency in pyproject that states a lower bound (torch left to the machine)."""
    requirements = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = []
    for requirement in requirements:
        name, _, rest = requirement.partition(">=")
        if rest and name != "torch":
            pins.append(f"{name}=={rest.split(',')[0]}")
    return pins


@pytest.mark.slow
@pytest.mark.parametrize("versions", ["installed", "lowest"])
def test_wheel_from_any_directory(tmp_path: Path, versions: str) -> None:
    if not Path(STOCKFISH).exists():
        pytest.skip("Stockfish is not installed (apt-get install stockfish)")
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(wheels)]
    subprocess.run(build, check=True, capture_output=True)
    (wheel,) = wheels.glob("*.whl")
    venv = tmp_path / "venv"
    # The machine's packages stay visible (torch above all); the wheel's own files come first on sys.path.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    if versions == "lowest":
        subprocess.run(pip + lowest_versions(), check=True, capture_output=True)
    subprocess.run(pip + ["--no-deps", str(wheel)], check=True, capture_output=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", CHECK, STOCKFISH], cwd=empty, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "game over:" in result.stdout
