"""The Gumbel search: sequential halving, true values at finished positions, completed-Q targets, batching."""

import chess
import numpy as np
import pytest

from agents.chess_search import considered_visits, gumbel_search
from puzzles.chess_encoding import NUM_ACTIONS, encode_move
from tests.test_tournament import needs_stockfish

MATE_IN_ONE = "6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1"  # Ra8#


class Uninformed:
    """A network with no opinion: equal logits and value 0 everywhere; counts its calls and batch sizes."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def __call__(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.batches.append(len(planes))
        return np.zeros((len(planes), NUM_ACTIONS), np.float32), np.zeros(len(planes), np.float32)


def test_sequential_halving_visits_the_considered_actions_then_the_better_half():
    assert considered_visits(8, 16) == (0,) * 8 + (1,) * 4 + (2, 2, 3, 3)
    assert considered_visits(4, 4) == (0, 0, 0, 0)
    assert considered_visits(1, 3) == (0, 1, 2)


def test_search_finds_a_mate_the_network_does_not_see_and_leaves_the_board_as_it_was():
    board = chess.Board(MATE_IN_ONE)
    board.push_uci("a1a2")
    board.push_uci("g8h8")  # a move history, which the search must keep
    stack = list(board.move_stack)
    result = gumbel_search([board], Uninformed(), simulations=32, considered=32, gumbel_scale=0.0)[0]
    assert result.move == chess.Move.from_uci("a2a8")
    mate = encode_move(board, result.move)
    assert result.actions[np.argmax(result.target)] == mate
    assert result.target.sum() == pytest.approx(1.0, abs=1e-5)
    assert result.target.max() > 0.5  # one simulation's proof outweighs the flat prior
    assert sorted(result.actions) == sorted(encode_move(board, m) for m in board.legal_moves)
    assert list(board.move_stack) == stack and board.fen() == chess.Board(board.fen()).fen()


def test_without_evidence_the_target_is_the_network_policy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=NUM_ACTIONS).astype(np.float32)

    def evaluate(planes):
        return np.tile(logits, (len(planes), 1)), np.zeros(len(planes), np.float32)

    board = chess.Board()
    result = gumbel_search([board], evaluate, simulations=8, considered=4, gumbel_scale=1.0, rng=rng)[0]
    prior = np.exp(logits[result.actions] - logits[result.actions].max())
    np.testing.assert_allclose(result.target, prior / prior.sum(), atol=1e-6)  # equal Q: nothing to improve


def test_leaves_of_all_games_share_one_network_call_per_simulation():
    network = Uninformed()
    boards = [chess.Board() for _ in range(5)]
    results = gumbel_search(
        boards, network, simulations=6, considered=4, gumbel_scale=1.0, rng=np.random.default_rng(1)
    )
    assert network.batches == [5] * 7  # the roots, then one batch per simulation
    assert all(board.is_legal(r.move) for board, r in zip(boards, results, strict=True))
    noisy = {r.move for r in results}
    assert len(noisy) > 1  # the Gumbel noise explores: different games, different moves


def test_search_refuses_finished_positions_and_bad_settings():
    mated = chess.Board("R5k1/5ppp/8/8/8/8/5PPP/6K1 b - - 1 1")
    with pytest.raises(ValueError, match="over"):
        gumbel_search([mated], Uninformed(), 4, gumbel_scale=0.0)
    with pytest.raises(ValueError, match="simulations"):
        gumbel_search([chess.Board()], Uninformed(), 0, gumbel_scale=0.0)
    with pytest.raises(ValueError, match="rng"):
        gumbel_search([chess.Board()], Uninformed(), 4, gumbel_scale=1.0)


@needs_stockfish
def test_target_sources_are_scored_against_a_reference_search(tmp_path):
    import torch

    from agents.chess_network import ChessNetwork, ChessNetworkConfig
    from trainers.selfplay.targets import compare_targets, sample_positions

    torch.manual_seed(0)
    net = ChessNetwork(ChessNetworkConfig(width=8, policy_width=8, value_width=8)).eval()
    boards = sample_positions(net, 1, 3, (0, 4), seed=0)
    assert len(boards) == 3 and all(board.is_valid() for board in boards)
    rows = compare_targets(net, boards, 1, [2], 2, [1], 200)
    assert [row["target"] for row in rows] == ["network policy", "gumbel search, 2 simulations", "stockfish, 1 nodes"]
    for row in rows:
        assert row["positions"] == 3 and 0 <= row["top_move_agrees"] <= 1 and 0 <= row["mass_on_reference"] <= 1
    with pytest.raises(ValueError, match="plies"):
        sample_positions(net, 1, 3, (5, 2), seed=0)
