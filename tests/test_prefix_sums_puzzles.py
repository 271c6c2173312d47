import numpy as np
import pytest

from puzzles import prefix_sums


@pytest.mark.parametrize("length", [1, 5, 16, 23, 24, 32, 513])
def test_generate_shapes_and_values(length):
    count = min(64, 2**length)
    bits, _ = prefix_sums.generate(count, length, rng=0)
    assert bits.shape == (count, length) and bits.dtype == np.uint8
    assert set(np.unique(bits)) <= {0, 1}


def test_short_strings_are_unique_and_exhaustive():
    bits, _ = prefix_sums.generate(2**10, 10, rng=1)
    assert len({row.tobytes() for row in bits}) == 2**10
    with pytest.raises(ValueError, match="distinct"):
        prefix_sums.generate(2**10 + 1, 10, rng=1)


def test_generation_is_seeded_and_returns_puzzles_with_answers():
    bits, answers = prefix_sums.generate(8, 40, 7)
    assert np.array_equal(answers, prefix_sums.solve(bits))
    assert np.array_equal(bits, prefix_sums.generate(8, 40, 7)[0])
    assert not np.array_equal(bits, prefix_sums.generate(8, 40, 8)[0])
    assert np.array_equal(bits, prefix_sums.generate(8, 40, np.random.default_rng(7))[0])  # a seed or a Generator


def test_solve_is_running_parity():
    bits = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 0, 1]], dtype=np.uint8)
    assert prefix_sums.solve(bits).tolist() == [[1, 1, 0, 1, 1], [0, 0, 0, 0, 1]]


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros((2, 4), dtype=np.float32), TypeError, "dtype"),
        (np.zeros(4, dtype=np.uint8), ValueError, "shape"),
        (np.full((2, 4), 2, dtype=np.uint8), ValueError, "0 or 1"),
        ([[0, 1]], TypeError, "numpy array"),
    ],
)
def test_bad_bits_get_one_clear_error(bad, error, message):
    with pytest.raises(error, match=message):
        prefix_sums.solve(bad)


def test_save_load_round_trip(tmp_path):
    bits, _ = prefix_sums.generate(10, 48, 3)
    path = tmp_path / "set.npz"
    prefix_sums.save(path, bits)
    inputs, targets = prefix_sums.load(path)
    assert np.array_equal(inputs, bits) and np.array_equal(targets, prefix_sums.solve(bits))
    assert [p.name for p in tmp_path.iterdir()] == ["set.npz"]  # no temp files left behind


def test_load_rejects_corrupt_and_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        prefix_sums.load(tmp_path / "absent.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable"):
        prefix_sums.load(tmp_path / "bad.npz")
