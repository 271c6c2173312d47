"""The self-play driver: actors play, the learner trains and publishes generations, the evaluator rates them,
and everything is checkpointed so that a killed job resumes where it stopped.

The loop collects finished games (into the buffer, ``games.pgn`` and the counters), hands the learner as many
steps as the played positions allow (``sample_reuse`` samples per new position once the buffer holds
``min_buffer``), and every ``publish_every`` steps publishes a generation: the weights go to the actors and to
``generations/``, an evaluation is queued every ``eval_every`` generations, and a checkpoint is written
(buffer, then ``state.pt``, each atomically). Folder layout: :mod:`trainers.selfplay.records`.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agents.checkpoint import load_checkpoint, load_training_state, save_checkpoint, save_training_state
from agents.chess_network import ChessNetwork
from puzzles.storage import save_json
from trainers.cards import MEASUREMENTS, code_version, hardware
from trainers.run import STATE_FILE, Run, lock_run_dir, restore_torch_rng
from trainers.selfplay.actors import GameSummary, Weights, load_weights, weights_of
from trainers.selfplay.backends import eval_settings, make_backend
from trainers.selfplay.buffer import load_buffer, save_buffer
from trainers.selfplay.config import RunOptions, SelfPlayConfig
from trainers.selfplay.evaluator import ANCHOR, EloTable, EvalTask, Evaluator
from trainers.selfplay.records import ELO_FILE, STATE_KEYS, append_pgn, buffer_file, snapshot_stem, truncate_pgn
from trainers.tournament.elo import MatchStats

#: Learner steps between two looks at the actors' games.
TRAIN_CHUNK = 8

#: Card keys of the start checkpoint that describe the start, not the self-play result.
START_ONLY_KEYS = (*MEASUREMENTS, "selfplay")


class SelfPlayRun(Run):
    """A self-play run in ``run_dir`` (resumed from its last checkpoint if there is one).

    Args:
        config: the recipe (must match the one the folder was started with).
        run_dir: the run's folder.
        options: how this session runs (backend, workers, stopping point).
    """

    unit = "generation"
    state_keys = STATE_KEYS

    def __init__(self, config: SelfPlayConfig, run_dir: str | Path, options: RunOptions | None = None) -> None:
        if not isinstance(config, SelfPlayConfig):
            raise TypeError(f"config must be a SelfPlayConfig, got {type(config).__name__}")
        self.options = options or RunOptions()
        super().__init__(config, run_dir, self.options.progress, 60 * self.options.max_minutes or None)

    # ---- the folder -------------------------------------------------------------------------------------

    def _start(self) -> tuple[dict[str, Any], dict[str, Any], Weights]:
        """Generation 0's network config, card and weights, saved in the run folder on the first session."""
        stem = snapshot_stem(self.run_dir, 0)
        source = stem if stem.with_suffix(".safetensors").is_file() else self.config.start
        net, card = load_checkpoint(source)
        if not isinstance(net, ChessNetwork):
            raise ValueError(f"{self.config.start} is not a chess policy checkpoint")
        if source != stem:
            save_checkpoint(stem, net, {**card, "selfplay_generation": 0, "selfplay_start": self.config.start})
        return net.config.to_dict(), card, weights_of(net)

    def _weights(self, generation: int) -> Weights:
        net, _ = load_checkpoint(snapshot_stem(self.run_dir, generation))
        return weights_of(net)

    def _prune(self, keep: set[int]) -> None:
        """Deletes generation snapshots that are neither generation 0, evaluated, pending nor the newest."""
        for path in (self.run_dir / "generations").glob("gen_*.safetensors"):
            generation = int(path.stem.split("_")[1])
            if generation not in keep:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)

    # ---- one session ------------------------------------------------------------------------------------

    def fresh_progress(self) -> dict[str, Any]:
        progress = {"generation": 0, "steps": 0, "games": 0, "positions": 0, "seconds": 0.0, "session": 0}
        return progress | dict(pgn_bytes=0, buffer_file="", pending_eval=[], results={"1-0": 0, "1/2-1/2": 0, "0-1": 0})

    def state(self, progress: dict[str, Any]) -> dict[str, Any]:
        return {"learner": self.backend.learner.state(), "progress": progress, "elo": self.table.to_dict()}

    def load(self, state: dict[str, Any]) -> None:
        self.backend.learner.load_state(state["learner"])
        restore_torch_rng(state)
        if self.progress["buffer_file"]:
            self.backend.buffer.load_state(load_buffer(self.run_dir / self.progress["buffer_file"]))

    def _session(self) -> dict[str, Any]:
        """Plays, trains and evaluates until ``options.generations`` generations are published and evaluated,
        or ``options.max_minutes`` have passed; returns the progress record."""
        state = self.open_run()
        network, self.card, start_weights = self._start()
        self.progress = state["progress"] if state else self.fresh_progress()
        truncate_pgn(self.run_dir, self.progress["pgn_bytes"])
        self.table = EloTable.from_dict(state["elo"]) if state else EloTable()
        self.progress["session"] += 1
        self.backend = make_backend(self.config, self.options, network, start_weights, self.progress["session"])
        try:
            if state:
                self.load(state)
                self.console.log(
                    f"resumed {self.run_dir} at generation {self.progress['generation']}, "
                    f"{self.progress['steps']} steps, {self.progress['games']} games"
                )
            self.buffered = int(self.backend.buffer.stats()["size"])
            machines = self.backend.start(self.progress["generation"], self.backend.learner.weights())
            self.progress.update(hardware=hardware(), machines=sorted(set(machines)))
            self.progress.update(backend=self.options.backend, workers=self.options.actors)
            for generation in self.progress["pending_eval"]:
                self._submit(generation)
            return self._loop()
        finally:
            self.backend.close()

    def _loop(self) -> dict[str, Any]:
        cfg, opts = self.config, self.options
        started = self._saved_at = time.monotonic()
        self._window = {"start": started, "games": 0, "positions": 0, "1-0": 0, "1/2-1/2": 0, "0-1": 0}
        self._losses: dict[str, float] = {}
        bar, task = self.progress_bar("self-play generation", opts.generations, self.progress["generation"])
        with bar:
            while True:
                self._take_evaluations()
                if self.progress["generation"] >= opts.generations:
                    if not self.progress["pending_eval"]:
                        break
                    self._record(self.backend.collect(1.0))
                    continue
                if self.out_of_time():
                    self.console.log(f"stopping after {opts.max_minutes} minutes; run the same command to resume")
                    break
                allowed = int(self.progress["positions"] * cfg.sample_reuse / cfg.batch_size)
                can_train = self.buffered >= cfg.min_buffer and self.progress["steps"] < allowed
                self._record(self.backend.collect(0.0 if can_train else 0.5))
                if can_train:
                    boundary = (self.progress["steps"] // cfg.publish_every + 1) * cfg.publish_every
                    steps = min(allowed, boundary) - self.progress["steps"]
                    self._train(min(steps, TRAIN_CHUNK))
                    if self.progress["steps"] == boundary:
                        self._publish()
                latest = self.table.latest()
                elo = f"  elo {latest['elo']:+.0f} [{latest['low']:+.0f}, {latest['high']:+.0f}]" if latest else ""
                info = (
                    f"{self.progress['games']} games  {self.progress['steps']} steps  buffer {self.buffered}"
                    f"  {self._rate('games'):.1f} games/min{elo}"
                )
                bar.update(task, completed=self.progress["generation"], status=info)
        self._checkpoint()
        self.log_metrics({**self._metrics(), "final": True})
        return self.progress

    # ---- steps of the loop --------------------------------------------------------------------------------

    def _record(self, games: list[GameSummary]) -> None:
        if not games:
            return
        self.progress["pgn_bytes"] = append_pgn(self.run_dir, games, self.progress["games"] + 1)
        for game in games:
            self.progress["games"] += 1
            self.progress["positions"] += game.plies
            self.progress["results"][game.result] += 1
            self._window["games"] += 1
            self._window["positions"] += game.plies
            self._window[game.result] += 1
        self.buffered = min(self.config.buffer_size, self.buffered + sum(game.plies for game in games))

    def _train(self, steps: int) -> None:
        losses = self.backend.learner.train(steps)
        for key, value in losses.items():
            self._losses[key] = self._losses.get(key, 0.0) + value * steps
        self._losses["steps"] = self._losses.get("steps", 0) + steps
        self.progress["steps"] += steps

    def _publish(self) -> None:
        """A new generation: weights to the actors and to disk, an evaluation if due, a checkpoint."""
        self.progress["generation"] += 1
        generation = self.progress["generation"]
        weights = self.backend.learner.weights()
        self.backend.publish(generation, weights)
        net = self._network(weights)
        # The start's measurements and history describe other weights: a snapshot keeps neither.
        kept = {k: v for k, v in self.card.items() if k not in START_ONLY_KEYS}
        card = {**kept, "selfplay_generation": generation, "selfplay_steps": self.progress["steps"]}
        save_checkpoint(snapshot_stem(self.run_dir, generation), net, card)
        if self.config.eval_every and generation % self.config.eval_every == 0:
            self.progress["pending_eval"].append(generation)
            self._submit(generation)
        self._checkpoint()
        self.log_metrics(self._metrics())
        self._window = {"start": time.monotonic(), "games": 0, "positions": 0, "1-0": 0, "1/2-1/2": 0, "0-1": 0}
        self._losses = {}

    def _network(self, weights: Weights) -> ChessNetwork:
        net, _ = load_checkpoint(snapshot_stem(self.run_dir, 0))
        load_weights(net, weights)
        return net  # type: ignore[return-value]

    def _submit(self, generation: int) -> None:
        earlier = [g for g in self.table.evaluated() + self.progress["pending_eval"] if g < generation]
        opponents = {0, max(earlier, default=0)}
        task = EvalTask(generation, self._weights(generation), {g: self._weights(g) for g in sorted(opponents)})
        self.backend.submit(task)

    def _take_evaluations(self) -> None:
        for generation, rows in self.backend.evaluations():
            self.table.add(rows)
            if generation in self.progress["pending_eval"]:
                self.progress["pending_eval"].remove(generation)
            save_json(self.run_dir / ELO_FILE, self.table.to_dict())
            latest = self.table.latest()
            if latest:
                self.console.log(
                    f"generation {generation}: {latest['elo']:+.0f} Elo [{latest['low']:+.0f}, {latest['high']:+.0f}]"
                    f" over {ANCHOR}"
                )

    def _checkpoint(self) -> None:
        """Buffer, then state (both atomic; the state names its buffer file), then older buffers go."""
        now = time.monotonic()
        self.progress["seconds"] += now - self._saved_at
        self._saved_at = now
        name = buffer_file(self.progress["generation"], self.progress["steps"])
        save_buffer(self.run_dir / name, self.backend.buffer.state())
        self.progress["buffer_file"] = name
        self.save_state(self.progress)
        save_json(self.run_dir / ELO_FILE, self.table.to_dict())
        for old in self.run_dir.glob("buffer_*.npz"):
            if old.name != name:
                old.unlink(missing_ok=True)
        keep = {0, self.progress["generation"], *self.table.evaluated(), *self.progress["pending_eval"]}
        self._prune(keep)

    def _rate(self, key: str) -> float:
        minutes = (time.monotonic() - self._window["start"]) / 60
        return self._window[key] / minutes if minutes > 0 else 0.0

    def _metrics(self) -> dict[str, Any]:
        steps = self._losses.get("steps", 0)
        window = self._window
        return {
            "generation": self.progress["generation"],
            "steps": self.progress["steps"],
            "games": self.progress["games"],
            "positions": self.progress["positions"],
            "buffer": self.buffered,
            "games_per_min": round(self._rate("games"), 2),
            "positions_per_min": round(self._rate("positions"), 1),
            "white_wins": window["1-0"],
            "draws": window["1/2-1/2"],
            "black_wins": window["0-1"],
            "mean_plies": round(window["positions"] / window["games"], 1) if window["games"] else None,
            **{k: round(v / steps, 5) for k, v in self._losses.items() if k != "steps" and steps},
            "elo": self.table.latest(),
            "minutes": round(self.progress["seconds"] / 60, 2),
            "session": self.progress["session"],
        }

    # ---- after a run --------------------------------------------------------------------------------------

    def gate(self, pairs: int) -> MatchStats:
        """Plays the newest generation against generation 0 on ``pairs`` paired openings (searching players, no
        noise), adds the match to the Elo table and returns its stats from the newest generation's view. The
        players are deterministic, so a gate already played at that size is returned, not replayed."""
        if not isinstance(pairs, int) or isinstance(pairs, bool) or pairs < 1:
            raise ValueError(f"the gate needs at least one pair of games, got {pairs!r}")
        lock = lock_run_dir(self.run_dir)
        try:
            state = load_training_state(self.run_dir / STATE_FILE, STATE_KEYS)
            generation = state["progress"]["generation"]
            if generation == 0:
                raise ValueError("the run has no generation after 0 yet")
            table = EloTable.from_dict(state["elo"])
            rows = [r for r in table.rows if r.get("gate") and r["generation"] == generation and r["pairs"] == pairs]
            if not rows:
                settings = eval_settings(self.config)
                settings = type(settings)(**{**asdict(settings), "pairs": pairs, "stockfish_nodes": 0, "seed": 5})
                net, _ = load_checkpoint(snapshot_stem(self.run_dir, 0))
                evaluator = Evaluator(settings, net.config.to_dict())
                task = EvalTask(generation, self._weights(generation), {0: self._weights(0)})
                rows = [{**row, "gate": True, "pairs": pairs} for row in evaluator.evaluate(task)]
                table.add(rows)
                state["elo"] = table.to_dict()
                save_training_state(self.run_dir / STATE_FILE, state)
                save_json(self.run_dir / ELO_FILE, table.to_dict())
            match = rows[0]["match"]
            return MatchStats(match["wins"], match["draws"], match["losses"], tuple(match["pentanomial"]))
        finally:
            lock.close()

    def exported(self) -> tuple[ChessNetwork, dict[str, Any]]:
        """The newest weights with generation 0's card plus a ``selfplay`` section: the recipe, the counters, the
        machines that played and trained, and the Elo table's ratings."""
        state = load_training_state(self.run_dir / STATE_FILE, STATE_KEYS)
        progress = state["progress"]
        net, card = load_checkpoint(snapshot_stem(self.run_dir, 0))
        net.load_state_dict(state["learner"]["model"])
        card = {k: v for k, v in card.items() if k not in START_ONLY_KEYS and not k.startswith("selfplay_")}
        card["selfplay"] = {
            "recipe": self.config.to_dict(),
            **{k: progress[k] for k in ("generation", "steps", "games", "positions", "session", "results")},
            "seconds": round(progress["seconds"], 1),
            "hardware": progress.get("hardware", hardware()),
            "machines": progress.get("machines", []),
            "backend": progress.get("backend"),
            "workers": progress.get("workers"),
            "elo": EloTable.from_dict(state["elo"]).ratings(),
            "code": code_version(),
        }
        return net.eval(), card  # type: ignore[return-value]


def latest_generation(run_dir: str | Path) -> int:
    """The newest published generation of a run folder."""
    return int(load_training_state(Path(run_dir) / STATE_FILE, STATE_KEYS)["progress"]["generation"])
