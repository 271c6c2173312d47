"""The family registry: one record per puzzle family, naming everything the suite builds for it.

Each fact about a family lives here once: its generator and network encodings, its difficulty knob with the
training level and the harder test levels, its Gymnasium environments, its shipped checkpoint and recipe, and
the settings of its Stable-Baselines3 baseline. The readers:

- ``envs/__init__.py`` registers every :class:`Environment` id;
- ``trainers/recipes.py`` trains each shipped recipe at its family's :attr:`Family.train_level`;
- ``trainers/sb3_baselines`` builds its baselines from :attr:`Family.baseline`;
- ``deepthink evaluate --env`` and ``deepthink env-table`` set levels with :meth:`Family.level_kwargs`;
- ``deepthink env-pictures`` makes each environment at its :attr:`Environment.picture_kwargs`.

The records are data only: names, numbers and ``"module:attribute"`` strings. So ``puzzles`` stays free of
torch and of the packages that read it; a reader resolves the names it needs with :func:`resolve` (Gymnasium
resolves the entry points itself). ``tests/test_families.py`` resolves every name, so a typo fails there, not
at the first ``gym.make``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Environment:
    """One Gymnasium environment of a family (the part of Gymnasium's ``EnvSpec`` the suite uses).

    Attributes:
        id: the registered id, ``DeepThink/<Name>-v<version>``.
        entry_point: ``"module:Class"`` of the environment.
        picture_kwargs: ``gymnasium.make`` keywords that keep its picture in ``docs/envs/`` small.
    """

    id: str
    entry_point: str
    picture_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Baseline:
    """The Stable-Baselines3 baseline of a family, trained at the family's training level in its policy
    environment (:attr:`Family.policy_env`) and evaluated, unchanged, at harder levels.

    Attributes:
        eval_levels: the levels evaluated at by default, easy to hard (fewer than the family's levels where an
            evaluation costs more than the training).
        algos: the algorithms that fit (``"ppo"``, ``"maskable_ppo"``).
        extractors: the features extractors by command-line name, as class names of
            ``trainers.sb3_baselines.extractors``.
        policy_kwargs: further SB3 policy keywords (e.g. ``net_arch``).
        train_env_kwargs: further ``gymnasium.make`` keywords of the training environments (partial credit,
            or the chess puzzles' training split); evaluation uses the family's test keywords.
    """

    eval_levels: tuple[int, ...]
    algos: tuple[str, ...]
    extractors: dict[str, str]
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    train_env_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    """One puzzle family (or full chess games): what generates it, how a network reads it, how hard it gets.

    Attributes:
        name: the family's name, that of its problem in ``agents.problems``.
        title: the name as tables print it (``--families`` of the env table takes it).
        generator: ``"module:function"`` that makes instances in the native format (for chess puzzles and games:
            reads the mined set, or the openings).
        encodings: the ``agents.problems.get_problem`` names that encode it for a network.
        checkpoint: the shipped checkpoint's name (``None``: none shipped).
        recipe: the ``trainers.recipes`` recipe that trained the shipped checkpoint (``None``: another trainer).
        knob: the difficulty keyword of its environments and the size argument of its generator
            (``None``: no difficulty levels).
        ranged: the knob takes an inclusive ``(low, high)`` range; level ``d`` means ``(d, d)``.
        train_level: the easy level trained at.
        test_levels: the harder levels a trained model is tested at, easy to hard.
        test_env_kwargs: further ``gymnasium.make`` keywords of every test environment (the chess puzzles'
            held-out split, which training never sees).
        environments: its Gymnasium environments.
        policy_env: the environment its solver (and baseline) plays as a policy in the env table.
        baseline: its Stable-Baselines3 baseline, if it has one.
    """

    name: str
    title: str
    generator: str
    encodings: tuple[str, ...]
    checkpoint: str | None
    recipe: str | None
    knob: str | None
    train_level: int | None
    test_levels: tuple[int, ...]
    environments: tuple[Environment, ...]
    policy_env: str | None = None
    ranged: bool = False
    test_env_kwargs: dict[str, Any] = field(default_factory=dict)
    baseline: Baseline | None = None

    @property
    def levels(self) -> tuple[Any, ...]:
        """The training level, then the test levels."""
        return () if self.train_level is None else (self.train_level, *self.test_levels)

    def difficulty(self, level: Any) -> dict[str, Any]:
        """The knob's ``gymnasium.make`` keyword for ``level`` (a ``(low, high)`` pair stays one)."""
        if self.knob is None:
            raise ValueError(f"the {self.title} environments have no difficulty levels")
        if self.ranged and not isinstance(level, (tuple, list)):
            level = (level, level)
        return {self.knob: level}

    def level_kwargs(self, level: Any) -> dict[str, Any]:
        """The ``gymnasium.make`` keywords of a test environment at ``level``."""
        return {**self.test_env_kwargs, **self.difficulty(level)}

    def train_kwargs(self, level: Any) -> dict[str, Any]:
        """The ``gymnasium.make`` keywords of the baseline's training environments at ``level``."""
        extra = self.baseline.train_env_kwargs if self.baseline else {}
        return {**extra, **self.difficulty(level)}


def _puzzle_family(name: str, title: str, **settings: Any) -> Family:
    """A family whose shipped checkpoint and recipe share its name."""
    return Family(name=name, title=title, checkpoint=name, recipe=name, **settings)


_CNN_HEAD = {"net_arch": {"pi": [], "vf": [64]}}  # the action logits read the extractor's features directly

# Sudoku's 729 action logits read the 81 cells' features directly (no hidden policy layer, which would squeeze
# them through 64 units). Prefix sums train with partial credit: an exact 32-bit answer is a 2^-32 chance for a
# random policy, so an exact-match reward would stay 0. Chess puzzles train on the training share of the set
# and are tested on the held-out share, as the solver is.
_FAMILIES = (
    _puzzle_family(
        "prefix_sums",
        "prefix sums",
        generator="puzzles.prefix_sums:generate",
        encodings=("prefix_sums",),
        knob="size",
        train_level=32,
        test_levels=(64, 128, 512),
        environments=(Environment("DeepThink/PrefixSums-v0", "envs.prefix_sums:PrefixSumsEnv", {"size": 64}),),
        policy_env="DeepThink/PrefixSums-v0",
        baseline=Baseline((32, 64, 128, 512), ("ppo",), {"cnn": "BitsCNN"}, train_env_kwargs={"partial_credit": True}),
    ),
    _puzzle_family(
        "mazes",
        "mazes",
        generator="puzzles.mazes:generate",
        encodings=("mazes", "mazes_image"),
        knob="size",
        train_level=9,
        test_levels=(13, 19, 33),
        environments=(
            Environment("DeepThink/Maze-v0", "envs.mazes:MazeEnv", {"size": 13}),
            Environment("DeepThink/MazeNav-v0", "envs.mazes:MazeNavEnv", {"size": 13}),
        ),
        policy_env="DeepThink/MazeNav-v0",
        baseline=Baseline((9, 13, 19), ("ppo", "maskable_ppo"), {"cnn": "MazeCNN", "thinker": "MazeThinker"}),
    ),
    # The shipped "sudoku" is the product solver (thinking wider); until a mixed-difficulty network is trained it
    # wraps the easy-only weights, which the "sudoku_easy" recipe trained (also shipped alone as "sudoku_easy").
    Family(
        name="sudoku",
        title="Sudoku",
        checkpoint="sudoku",
        recipe="sudoku_easy",
        generator="puzzles.sudoku:generate",
        encodings=("sudoku",),
        knob="givens",
        train_level=36,
        test_levels=(30, 27, 24),
        environments=(
            Environment("DeepThink/Sudoku-v0", "envs.sudoku:SudokuEnv", {"givens": 36}),
            Environment("DeepThink/SudokuFill-v0", "envs.sudoku:SudokuFillEnv", {"givens": 36}),
        ),
        policy_env="DeepThink/SudokuFill-v0",
        baseline=Baseline((36, 30, 24), ("maskable_ppo",), {"cnn": "SudokuCNN"}, _CNN_HEAD),
    ),
    # Full games: no levels; the policy is trained by trainers.chess_thinking and self-play, not by a recipe.
    Family(
        name="chess",
        title="chess",
        generator="puzzles.chess_game:read_openings",
        encodings=(),
        checkpoint="chess",
        recipe=None,
        knob=None,
        train_level=None,
        test_levels=(),
        environments=(Environment("DeepThink/Chess-v0", "envs.chess_game:ChessEnv"),),
    ),
    # Difficulty: the plies a material search needs to find the first move (1..5).
    _puzzle_family(
        "chess_puzzles",
        "chess puzzles",
        generator="puzzles.chess_puzzles:read_lichess_rows",
        encodings=("chess_puzzles",),
        knob="difficulty",
        ranged=True,
        train_level=1,
        test_levels=(2, 3, 4, 5),
        test_env_kwargs={"split": "held_out"},
        environments=(Environment("DeepThink/ChessPuzzle-v0", "envs.chess_puzzles:ChessPuzzleEnv"),),
        policy_env="DeepThink/ChessPuzzle-v0",
        baseline=Baseline(
            (1, 2, 3), ("maskable_ppo",), {"cnn": "ChessCNN"}, _CNN_HEAD, train_env_kwargs={"split": "training"}
        ),
    ),
)


def _registry(families: tuple[Family, ...]) -> dict[str, Family]:
    """The families by name, after refusing a repeated family name or environment id."""
    registry: dict[str, Family] = {}
    env_ids: set[str] = set()
    for family in families:
        if family.name in registry:
            raise ValueError(f"two families are called {family.name!r}")
        for environment in family.environments:
            if environment.id in env_ids:
                raise ValueError(f"environment {environment.id} is registered twice")
            env_ids.add(environment.id)
        if family.policy_env is not None and family.policy_env not in {e.id for e in family.environments}:
            raise ValueError(f"{family.name}'s policy environment {family.policy_env} is not one of its own")
        registry[family.name] = family
    return registry


#: Every family, by name.
FAMILIES: dict[str, Family] = _registry(_FAMILIES)
#: Every environment of every family, in registration order.
ENVIRONMENTS: tuple[Environment, ...] = tuple(e for f in FAMILIES.values() for e in f.environments)


def get_family(name: str) -> Family:
    """The family called ``name``."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown family {name!r}; known: {sorted(FAMILIES)}") from None


def get_environment(env_id: str) -> Environment:
    """The environment registered as ``env_id``."""
    for environment in ENVIRONMENTS:
        if environment.id == env_id:
            return environment
    raise ValueError(f"unknown environment {env_id!r}; known: {[e.id for e in ENVIRONMENTS]}")


def family_of_env(env_id: str) -> Family:
    """The family whose environments include ``env_id``."""
    environment = get_environment(env_id)
    return next(family for family in FAMILIES.values() if environment in family.environments)


def resolve(target: str) -> Any:
    """The object that ``"module:attribute"`` names, imported now (the registry itself imports nothing)."""
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise ValueError(f"{target!r} is not 'module:attribute'")
    return getattr(importlib.import_module(module), attribute)
