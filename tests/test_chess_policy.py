"""The chess game planes, the policy-value network, the policy, labelled positions and the warm-start trainer."""

import chess
import numpy as np
import pytest
import torch

from agents.checkpoint import load_checkpoint, save_checkpoint
from agents.chess_network import ChessNetwork, ChessNetworkConfig
from agents.chess_policy import ChessPolicy, legal_indices, load_policy
from puzzles.chess_encoding import NUM_ACTIONS, encode_move
from puzzles.chess_game import GAME_PLANES, game_planes, game_result, read_openings, result_for
from trainers.chess_supervised import ChessTrainConfig, ChessTrainer, encode_positions, to_input

FOOLS_MATE = "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"


def test_game_planes_see_the_game_from_the_side_to_move():
    board = chess.Board()
    white = game_planes(board)
    assert white.shape == (GAME_PLANES, 8, 8) and white.dtype == np.float32
    assert white[12:16].min() == 1  # all four castling rights
    board.push_san("e4")
    black = game_planes(board)
    assert black[5, 1].sum() == 8 and black[11, 6].sum() == 7  # mirrored: the opponent's pawns on row 6, e-pawn gone
    assert black[16].sum() == 0  # no legal en-passant capture
    board.push_san("Nf6")
    board.push_san("Ng1f3")
    board.push_san("Ng8")
    board.push_san("Ng1")
    assert game_planes(board)[17].min() == 1  # the start position (Black to move) has been seen before
    board = chess.Board("rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3")
    assert game_planes(board)[16, 5, 5] == 1  # en passant on f6


def test_game_result_uses_the_cheap_rules():
    assert game_result(chess.Board()) is None
    assert game_result(chess.Board(FOOLS_MATE)) == "0-1"
    assert game_result(chess.Board("7k/6Q1/6K1/8/8/8/8/8 b - - 0 1")) == "1-0"
    assert game_result(chess.Board("8/8/8/8/8/8/8/K6k w - - 100 80")) == "1/2-1/2"
    assert result_for("1-0", chess.BLACK) == 0.0 and result_for("1/2-1/2", chess.WHITE) == 0.5
    with pytest.raises(ValueError, match="result"):
        result_for("*", chess.WHITE)


def test_shipped_openings_are_legal_and_balanced_enough_to_play():
    openings = read_openings()
    assert len(openings) >= 200
    assert len({board.epd() for board in openings}) == len(openings)
    assert all(game_result(board) is None for board in openings)


def test_read_openings_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.epd"
    path.write_text("# comment\nrnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq -\nnot a position\n")
    with pytest.raises(ValueError, match=":3"):
        read_openings(path)


def tiny_network() -> ChessNetwork:
    torch.manual_seed(0)
    return ChessNetwork(ChessNetworkConfig(width=8, blocks=1, policy_width=8, value_width=8))


def test_network_heads_and_streamed_thinking_agree():
    net = tiny_network().eval()
    x = torch.from_numpy(np.stack([game_planes(chess.Board()), game_planes(chess.Board(FOOLS_MATE))]))
    policy, value, state = net(x, 3)
    assert policy.shape == (2, NUM_ACTIONS) and value.shape == (2,) and value.abs().max() <= 1
    streamed = list(net.iterate(x, 3))
    torch.testing.assert_close(streamed[-1][0], policy)
    continued, _, _ = net(x, 2, net(x, 1)[2])
    torch.testing.assert_close(continued, policy)
    with pytest.raises(ValueError, match="19, 8, 8"):
        net(torch.zeros(1, 12, 8, 8), 1)


def test_policy_plays_legal_moves_and_batches(tmp_path):
    stem = save_checkpoint(tmp_path / "chess", tiny_network(), {"problem": "chess_game", "recommended_think": 4})
    policy = load_policy(stem)
    assert policy.default_think == 4
    boards = [chess.Board(), chess.Board("rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2")]
    moves = policy.act_batch(boards, think=2)
    assert all(board.is_legal(move) for board, move in zip(boards, moves, strict=True))
    choice = policy.analyse(chess.Board(), think=2)
    assert choice.move == moves[0] and 0 < choice.probability <= 1 and -1 <= choice.value <= 1
    assert choice.top[0][0] == choice.move and sum(p for _, p in choice.top) <= 1 + 1e-6
    with pytest.raises(ValueError, match="think"):
        policy.act(chess.Board(), think=0)
    with pytest.raises(ValueError, match="over"):
        policy.act(chess.Board("7k/6Q1/6K1/8/8/8/8/8 b - - 0 1"))
    with pytest.raises(ValueError, match="chess network"):
        ChessPolicy(torch.nn.Linear(1, 1))  # type: ignore[arg-type]


def test_encoded_positions_round_trip_to_network_input(tmp_path):
    board = chess.Board()
    board.push_san("e4")
    planes, actions = encode_positions(np.array([board.fen()]), np.array(["e7e5"]))
    assert actions[0] == encode_move(board, chess.Move.from_uci("e7e5"))
    torch.testing.assert_close(to_input(planes)[0], torch.from_numpy(game_planes(board)))


def test_warm_start_overfits_a_tiny_set_and_resumes(tmp_path, labelled_positions):
    data = labelled_positions
    config = ChessTrainConfig(
        data=str(data),
        network={"width": 16, "blocks": 1},
        val_chunks=1,
        epochs=25,
        batch_size=16,
        lr=3e-3,
        warmup_steps=1,
        lr_decay_epochs=[],
        max_iters=3,
    )
    trainer = ChessTrainer(config, tmp_path / "run", progress=False)
    trainer.val = trainer.train  # score on the training positions: the point is that it can fit them
    trainer.val_masks = np.ones((len(trainer.train[1]), NUM_ACTIONS), dtype=bool)
    before = trainer.validate()["val_move_agreement"]
    progress = trainer.run()
    assert progress["epoch"] == 25 and progress["best"] > max(before, 0.5)
    net, card = load_checkpoint(tmp_path / "run" / "best")
    assert card["problem"] == "chess_game" and isinstance(net, ChessNetwork)
    exported = load_policy(trainer.export(tmp_path / "chess"))
    assert exported.card["training"]["epochs"] == 25 and exported.default_think == 3
    again = ChessTrainer(ChessTrainConfig(**{**config.__dict__, "epochs": 26}), tmp_path / "run2", progress=False)
    assert again.run()["epoch"] == 26  # a fresh folder trains from scratch without complaint
    with pytest.raises(ValueError, match="another config"):
        ChessTrainer(ChessTrainConfig(**{**config.__dict__, "epochs": 3}), tmp_path / "run", progress=False).run()


def test_the_move_is_the_networks_most_probable_legal_move_and_nothing_else():
    """No hand-written preference: even a mate in one is played only when the network ranks it first."""
    policy = ChessPolicy(ChessNetwork(ChessNetworkConfig(width=8, blocks=1)).eval())
    board = chess.Board("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1")  # Ra8 mates
    logits, _ = policy.evaluate([board], think=2)
    moves, indices = legal_indices(board)
    assert policy.act(board, think=2) == moves[int(np.argmax(logits[0][indices]))]


def test_agreement_per_iteration_matches_validation_at_the_regime(tmp_path, labelled_positions):
    from trainers.chess_supervised import agreement_per_iteration

    config = ChessTrainConfig(
        data=str(labelled_positions), network={"width": 8, "blocks": 1}, val_chunks=1, max_iters=3
    )
    trainer = ChessTrainer(config, tmp_path / "run", progress=False)
    planes, actions, _ = trainer.val
    curve = agreement_per_iteration(trainer.net, planes, actions, trainer.val_masks, iters=5)
    assert curve.shape == (5,) and ((0 <= curve) & (curve <= 1)).all()
    assert curve[2] == pytest.approx(trainer.validate()["val_move_agreement"])


def test_agreement_on_held_out_puzzles_per_difficulty(tmp_path):
    from tests.helpers import solved_chess_puzzles, write_chess_puzzles
    from trainers.commands.chess_agreement import puzzle_agreement

    path = write_chess_puzzles(tmp_path / "set.csv")
    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8))
    results = puzzle_agreement(net, str(path), per_level=1, think=3)
    held = [r for r in solved_chess_puzzles() if r["held"]]
    assert sorted(results) == sorted({r["difficulty"] for r in held})  # held-out puzzles only, by difficulty
    for level, result in results.items():
        available = sum(r["difficulty"] == level for r in held)
        assert result["puzzles"] == min(1, available) and len(result["agreement"]) == 3
        assert all(share in (0.0, 1.0) for share in result["agreement"])  # one puzzle: right or wrong


def test_search_is_a_budget_of_its_own_and_finds_a_mate_in_one():
    """With ``search`` the move comes from the Gumbel search over the network's evaluations; bad budgets fail."""
    torch.manual_seed(0)
    policy = ChessPolicy(ChessNetwork(ChessNetworkConfig(width=8, blocks=1)).eval())
    mate = chess.Board("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1")  # Ra8 mates: the search sees the finished game
    assert policy.act(mate, think=2, search=16) == chess.Move.from_uci("a1a8")
    choice = policy.analyse(mate, think=2, search=16)
    assert (
        choice.top[0][0] == choice.move and abs(sum(p for _, p in policy.analyse(mate, 2, 99, search=4).top) - 1) < 1e-5
    )
    assert policy.act_batch([chess.Board(), mate], think=2, search=16)[1] == chess.Move.from_uci("a1a8")
    for bad, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="search"):
            policy.act(mate, think=2, search=bad)


def test_a_searching_policy_player_and_game_session():
    from trainers.play.session import GameSession
    from trainers.tournament.players import player_from_spec

    torch.manual_seed(0)
    policy = ChessPolicy(ChessNetwork(ChessNetworkConfig(width=8, blocks=1)).eval())
    mate = chess.Board("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1")
    session = GameSession(policy, human=chess.BLACK, think=2, board=mate, search=8)
    assert session._analyse().move == chess.Move.from_uci("a1a8")
    with pytest.raises(ValueError, match="search"):
        player_from_spec("policy:chess:think=2:search=-1")
    assert player_from_spec("policy:chess:think=2:search=3").act(chess.Board()) in chess.Board().legal_moves


def test_the_cards_recommended_search_is_plays_default_and_is_checked():
    from agents.checkpoint import check_card

    net = ChessNetwork(ChessNetworkConfig(width=8, blocks=1)).eval()
    assert ChessPolicy(net).default_search == 0
    assert ChessPolicy(net, {"recommended_search": 3}).default_search == 3
    for bad in (-1, 10**9, 2.5):
        with pytest.raises((ValueError, TypeError), match="recommended_search"):
            check_card({"recommended_search": bad})
