"""Match statistics (Elo, pentanomial intervals, SPRT, rating fits), the chess arena, its players and command."""

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import chess
import chess.pgn
import numpy as np
import pytest

from puzzles.chess_game import game_result
from trainers.tournament import arena
from trainers.tournament.elo import (
    MatchStats,
    elo_from_score,
    fit_ratings,
    score_from_elo,
    sprt_bounds,
    sprt_decision,
    sprt_llr,
)
from trainers.tournament.match import play_match, termination
from trainers.tournament.players import (
    IllegalMoveError,
    Player,
    PolicyPlayer,
    RandomPlayer,
    StockfishPlayer,
    player_from_spec,
)


def _have_stockfish() -> bool:
    try:
        from puzzles.miner import find_stockfish

        find_stockfish()
        return True
    except FileNotFoundError:
        return False


needs_stockfish = pytest.mark.skipif(
    not _have_stockfish(), reason="Stockfish is not installed (apt-get install stockfish)"
)


def _openings():
    after_e4_e5 = chess.Board()
    for san in ("e4", "e5"):
        after_e4_e5.push_san(san)
    black_to_move = chess.Board("rnbqkbnr/pppppppp/8/8/3P4/8/PPP1PPPP/RNBQKBNR b KQkq - 0 1")
    return [after_e4_e5, black_to_move]  # the first keeps its move stack


# ---------------------------------------------------------------- Elo and match statistics


def test_elo_from_score_known_values_and_clamp():
    assert elo_from_score(0.75) == pytest.approx(190.85, abs=0.01)
    assert elo_from_score(0.25) == pytest.approx(-190.85, abs=0.01)
    assert elo_from_score(0.5) == 0.0
    assert score_from_elo(elo_from_score(0.3)) == pytest.approx(0.3)
    high, low = elo_from_score(1.0), elo_from_score(0.0)
    assert math.isfinite(high) and high == pytest.approx(-low) and 1000 < high < 1500
    with pytest.raises(ValueError):
        elo_from_score(1.5)


def test_symmetric_results_give_zero_elo():
    stats = MatchStats.from_pairs([(0, 0), (0, 0.5), (1, 0), (0.5, 0.5), (1, 0.5), (1, 1)])
    assert stats.pentanomial == (1, 1, 2, 1, 1)
    assert stats.score == 0.5 and stats.elo == 0.0 and stats.nelo == 0.0 and stats.los == 0.5
    assert stats.elo_low == pytest.approx(-stats.elo_high)


def test_pentanomial_variance_and_interval_by_hand():
    pairs = [(0, 0), (0, 0.5), (0.5, 0), (1, 0), (0.5, 0.5), (0.5, 0.5), (1, 0.5), (0.5, 1), (1, 1), (1, 1)]
    stats = MatchStats.from_pairs(pairs)
    assert stats.pentanomial == (1, 2, 3, 2, 2)
    assert (stats.wins, stats.draws, stats.losses, stats.games, stats.pairs) == (7, 8, 5, 20, 10)
    # s = (0.25*2 + 0.5*3 + 0.75*2 + 1*2) / 10; var = (0.55^2 + 2*0.3^2 + 3*0.05^2 + 2*0.2^2 + 2*0.45^2) / 10
    assert stats.score == pytest.approx(0.55)
    assert stats.variance == pytest.approx(0.0975)
    half = 1.959964 * math.sqrt(0.0975 / 10)
    assert stats.elo == pytest.approx(-400 * math.log10(1 / 0.55 - 1))
    assert stats.elo_low == pytest.approx(-400 * math.log10(1 / (0.55 - half) - 1), abs=1e-3)
    assert stats.elo_high == pytest.approx(-400 * math.log10(1 / (0.55 + half) - 1), abs=1e-3)
    assert stats.elo_error == pytest.approx((stats.elo_high - stats.elo_low) / 2)
    assert stats.los == pytest.approx(0.5 * (1 + math.erf(0.05 / math.sqrt(0.0975 / 10) / math.sqrt(2))))
    assert stats.nelo == pytest.approx(0.05 / math.sqrt(2 * 0.0975) * 800 / math.log(10))
    assert json.loads(json.dumps(stats.to_dict()))["pentanomial"] == [1, 2, 3, 2, 2]


def test_match_stats_rejects_inconsistent_counts():
    with pytest.raises(ValueError):
        MatchStats(1, 0, 0, (0, 0, 0, 0, 1))  # one pair is two games
    with pytest.raises(ValueError):
        MatchStats(0, 0, 0, (0, 0, 0, 0, 0))
    with pytest.raises(ValueError):
        MatchStats.from_pairs([(0.3, 1)])


def test_sprt_accepts_h1_on_a_lopsided_sample_and_h0_on_the_reverse():
    strong = [5, 20, 60, 80, 35]
    assert sprt_bounds() == pytest.approx((-2.944, 2.944), abs=1e-3)
    llr = sprt_llr(strong, 0, 20)
    assert llr > 2.944 and sprt_decision(llr) == "H1"
    assert sprt_decision(sprt_llr(strong[::-1], 0, 20)) == "H0"
    # Mirroring the outcomes mirrors the hypotheses.
    assert sprt_llr(strong[::-1], 0, -20) == pytest.approx(llr, rel=1e-6)
    assert sprt_decision(sprt_llr([1, 2, 3, 2, 1], 0, 20)) is None


def test_sprt_matches_the_quadratic_approximation_near_the_bounds():
    counts = np.array([40, 210, 500, 220, 45])
    p = counts / counts.sum()
    a = np.array([0, 0.25, 0.5, 0.75, 1])
    s, var = p @ a, p @ (a - p @ a) ** 2
    s0, s1 = score_from_elo(0), score_from_elo(10)
    approx = counts.sum() * (s1 - s0) * (2 * s - s0 - s1) / (2 * var)
    assert sprt_llr(counts, 0, 10) == pytest.approx(approx, rel=0.02)


def test_fit_ratings_two_players_matches_the_closed_form():
    ratings = fit_ratings([("a", "b", 30, 40)])
    assert ratings["a"].elo == 0 and ratings["a"].error == 0
    assert ratings["b"].elo == pytest.approx(-190.85, abs=0.5)
    # The binomial's information: n p (1 - p) in natural units.
    expected = 1.959964 / math.sqrt(40 * 0.75 * 0.25) / (math.log(10) / 400)
    assert ratings["b"].error == pytest.approx(expected, rel=1e-3)


def test_fit_ratings_recovers_synthetic_ratings_within_their_intervals():
    truth = {1: 0.0, 2: 150.0, 4: 260.0, 8: 300.0}
    rng = np.random.default_rng(7)
    results = []
    names = list(truth)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            expected = score_from_elo(truth[a] - truth[b])
            draw = 0.2
            win = expected - draw / 2
            outcomes = rng.choice(3, size=400, p=[win, draw, 1 - win - draw])
            results.append((a, b, float(np.sum(outcomes == 0) + 0.5 * np.sum(outcomes == 1)), 400))
    ratings = fit_ratings(results)
    assert list(ratings) == names
    for player, elo in truth.items():
        assert abs(ratings[player].elo - elo) <= ratings[player].error, (player, ratings[player])
    assert 10 < ratings[8].error < 60
    shifted = fit_ratings(results, anchor=8)
    assert shifted[8].elo == 0
    assert shifted[1].elo == pytest.approx(-ratings[8].elo, abs=0.5)


def test_fit_ratings_stays_finite_on_perfect_and_disconnected_results():
    ratings = fit_ratings([("a", "b", 10, 10), ("a", "c", 5, 10), ("x", "y", 3, 4)])
    assert all(math.isfinite(r.elo) and math.isfinite(r.error) for r in ratings.values())
    assert ratings["b"].elo < -700 and ratings["b"].error > 500
    assert ratings["x"].error > 1000  # nothing ties x to the anchor
    with pytest.raises(ValueError):
        fit_ratings([("a", "a", 1, 2)])
    with pytest.raises(ValueError):
        fit_ratings([("a", "b", 1, 2)], anchor="z")


# ---------------------------------------------------------------- the arena


def _replays(game) -> bool:
    board = chess.Board(game.start_fen)
    for uci in game.moves:
        move = chess.Move.from_uci(uci)
        if not board.is_legal(move):
            return False
        board.push(move)
    if game.adjudicated:
        return game_result(board) is None and game.result == "1/2-1/2"
    return game_result(board) == game.result and termination(board) == game.termination


def test_random_match_plays_four_games_with_consistent_stats():
    openings = _openings()
    match = play_match(RandomPlayer(1), RandomPlayer(2), openings, ply_cap=200, progress=False)
    assert len(match.games) == 4
    stats = match.stats()
    assert stats.games == 4 and stats.pairs == 2
    assert stats.score == pytest.approx(sum(g.score_a() for g in match.games) / 4)
    assert stats.wins == sum(g.score_a() == 1 for g in match.games)
    for game in match.games:
        assert _replays(game)
        assert game.plies == len(game.moves) <= 200
    document = json.loads(json.dumps(match.to_dict()))
    assert document["stats"]["games"] == 4 and len(document["games"]) == 4
    assert match.moves_played["a"] + match.moves_played["b"] == sum(g.plies for g in match.games)


def test_each_opening_is_played_with_both_colours():
    openings = _openings()
    a, b = RandomPlayer(1, name="A"), RandomPlayer(2, name="B")
    match = play_match(a, b, openings, ply_cap=40, progress=False)
    for index, opening in enumerate(openings):
        games = [g for g in match.games if g.opening == index]
        assert sorted((g.white, g.black) for g in games) == [("A", "B"), ("B", "A")]
        assert {g.a_white for g in games} == {True, False}
        assert all(g.start_fen == opening.fen() for g in games)
        # The second opening has Black to move: the first ply is Black's, played by whoever has Black.
        assert all(chess.Board(g.start_fen).turn == opening.turn for g in games)
    assert len(openings[0].move_stack) == 2 and openings[0].fen() == match.games[0].start_fen  # left untouched


def test_matches_are_reproducible_and_the_pgn_reads_back():
    first = play_match(RandomPlayer(3), RandomPlayer(4), _openings(), ply_cap=60, progress=False)
    second = play_match(RandomPlayer(3), RandomPlayer(4), _openings(), ply_cap=60, progress=False)
    assert [g.moves for g in first.games] == [g.moves for g in second.games]
    stream = io.StringIO(first.to_pgn())
    for record in first.games:
        game = chess.pgn.read_game(stream)
        assert game.headers["Result"] == record.result and game.headers["White"] == record.white
        assert [m.uci() for m in game.mainline_moves()] == record.moves
        assert game.headers["Termination"] == ("adjudication" if record.adjudicated else "normal")
    assert chess.pgn.read_game(stream) is None


def test_the_ply_cap_adjudicates_a_draw():
    match = play_match(RandomPlayer(0), RandomPlayer(1), [chess.Board()], ply_cap=5, progress=True)
    assert all(g.adjudicated and g.plies == 5 and g.result == "1/2-1/2" for g in match.games)
    assert all(g.termination == "ply_cap" for g in match.games)
    assert match.stats().pentanomial == (0, 0, 1, 0, 0)


def test_game_end_reasons():
    fools = chess.Board()
    for san in ("f3", "e5", "g4", "Qh4#"):
        fools.push_san(san)
    assert game_result(fools) == "0-1" and termination(fools) == "checkmate"
    fifty = chess.Board("8/8/8/4k3/8/8/3QK3/8 w - - 100 80")
    assert game_result(fifty) == "1/2-1/2" and termination(fifty) == "fifty_moves"
    with pytest.raises(ValueError, match="already over"):
        play_match(RandomPlayer(0), RandomPlayer(1), [fools], progress=False)


class _FakePolicy:
    """Duck-typed policy: the first legal move, recording each batch."""

    def __init__(self):
        self.calls = []

    def act_batch(self, boards, think):
        self.calls.append((len(boards), think))
        return [next(iter(board.legal_moves)) for board in boards]


def test_policy_player_gets_all_its_boards_in_one_batch():
    policy = _FakePolicy()
    player = PolicyPlayer(policy, think=4)
    assert player.name == "policy:think=4"
    play_match(player, RandomPlayer(0), _openings() * 2, ply_cap=20, progress=False)
    # After the first round A is to move in every game, so one call gets all eight boards.
    assert max(size for size, _ in policy.calls) == 8
    assert all(think == 4 for _, think in policy.calls)
    with pytest.raises(TypeError):
        PolicyPlayer(object(), think=1)


def test_every_player_speaks_one_interface():
    policy = _FakePolicy()
    board = chess.Board()
    for player in (RandomPlayer(0), PolicyPlayer(policy, think=4)):
        assert isinstance(player, Player)
        assert player.act(board) in board.legal_moves  # act: act_batch of one board
        assert len(player.act_batch([board, board])) == 2
    PolicyPlayer(policy, think=4).act_batch([board], think=9)  # a budget given to the call wins
    assert policy.calls[-1] == (1, 9) and policy.calls[-2] == (2, 4)
    assert RandomPlayer(5).act(board) == RandomPlayer(5).act_batch([board])[0]


class _Cheater:
    name = "cheater"

    def act_batch(self, boards, think=None):
        return [chess.Move.from_uci("a1a8") for _ in boards]


class _Silent:
    name = "silent"

    def act_batch(self, boards, think=None):
        return []


def test_an_illegal_move_names_the_player():
    with pytest.raises(IllegalMoveError, match="cheater"):
        play_match(_Cheater(), RandomPlayer(0), [chess.Board()], progress=False)
    with pytest.raises(IllegalMoveError, match="silent.*0 moves for"):
        play_match(RandomPlayer(0), _Silent(), [chess.Board()], progress=False)


def test_player_specs():
    player = player_from_spec("random:seed=3")
    assert isinstance(player, RandomPlayer) and player.name == "random:seed=3"
    for bad in ("chess-master", "random:seed", "random:seed=x", "random:depth=3", "policy", "policy:net"):
        with pytest.raises(ValueError):
            player_from_spec(bad)


@needs_stockfish
def test_stockfish_beats_random():
    with StockfishPlayer(nodes=50) as engine:
        match = play_match(engine, RandomPlayer(0), _openings(), ply_cap=300, progress=False)
    stats = match.stats()
    assert stats.wins + stats.draws / 2 >= 3.5, match.to_dict()["stats"]


@needs_stockfish
def test_stockfish_settings_are_checked():
    with pytest.raises(ValueError, match="1350"):
        StockfishPlayer(elo=1000)
    with pytest.raises(ValueError, match="either elo= or skill="):
        StockfishPlayer(elo=1500, skill=3)
    with pytest.raises(ValueError, match="probability"):
        StockfishPlayer(nodes=1, random_rate=1.5)


@needs_stockfish
def test_a_stockfish_that_always_plays_randomly_is_a_random_mover():
    board = chess.Board()
    with player_from_spec("stockfish:nodes=1:random=1") as engine:
        moves = engine.act_batch([board] * 200)
    assert len(set(moves)) == 20  # every legal first move shows up; the engine alone would repeat one


# ---------------------------------------------------------------- the arena command


def test_arena_command_plays_and_writes_json_and_pgn(tmp_path, capsys):
    out, pgn = tmp_path / "match.json", tmp_path / "match.pgn"
    argv = ["--a", "random", "--b", "random", "--openings", "start", "--pairs", "1", "--ply-cap", "80"]
    arena.main([*argv, "--sprt", "0", "20", "--out", str(out), "--pgn", str(pgn), "--no-progress"])
    report = json.loads(out.read_text())
    assert report["stats"]["games"] == 2 and len(report["games"]) == 2
    assert report["player_a"] == "random (A)" and report["player_b"] == "random (B)"  # same spec, kept apart
    assert report["sprt"]["decision"] is None and report["sprt"]["elo1"] == 20
    assert pgn.read_text().count("[Event ") == 2
    assert "Elo A - B" in capsys.readouterr().out


def test_arena_command_explains_a_missing_opening_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="--openings start"):
        arena.main(["--openings", str(tmp_path / "none.epd"), "--no-progress"])
    with pytest.raises(ValueError, match="two Elo bounds"):
        arena.main(["--openings", "start", "--sprt", "5", "--no-progress"])


@pytest.mark.parametrize("name", ["arena", "rate_chess", "think_longer"])
def test_the_thin_scripts_explain_their_flags(name):
    """The scripts are thin wrappers over the library's commands, with the same flags."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / f"{name}.py"), "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
    )
    assert done.returncode == 0 and "--ply-cap" in done.stdout, done.stderr
