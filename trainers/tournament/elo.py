"""Playing-strength statistics: Elo from scores, paired-game (pentanomial) match stats, SPRT and rating fits.

Conventions follow cutechess-cli, fastchess and fishtest (formulas in ``shared/reference/ecosystem.md`` §5):

- the logistic model: a player ``d`` Elo stronger scores ``L(d) = 1 / (1 + 10^(-d / 400))`` on average;
- a *pair* is two games on the same opening with colours swapped; from player A's view a pair scores 0, 1/4,
  1/2, 3/4 or 1 (LL, LD, WL or DD, WD, WW), and the pentanomial counts are how many pairs scored each;
- 95 % intervals are normal approximations (``Z95 = 1.96``), mapped from score to Elo bound by bound.

numpy and math only.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The two-sided 95 % normal quantile.
Z95 = 1.959963984540054

#: Scores are clamped to ``[SCORE_CLAMP, 1 - SCORE_CLAMP]`` before the log (as fishtest does): about ±1200 Elo.
SCORE_CLAMP = 1e-3

#: The per-pair scores of the five pentanomial outcomes LL, LD, WL+DD, WD, WW.
PAIR_SCORES = np.array([0.0, 0.25, 0.5, 0.75, 1.0])

#: Stand-in for an empty pentanomial cell where a variance or an MLE needs every outcome (fishtest's 1e-3).
_EMPTY_CELL = 1e-3

#: Natural-log units per Elo point: ``L(d) = sigmoid(d * ELO_UNIT)``.
ELO_UNIT = math.log(10.0) / 400.0


def elo_from_score(s: float) -> float:
    """The Elo difference ``-400 * log10(1/s - 1)`` at which the logistic model expects score ``s``.

    ``s`` is clamped to ``[0.001, 0.999]`` first, so a score of 0 or 1 (a clean sweep, whose Elo is infinite)
    gives a finite, large value of about ∓1200 Elo rather than an error; treat anything that large as "at
    least this much".

    Raises:
        ValueError: ``s`` is not in [0, 1].
    """
    if not 0.0 <= s <= 1.0 or math.isnan(s):
        raise ValueError(f"a score is in [0, 1], got {s}")
    s = min(max(s, SCORE_CLAMP), 1.0 - SCORE_CLAMP)
    return -400.0 * math.log10(1.0 / s - 1.0)


def score_from_elo(elo: float) -> float:
    """The expected score of a player ``elo`` points stronger: ``1 / (1 + 10^(-elo / 400))``."""
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def pair_index(first: float, second: float) -> int:
    """The pentanomial cell (0 = LL ... 4 = WW) of a pair from A's scores (0, 0.5 or 1) in its two games.

    Raises:
        ValueError: a score other than 0, 0.5 or 1.
    """
    for score in (first, second):
        if score not in (0.0, 0.5, 1.0):
            raise ValueError(f"a game score is 0, 0.5 or 1, got {score}")
    return round(2 * (first + second))


@dataclass(frozen=True)
class MatchStats:
    """The result of a paired match from player A's view, with pentanomial error bars.

    Attributes:
        wins, draws, losses: A's game counts.
        pentanomial: pair counts ``(LL, LD, WL+DD, WD, WW)``.

    The score, variance and Elo come from the pairs (which removes the openings' bias); the interval, LOS and
    normalised Elo replace an empty pentanomial cell by 1e-3 of a pair (as fishtest does), so a sample of
    identical pairs still gets a small but non-zero error bar; with every cell filled they are exact.
    """

    wins: int
    draws: int
    losses: int
    pentanomial: tuple[int, int, int, int, int]

    def __post_init__(self) -> None:
        counts = (self.wins, self.draws, self.losses, *self.pentanomial)
        if len(self.pentanomial) != 5 or any(int(c) != c or c < 0 for c in counts):
            raise ValueError(f"counts are non-negative integers and 5 pentanomial cells, got {counts}")
        if sum(self.pentanomial) == 0:
            raise ValueError("a match needs at least one pair of games")
        if 2 * sum(self.pentanomial) != self.wins + self.draws + self.losses:
            raise ValueError(f"{sum(self.pentanomial)} pairs but {self.wins + self.draws + self.losses} games")

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[float, float]]) -> MatchStats:
        """Stats from A's scores (0, 0.5 or 1) in each pair's two games."""
        penta = [0] * 5
        wdl = {1.0: 0, 0.5: 0, 0.0: 0}
        for first, second in pairs:
            penta[pair_index(first, second)] += 1
            wdl[float(first)] += 1
            wdl[float(second)] += 1
        return cls(wdl[1.0], wdl[0.5], wdl[0.0], tuple(penta))  # type: ignore[arg-type]

    @property
    def games(self) -> int:
        """Games played."""
        return self.wins + self.draws + self.losses

    @property
    def pairs(self) -> int:
        """Game pairs played."""
        return sum(self.pentanomial)

    @property
    def score(self) -> float:
        """A's mean score per game, ``(W + D/2) / N``."""
        return float(np.dot(self.pentanomial, PAIR_SCORES) / self.pairs)

    @property
    def variance(self) -> float:
        """The variance of one pair's score, ``sum_i p_i (a_i - s)^2`` (exact, no regularisation)."""
        p = np.asarray(self.pentanomial, dtype=float) / self.pairs
        return float(np.dot(p, (PAIR_SCORES - self.score) ** 2))

    def _regularised(self) -> tuple[float, float]:
        """Score and pair variance with empty cells replaced by 1e-3 pairs."""
        counts = np.where(np.asarray(self.pentanomial) == 0, _EMPTY_CELL, self.pentanomial).astype(float)
        p = counts / counts.sum()
        s = float(np.dot(p, PAIR_SCORES))
        return s, float(np.dot(p, (PAIR_SCORES - s) ** 2))

    @property
    def elo(self) -> float:
        """The Elo difference A - B (clamped to about ±1200 for a clean sweep)."""
        return elo_from_score(self.score)

    def _score_bounds(self) -> tuple[float, float]:
        _, var = self._regularised()
        half = Z95 * math.sqrt(var / self.pairs)
        return max(self.score - half, 0.0), min(self.score + half, 1.0)

    @property
    def elo_low(self) -> float:
        """Lower end of the 95 % interval: the Elo of ``s - 1.96 sqrt(var / pairs)``."""
        return elo_from_score(self._score_bounds()[0])

    @property
    def elo_high(self) -> float:
        """Upper end of the 95 % interval: the Elo of ``s + 1.96 sqrt(var / pairs)``."""
        return elo_from_score(self._score_bounds()[1])

    @property
    def elo_error(self) -> float:
        """The interval collapsed to a ± half-width, ``(high - low) / 2`` (cutechess's error margin)."""
        return (self.elo_high - self.elo_low) / 2.0

    @property
    def nelo(self) -> float:
        """Normalised Elo, ``(s - 1/2) / sqrt(2 var) * 800 / ln 10``: independent of the draw rate."""
        _, var = self._regularised()
        return (self.score - 0.5) / math.sqrt(2.0 * var) * 800.0 / math.log(10.0)

    @property
    def los(self) -> float:
        """Likelihood of superiority, ``Phi((s - 1/2) / sqrt(var / pairs))``: the chance A is the stronger."""
        _, var = self._regularised()
        return _normal_cdf((self.score - 0.5) / math.sqrt(var / self.pairs))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (floats rounded)."""
        return {
            "games": self.games,
            "pairs": self.pairs,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "pentanomial": list(self.pentanomial),
            "score": round(self.score, 6),
            "elo": round(self.elo, 2),
            "elo_error": round(self.elo_error, 2),
            "elo_low": round(self.elo_low, 2),
            "elo_high": round(self.elo_high, 2),
            "nelo": round(self.nelo, 2),
            "los": round(self.los, 6),
        }


def _constrained_mle(p_hat: np.ndarray, a: np.ndarray, s: float) -> np.ndarray:
    """The outcome distribution nearest ``p_hat`` (in likelihood) whose mean is ``s``.

    It is ``p_i = p_hat_i / (1 + theta (a_i - s))`` with ``theta`` the root of
    ``sum_i p_hat_i (a_i - s) / (1 + theta (a_i - s))``, which falls monotonically on the interval where every
    denominator is positive, so bisection finds it.
    """
    d = a - s
    low = -1.0 / d.max() if d.max() > 0 else -1e12
    high = -1.0 / d.min() if d.min() < 0 else 1e12
    span = high - low
    # Stay strictly inside: a denominator of zero would be an infinite probability.
    low, high = low + 1e-15 * span, high - 1e-15 * span
    for _ in range(200):
        theta = 0.5 * (low + high)
        if np.dot(p_hat, d / (1.0 + theta * d)) > 0:
            low = theta
        else:
            high = theta
    return p_hat / (1.0 + 0.5 * (low + high) * d)


def sprt_llr(pentanomial_counts: Sequence[float], elo0: float, elo1: float) -> float:
    """The generalised log-likelihood ratio of H1 (Elo = elo1) against H0 (Elo = elo0), pentanomial model.

    ``LLR = N * sum_i p_hat_i ln(p_i(s1) / p_i(s0))`` with ``N`` pairs, ``p_hat`` the observed pair-outcome
    frequencies, ``s_j = L(elo_j)`` and ``p_i(s)`` the multinomial MLE constrained to mean ``s`` (Van den Bergh's
    construction, as in fishtest). Bounds are logistic Elo. Empty cells count as 1e-3 pairs (fishtest), without
    which the constrained MLE does not exist when every pair scored above (or below) ``s``.

    Raises:
        ValueError: not five non-negative counts, no pairs, or ``elo0 == elo1``.
    """
    counts = np.asarray(pentanomial_counts, dtype=float)
    if counts.shape != (5,) or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"five non-negative pentanomial counts with at least one pair, got {pentanomial_counts}")
    if elo0 == elo1:
        raise ValueError("the SPRT needs two different Elo bounds")
    pairs = counts.sum()
    regular = np.where(counts == 0, _EMPTY_CELL, counts)
    p_hat = regular / regular.sum()
    p0 = _constrained_mle(p_hat, PAIR_SCORES, score_from_elo(elo0))
    p1 = _constrained_mle(p_hat, PAIR_SCORES, score_from_elo(elo1))
    return float(pairs * np.dot(p_hat, np.log(p1 / p0)))


def sprt_bounds(alpha: float = 0.05, beta: float = 0.05) -> tuple[float, float]:
    """The SPRT's stop bounds ``(ln(beta / (1 - alpha)), ln((1 - beta) / alpha))``: ±2.944 at 5 % / 5 %."""
    if not (0 < alpha < 1 and 0 < beta < 1):
        raise ValueError(f"alpha and beta are in (0, 1), got {alpha}, {beta}")
    return math.log(beta / (1.0 - alpha)), math.log((1.0 - beta) / alpha)


def sprt_decision(llr: float, alpha: float = 0.05, beta: float = 0.05) -> str | None:
    """``"H1"`` when ``llr`` reaches the upper bound, ``"H0"`` at the lower one, ``None`` to keep playing."""
    lower, upper = sprt_bounds(alpha, beta)
    if llr >= upper:
        return "H1"
    if llr <= lower:
        return "H0"
    return None


@dataclass(frozen=True)
class Rating:
    """One player's fitted rating relative to the anchor.

    Attributes:
        player: the player's key as given.
        elo: the maximum-likelihood rating (the anchor is 0).
        error: the 95 % half-width, ``1.96 * sqrt(cov_ii)`` (0 for the anchor).
        games: games the player took part in.
    """

    player: Hashable
    elo: float
    error: float
    games: float

    @property
    def low(self) -> float:
        """Lower end of the 95 % interval."""
        return self.elo - self.error

    @property
    def high(self) -> float:
        """Upper end of the 95 % interval."""
        return self.elo + self.error

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready row."""
        return {
            "player": str(self.player),
            "elo": round(self.elo, 2),
            "error": round(self.error, 2),
            "games": self.games,
        }


#: The ridge's weight per squared natural-log unit of rating (see :func:`fit_ratings`).
RIDGE = 1e-4


def fit_ratings(
    results: Iterable[tuple[Hashable, Hashable, float, float]], anchor: Hashable | None = None, ridge: float = RIDGE
) -> dict[Hashable, Rating]:
    """Joint Bradley-Terry (logistic) maximum-likelihood ratings of several players from pairwise scores.

    Each result is ``(player_a, player_b, score_a_sum, games)``: A scored ``score_a_sum`` points (draws as 1/2)
    in ``games`` games against B. The model is ``P(A beats B) = L(r_A - r_B)`` and each game's score is treated
    as a Bernoulli trial (draws count as half a win, as Ordo does), so the log-likelihood is
    ``sum S ln L(r_A - r_B) + (n - S) ln(1 - L(r_A - r_B))``. The anchor (``anchor``, or the first player seen)
    is fixed at 0; Newton's method with step halving finds the maximum, and the 95 % intervals come from the
    observed Fisher information, ``cov = (-Hessian)^-1``.

    A tiny ridge ``ridge / 2 * sum x_i^2`` on the free ratings (``x`` in natural-log units, ``x = r ln10 / 400``)
    keeps the fit finite where the data alone have no maximum: a player with a perfect (or zero) score lands
    far out (about 1,000-2,000 Elo) and a player not connected to the anchor by any chain of games is pulled
    to 0; both get very wide intervals, which is the honest answer. With ``ridge = 1e-4`` the pull on a
    well-measured rating is far below its error bar.

    Returns:
        ratings by player, in the order the players first appear.

    Raises:
        ValueError: no results, a bad count, a player against itself, or an unknown anchor.
    """
    rows = list(results)
    if not rows:
        raise ValueError("no results to fit")
    players: list[Hashable] = []
    index: dict[Hashable, int] = {}
    for a, b, score, games in rows:
        if a == b:
            raise ValueError(f"a result of {a!r} against itself")
        if not (games > 0 and 0 <= score <= games):
            raise ValueError(f"a result needs games > 0 and 0 <= score <= games, got {score} of {games}")
        for player in (a, b):
            if player not in index:
                index[player] = len(players)
                players.append(player)
    if anchor is None:
        anchor = players[0]
    if anchor not in index:
        raise ValueError(f"the anchor {anchor!r} played no games")
    n = len(players)
    ia = np.array([index[r[0]] for r in rows])
    ib = np.array([index[r[1]] for r in rows])
    wins = np.array([float(r[2]) for r in rows])
    games = np.array([float(r[3]) for r in rows])
    free = np.array([i for i in range(n) if i != index[anchor]], dtype=int)

    def objective(x: np.ndarray) -> float:
        z = x[ia] - x[ib]
        # log L(z) = -log(1 + e^-z), written stably.
        return float(-np.sum(wins * np.logaddexp(0.0, -z) + (games - wins) * np.logaddexp(0.0, z)))

    def penalised(x: np.ndarray) -> float:
        return objective(x) - 0.5 * ridge * float(np.sum(x[free] ** 2))

    def gradient_hessian(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = x[ia] - x[ib]
        p = 1.0 / (1.0 + np.exp(-z))
        residual = wins - games * p
        weight = games * p * (1.0 - p)
        grad = np.zeros(n)
        np.add.at(grad, ia, residual)
        np.add.at(grad, ib, -residual)
        info = np.zeros((n, n))  # the negative Hessian (observed information)
        np.add.at(info, (ia, ia), weight)
        np.add.at(info, (ib, ib), weight)
        np.add.at(info, (ia, ib), -weight)
        np.add.at(info, (ib, ia), -weight)
        grad = grad[free] - ridge * x[free]
        info = info[np.ix_(free, free)] + ridge * np.eye(len(free))
        return grad, info

    x = np.zeros(n)
    for _ in range(200):
        grad, info = gradient_hessian(x)
        step = np.linalg.solve(info, grad)
        current = penalised(x)
        scale = 1.0
        while scale > 1e-6:
            trial = x.copy()
            trial[free] += scale * step
            if penalised(trial) >= current - 1e-12:
                break
            scale /= 2.0
        x = trial
        if np.max(np.abs(scale * step), initial=0.0) < 1e-10:
            break
    _, info = gradient_hessian(x)
    stderr = np.zeros(n)
    if len(free):
        stderr[free] = np.sqrt(np.diag(np.linalg.inv(info)))
    played = np.zeros(n)
    np.add.at(played, ia, games)
    np.add.at(played, ib, games)
    return {
        player: Rating(player, float(x[i] / ELO_UNIT), float(Z95 * stderr[i] / ELO_UNIT), float(played[i]))
        for i, player in enumerate(players)
    }
