"""The family registry: every name it holds resolves, its readers agree with it, and it stays free of torch."""

import subprocess
import sys
from dataclasses import replace

import gymnasium as gym
import pytest

import envs
from agents.problems import PROBLEMS
from puzzles.families import (
    ENVIRONMENTS,
    FAMILIES,
    Environment,
    _registry,
    family_of_env,
    get_environment,
    get_family,
    resolve,
)
from tests.helpers import ROOT
from trainers.recipes import RECIPES


def test_every_name_resolves():
    for family in FAMILIES.values():
        assert callable(resolve(family.generator)), family.name
        assert all(encoding in PROBLEMS for encoding in family.encodings), family.name
        for environment in family.environments:
            assert isinstance(resolve(environment.entry_point), type), environment.id
            assert gym.spec(environment.id).entry_point == environment.entry_point


def test_the_shipped_recipes_train_at_their_familys_level():
    for family in FAMILIES.values():
        if family.recipe is not None:
            recipe = RECIPES[family.recipe]
            assert (recipe.problem, recipe.train_difficulty) == (family.name, family.train_level)


def test_the_baselines_name_extractors_that_exist():
    from trainers.sb3_baselines import ALGOS, extractors

    for family in FAMILIES.values():
        if family.baseline is not None:
            assert set(family.baseline.algos) <= set(ALGOS)
            assert all(hasattr(extractors, name) for name in family.baseline.extractors.values())


def test_envs_registers_every_environment_of_the_registry():
    assert list(envs.ENTRY_POINTS) == [environment.id for environment in ENVIRONMENTS]


def test_levels_become_make_keywords():
    mazes, chess = FAMILIES["mazes"], FAMILIES["chess_puzzles"]
    assert mazes.levels == (9, 13, 19, 33) and mazes.level_kwargs(13) == {"size": 13}
    assert chess.level_kwargs(2) == {"split": "held_out", "difficulty": (2, 2)}
    assert chess.level_kwargs((1, 3)) == {"split": "held_out", "difficulty": (1, 3)}
    assert chess.train_kwargs(1) == {"split": "training", "difficulty": (1, 1)}
    assert FAMILIES["prefix_sums"].train_kwargs(8) == {"partial_credit": True, "size": 8}
    with pytest.raises(ValueError, match="no difficulty levels"):
        FAMILIES["chess"].level_kwargs(1)


def test_lookups_name_what_is_known():
    assert family_of_env("DeepThink/Maze-v0") is FAMILIES["mazes"]
    assert get_environment("DeepThink/Chess-v0").entry_point == "envs.chess_game:ChessEnv"
    with pytest.raises(ValueError, match="unknown environment 'DeepThink/Go-v0'; known: .*MazeNav-v0"):
        family_of_env("DeepThink/Go-v0")
    with pytest.raises(ValueError, match="unknown family 'maze'; known: .*mazes"):
        get_family("maze")
    with pytest.raises(ValueError, match="not 'module:attribute'"):
        resolve("puzzles.mazes")


def test_duplicates_are_refused():
    mazes = FAMILIES["mazes"]
    with pytest.raises(ValueError, match="two families are called 'mazes'"):
        _registry((mazes, mazes))
    twin = replace(FAMILIES["sudoku"], environments=(Environment("DeepThink/Maze-v0", "envs.mazes:MazeEnv"),))
    with pytest.raises(ValueError, match="DeepThink/Maze-v0 is registered twice"):
        _registry((mazes, replace(twin, policy_env=None)))
    with pytest.raises(ValueError, match="not one of its own"):
        _registry((replace(mazes, policy_env="DeepThink/Sudoku-v0"),))


def test_the_registry_and_the_envs_import_no_torch():
    code = "import sys, envs, puzzles.families; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("name", ["prefix_sums", "mazes", "sudoku"])
def test_every_generator_returns_puzzles_and_answers_that_the_solver_takes(name):
    """One generate signature and return shape: ``generate(count, level, rng)`` with a seed or a Generator gives
    ``(puzzles, answers)``, and the family's solver answers the puzzles in the answers' shape."""
    import numpy as np

    from agents import load_solver

    family = FAMILIES[name]
    generate = resolve(family.generator)
    puzzles, answers = generate(2, family.train_level, rng=3)
    again, _ = generate(2, family.train_level, rng=np.random.default_rng(3))
    assert np.array_equal(puzzles, again) and len(puzzles) == len(answers) == 2
    assert load_solver(family.checkpoint).solve(puzzles, think=2).shape == answers.shape
