"""Self-play for the chess policy: the same weights play both sides, and learn from the games' outcomes.

Each round plays ``games`` games from the start position, all at once with batched inference (the arena's
:func:`trainers.arena.play_match` with one sampling player on both sides): moves are sampled from the policy
(temperature ``temperature``) for the first ``sample_plies`` plies, for variety, then chosen greedily. Every
position goes into a bounded numpy replay buffer with the move played and the final outcome for the side
that played it. Training then takes ``steps`` progressive-loss batches from the buffer:

- the value head regresses the outcome z (-1, 0, 1);
- the policy follows REINFORCE with the value as baseline, ``-(z - v) log p(move)``;
- an anchor term, the cross entropy with Stockfish's move on labelled positions (weight ``anchor_weight``),
  keeps the policy from drifting while the self-play signal is still noisy.

The budget can grow as training goes (``think_schedule``: the dissertation's idea of bootstrapping from
longer thought). Rounds are checkpointed with the buffer, so an interrupted run resumes at its last round.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import chess
import numpy as np
import torch
import torch.nn.functional as F
from rich.console import Console

from agents.checkpoint import load_checkpoint, load_training_state, save_checkpoint, save_training_state
from agents.chess_network import ChessNetwork
from agents.chess_policy import ChessPolicy, legal_indices
from agents.networks import fast_cpu_math
from puzzles.chess_game import result_for
from trainers.arena import GameRecord, play_match
from trainers.chess_supervised import encode_position, load_encoded, progressive_heads, to_input
from trainers.supervised import append_metrics, code_version, hardware, lock_run_dir, resume_run


@dataclass(frozen=True)
class SelfPlayConfig:
    """The self-play recipe (recorded in the model card).

    Attributes:
        start: the checkpoint to start from (the supervised warm start).
        rounds: self-play rounds (play, then train).
        games: games per round (even: the start position is played once with each colour per pair).
        think_schedule: ``[[round, think], ...]``: from each round on, play with that budget.
        sample_plies, temperature: moves are sampled for the first plies of a game, then greedy.
        ply_cap: games longer than this are drawn.
        buffer_size: positions kept (the newest).
        steps, batch_size, lr, weight_decay, clip: training after each round.
        max_iters: the progressive loss's regime.
        value_weight, anchor_weight: weights of the value loss and of the Stockfish anchor.
        anchor_data: folder of labelled positions for the anchor ("" = no anchor).
        seed: games and batches.
    """

    start: str = "runs/chess/best"
    rounds: int = 20
    games: int = 64
    think_schedule: list[list[int]] = field(default_factory=lambda: [[0, 8]])
    sample_plies: int = 30
    temperature: float = 1.0
    ply_cap: int = 200
    buffer_size: int = 40_000
    steps: int = 100
    batch_size: int = 128
    lr: float = 1e-4
    weight_decay: float = 1e-4
    clip: float = 1.0
    max_iters: int = 8
    value_weight: float = 1.0
    anchor_weight: float = 1.0
    anchor_data: str = "data/positions"
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.think_schedule or any(len(step) != 2 or step[1] < 1 for step in self.think_schedule):
            raise ValueError(f"think_schedule is [[round, think >= 1], ...], got {self.think_schedule!r}")
        if self.games < 2 or self.games % 2:
            raise ValueError(f"games must be a positive even number (pairs of colours), got {self.games}")

    def think_at(self, round_: int) -> int:
        """The budget of round ``round_`` (0-based)."""
        think = self.think_schedule[0][1]
        for start, budget in self.think_schedule:
            if round_ >= start:
                think = budget
        return think


class SamplingPlayer:
    """An arena player that samples from the policy early in a game and plays greedily afterwards."""

    def __init__(self, policy: ChessPolicy, think: int, sample_plies: int, temperature: float, seed: Any) -> None:
        self.policy, self.think = policy, think
        self.sample_plies, self.temperature = sample_plies, temperature
        self.rng = np.random.default_rng(seed)
        self.name = f"self-play think={think}"

    def choose(self, boards: list[chess.Board]) -> list[chess.Move]:
        logits, _ = self.policy.evaluate(boards, self.think)
        moves = []
        for board, row in zip(boards, logits, strict=True):
            legal, indices = legal_indices(board)
            scores = row[indices]
            if board.ply() < self.sample_plies:
                weights = np.exp((scores - scores.max()) / self.temperature)
                moves.append(legal[self.rng.choice(len(legal), p=weights / weights.sum())])
            else:
                moves.append(legal[int(np.argmax(scores))])
        return moves


def game_samples(record: GameRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A finished game's positions, moves and outcomes for the side to move: ``(planes, actions, z)``."""
    board = chess.Board(record.start_fen)
    planes = np.empty((len(record.moves), 19, 8, 8), dtype=np.uint8)
    actions = np.empty(len(record.moves), dtype=np.int64)
    outcomes = np.empty(len(record.moves), dtype=np.float32)
    for i, uci in enumerate(record.moves):
        move = chess.Move.from_uci(uci)
        planes[i], actions[i] = encode_position(board, move)
        outcomes[i] = 2 * result_for(record.result, board.turn) - 1
        board.push(move)
    return planes, actions, outcomes


class ReplayBuffer:
    """The newest ``capacity`` positions in preallocated numpy arrays (a ring)."""

    def __init__(self, capacity: int) -> None:
        self.planes = np.zeros((capacity, 19, 8, 8), dtype=np.uint8)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.outcomes = np.zeros(capacity, dtype=np.float32)
        self.size, self.next = 0, 0

    def add(self, planes: np.ndarray, actions: np.ndarray, outcomes: np.ndarray) -> None:
        capacity = len(self.actions)
        for start in range(0, len(actions), capacity):  # a batch larger than the buffer keeps its newest part
            p, a, z = (
                planes[start : start + capacity],
                actions[start : start + capacity],
                outcomes[start : start + capacity],
            )
            index = (self.next + np.arange(len(a))) % capacity
            self.planes[index], self.actions[index], self.outcomes[index] = p, a, z
            self.next = int((self.next + len(a)) % capacity)
            self.size = min(capacity, self.size + len(a))

    def sample(self, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = rng.integers(0, self.size, count)
        return self.planes[index], self.actions[index], self.outcomes[index]

    def state(self) -> dict[str, Any]:
        """The buffer's contents, oldest first, as tensors for a training state."""
        return {
            name: torch.from_numpy(self._ordered(getattr(self, name))) for name in ("planes", "actions", "outcomes")
        }

    def _ordered(self, array: np.ndarray) -> np.ndarray:
        """Oldest to newest."""
        return array[: self.size].copy() if self.size < len(array) else np.roll(array, -self.next, axis=0)

    def load(self, state: dict[str, Any]) -> None:
        self.size, self.next = 0, 0
        self.add(state["planes"].numpy(), state["actions"].numpy(), state["outcomes"].numpy())


class SelfPlayTrainer:
    """Runs :class:`SelfPlayConfig` rounds in ``run_dir``, resuming from its last finished round."""

    def __init__(self, config: SelfPlayConfig, run_dir: str | Path, progress: bool = True) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.console = Console(stderr=True)
        self.progress = progress
        fast_cpu_math()
        net, self.start_card = load_checkpoint(config.start)
        if not isinstance(net, ChessNetwork):
            raise ValueError(f"{config.start} is not a chess policy checkpoint")
        self.net = net.train()
        self.policy = ChessPolicy(self.net, self.start_card)
        self.optimizer = torch.optim.AdamW(self.net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.buffer = ReplayBuffer(config.buffer_size)
        self.anchor = None
        if config.anchor_data and config.anchor_weight > 0:
            data = load_encoded(config.anchor_data)
            self.anchor = data["planes"], data["actions"]

    def _resume(self) -> dict[str, Any]:
        state = resume_run(self.run_dir, self.config, self.net, self.optimizer, unit="round", log=self.console.log)
        if state is None:
            return {"round": 0, "seconds": 0.0, "games": 0, "positions": 0}
        if not isinstance(state.get("buffer"), dict):
            raise ValueError(f"corrupt training state {self.run_dir / 'state.pt'}: no replay buffer")
        self.buffer.load(state["buffer"])
        self.console.log(f"resumed {self.run_dir} after round {state['progress']['round']}")
        return state["progress"]

    def play_round(self, round_: int) -> list[GameRecord]:
        """Plays one round's games with the current weights on both sides."""
        cfg = self.config
        self.net.eval()
        player = SamplingPlayer(
            self.policy, cfg.think_at(round_), cfg.sample_plies, cfg.temperature, [cfg.seed, round_]
        )
        match = play_match(player, player, [chess.Board()] * (cfg.games // 2), cfg.ply_cap, self.progress)
        self.net.train()
        return match.games

    def train_round(self, round_: int) -> dict[str, float]:
        """``steps`` batches from the buffer (and the anchor); mean losses."""
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, round_, 1])
        totals = {"policy": 0.0, "value": 0.0, "anchor": 0.0}
        for _ in range(cfg.steps):
            planes, actions, outcomes = self.buffer.sample(cfg.batch_size, rng)
            x, action, z = to_input(planes), torch.from_numpy(actions), torch.from_numpy(outcomes)
            logits, value = progressive_heads(self.net, x, cfg.max_iters, rng)
            log_p = F.log_softmax(logits, dim=1).gather(1, action[:, None]).squeeze(1)
            policy_loss = -((z - value.detach()) * log_p).mean()
            value_loss = F.mse_loss(value, z)
            loss = policy_loss + cfg.value_weight * value_loss
            anchor_loss = torch.zeros(())
            if self.anchor is not None:
                index = rng.integers(0, len(self.anchor[1]), cfg.batch_size)
                anchor_logits, _, _ = self.net(to_input(self.anchor[0][index]), cfg.max_iters)
                anchor_loss = F.cross_entropy(anchor_logits, torch.from_numpy(self.anchor[1][index]))
                loss = loss + cfg.anchor_weight * anchor_loss
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), cfg.clip)
            self.optimizer.step()
            for key, part in (("policy", policy_loss), ("value", value_loss), ("anchor", anchor_loss)):
                totals[key] += part.item() / cfg.steps
        return totals

    def run(self) -> dict[str, Any]:
        """Plays and trains to the last round; returns the progress record."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        lock = lock_run_dir(self.run_dir)
        try:
            progress = self._resume()
            for round_ in range(progress["round"], self.config.rounds):
                started = time.perf_counter()
                games = self.play_round(round_)
                for record in games:
                    self.buffer.add(*game_samples(record))
                losses = self.train_round(round_)
                seconds = time.perf_counter() - started
                results = [g.result for g in games]
                record = {
                    "round": round_ + 1,
                    "think": self.config.think_at(round_),
                    "white_wins": results.count("1-0"),
                    "draws": results.count("1/2-1/2"),
                    "black_wins": results.count("0-1"),
                    "mean_plies": round(float(np.mean([g.plies for g in games])), 1),
                    "buffer": self.buffer.size,
                    **{f"{k}_loss": round(v, 5) for k, v in losses.items()},
                    "seconds": round(seconds, 1),
                }
                progress.update(
                    round=round_ + 1,
                    seconds=progress["seconds"] + seconds,
                    games=progress["games"] + len(games),
                    positions=progress["positions"] + sum(g.plies for g in games),
                    hardware=hardware(),  # the machine that played and trained, for the exported card
                )
                state = {
                    "model": self.net.state_dict(),
                    "optimizer": self.optimizer.state_dict(),
                    "buffer": self.buffer.state(),
                    "progress": progress,
                }
                save_training_state(self.run_dir / "state.pt", state)
                append_metrics(self.run_dir, record)
                self.console.log(record)
            return progress
        finally:
            lock.close()

    def export(self, stem: str | Path) -> Path:
        """Writes the current weights to ``stem``; the card is the warm start's plus this self-play phase."""
        progress = load_training_state(self.run_dir / "state.pt")["progress"]
        card = {
            key: value
            for key, value in self.start_card.items()
            if key not in ("evaluation", "think_longer", "strength")
        }
        card["selfplay"] = {
            "recipe": asdict(self.config),
            "hardware": hardware(),  # runs saved before progress kept their machine
            **progress,
            "seconds": round(progress["seconds"], 1),
            "code": code_version(),
        }
        return save_checkpoint(stem, self.net.eval(), card)
