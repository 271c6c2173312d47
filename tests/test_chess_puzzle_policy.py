"""A ``chess_puzzles`` solver as a policy in the chess environments: positions rebuilt from the observation's planes,
solved in one batch per call, and answered with the move index the environment decodes back to the same move."""

import chess
import gymnasium as gym
import numpy as np

import envs  # noqa: F401  (registers the ids)
from agents.solver import Solver, load_solver
from agents.solver_policy import SolverPolicy
from envs.chess_puzzles import ChessPuzzleEnv
from puzzles.chess_encoding import decode_move
from puzzles.chess_puzzles import read_lichess_csv
from tests.helpers import write_chess_puzzles

# Two lines longer than one move, one for each side, beside the hand-made set's one-move puzzles.
LONGER_LINES = [
    "line2w,rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1,e7e5 g1f3 b8c6 f1b5,2,,,,,,\n",
    "line2b,rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1,e2e4 e7e5 g1f3 b8c6,2,,,,,,\n",
]


def puzzle_file(tmp_path):
    path = write_chess_puzzles(tmp_path / "puzzles.csv")
    with path.open("a") as handle:
        handle.write("".join(LONGER_LINES))
    return path


def mirrored(move: chess.Move) -> chess.Move:
    return chess.Move(chess.square_mirror(move.from_square), chess.square_mirror(move.to_square), move.promotion)


def in_view(board: chess.Board) -> chess.Board:
    """The position from the mover's side, as White."""
    return board if board.turn == chess.WHITE else board.mirror()


class Oracle(Solver):
    """A real solver's FEN checks, but the answer forced to the puzzle line's move, in whichever colour the
    position is given: what is tested is the policy's way from planes to an action."""

    def __init__(self, solver: Solver, path) -> None:
        super().__init__(solver.net, solver.problem, solver.card)
        self.answers: dict[str, str] = {}
        for puzzle in read_lichess_csv(path):
            board = chess.Board(puzzle.fen)
            for ply, uci in enumerate(puzzle.line):
                move = chess.Move.from_uci(uci)
                if ply % 2 == 0:  # the solver's move, as the mover's view sees it
                    answer = move if board.turn == chess.WHITE else mirrored(move)
                    assert self.answers.setdefault(in_view(board).board_fen(), answer.uci()) == answer.uci()
                board.push(move)
        self.positions = 0

    def solve(self, inputs, think=None, cap=None):
        answers = []
        for fen in self.problem.validate(inputs):
            board = chess.Board(fen)
            answer = chess.Move.from_uci(self.answers[in_view(board).board_fen()])
            answers.append((answer if board.turn == chess.WHITE else mirrored(answer)).uci())
        self.positions += len(answers)
        return np.array(answers, dtype=object)


def roll(policy, environments, episodes):
    """Plays ``episodes`` episodes on each environment, stepping them together with one ``act_batch`` call a
    step; checks every action decodes (by the environment's own decoding) to the move the solver gives for the
    mover's view of the position, and returns ``(rewards, infos, positions)``."""
    rewards, infos, positions = [], [], 0
    for episode in range(episodes):
        observations = {}
        for slot, env in enumerate(environments):
            policy.reset(slot)
            observations[slot] = env.reset(seed=100 * episode + slot)[0]
        while observations:
            slots = sorted(observations)
            actions = policy.act_batch([observations[s] for s in slots], environments[0].action_space, slots)
            positions += len(slots)
            for slot, action in zip(slots, actions, strict=True):
                board = environments[slot].unwrapped.board
                view = in_view(board)
                answer = chess.Move.from_uci(str(policy.solver.solve([view.fen()], think=policy.think)[0]))
                move = decode_move(board, action)
                assert move == (answer if board.turn == chess.WHITE else mirrored(answer)) and board.is_legal(move)
                observation, reward, terminated, truncated, info = environments[slot].step(action)
                assert not info["illegal"]
                observations[slot] = observation
                if terminated or truncated:
                    rewards.append(reward)
                    infos.append(info)
                    del observations[slot]
    return rewards, infos, positions


def test_a_trained_solver_plays_legal_moves_for_either_side(tmp_path, tiny_chess_solver):
    path = puzzle_file(tmp_path)
    policy = SolverPolicy(load_solver(tiny_chess_solver), think=3)
    environments = [gym.make("DeepThink/ChessPuzzle-v0", path=path) for _ in range(3)]
    _, infos, positions = roll(policy, environments, episodes=4)
    assert len(infos) == 12 and positions >= 12
    assert policy.iterations == 3 * positions  # one solve of think iterations per position met


def test_a_solver_forced_to_the_right_move_solves_every_puzzle(tmp_path, tiny_chess_solver):
    path = puzzle_file(tmp_path)
    oracle = Oracle(load_solver(tiny_chess_solver), path)
    policy = SolverPolicy(oracle, think=2)
    env = ChessPuzzleEnv(path=path)
    sides, steps = set(), 0
    for index in range(len(env.puzzles)):
        observation, _ = env.reset(options={"index": index})
        sides.add(env.board.turn)
        done = False
        while not done:
            observation, reward, done, _, info = env.step(policy.act(observation, env.action_space))
            steps += 1
        assert info["solved"] and reward == 1.0, info["puzzle_id"]
    assert sides == {chess.WHITE, chess.BLACK} and steps == len(env.puzzles) + 2  # the two lines take 2 moves
    assert oracle.positions == steps and policy.iterations == 2 * steps


def test_the_policy_plays_full_games_in_chess_v0_as_either_colour(tiny_chess_solver):
    policy = SolverPolicy(load_solver(tiny_chess_solver), think=2)
    for colour in ("white", "black"):
        env = gym.make("DeepThink/Chess-v0", agent_color=colour, max_plies=30)
        observation, _ = env.reset(seed=0)
        done, moves = False, 0
        while not done:
            observation, _, terminated, truncated, info = env.step(policy.act(observation, env.action_space))
            assert not info["illegal"]
            done, moves = terminated or truncated, moves + 1
        assert moves >= 5
