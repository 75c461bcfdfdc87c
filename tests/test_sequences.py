"""utils.sequences: deterministic data of the right shapes, and correct binary-addition targets."""
import numpy as np
import pytest

from utils.sequences import (
    binary_addition,
    from_bits,
    noisy_sine,
    sine_sequences,
    sine_windows,
    to_bits,
)


def test_bits_round_trip_least_significant_first():
    assert to_bits([6], 4).tolist() == [[0.0, 1.0, 1.0, 0.0]]
    values = np.arange(256)
    assert np.array_equal(from_bits(to_bits(values, 8)), values)
    assert from_bits([0.2, 0.7, 0.5]) == 6  # probabilities count as 1 from 0.5 up
    with pytest.raises(ValueError):
        to_bits([-1], 4)


@pytest.mark.parametrize("bits", [2, 5, 8, 16])
def test_binary_addition_targets_are_the_sums(bits):
    x, y = binary_addition(500, bits, seed=3)
    assert x.shape == (500, bits, 2) and y.shape == (500, bits, 1)
    assert x.dtype == y.dtype == np.float64
    assert set(np.unique(x)) <= {0.0, 1.0} and set(np.unique(y)) <= {0.0, 1.0}
    a, b = from_bits(x[..., 0]), from_bits(x[..., 1])
    assert a.max() < 2 ** (bits - 1) and b.max() < 2 ** (bits - 1)
    assert np.array_equal(from_bits(y[..., 0]), a + b)


def test_binary_addition_carries_and_covers_the_range():
    x, y = binary_addition(2000, 8, seed=0)
    a, b = from_bits(x[..., 0]), from_bits(x[..., 1])
    carries = (a & b) != 0
    assert 0.3 < carries.mean() < 1.0  # many sums need a carry: the task needs memory
    assert len(np.unique(a)) > 120 and len(np.unique(b)) > 120


def test_binary_addition_with_delay_answers_late():
    x, y = binary_addition(50, 6, delay=3, seed=1)
    plain_x, plain_y = binary_addition(50, 6, seed=1)
    assert x.shape == (50, 9, 2) and y.shape == (50, 9, 1)
    assert np.array_equal(x[:, :6], plain_x) and not x[:, 6:].any()
    assert np.array_equal(y[:, 3:], plain_y) and not y[:, :3].any()
    with pytest.raises(ValueError):
        binary_addition(5, 8, delay=-1)


def test_everything_is_deterministic():
    for make in (lambda s: binary_addition(20, 8, seed=s), lambda s: sine_windows(5, seed=s),
                 lambda s: sine_sequences(3, 30, seed=s), lambda s: (noisy_sine(40, seed=s),)):
        first, again, other = make(7), make(7), make(8)
        for a, b, c in zip(first, again, other):
            assert np.array_equal(a, b)
            assert not np.array_equal(a, c)


def test_a_generator_is_drawn_from():
    rng = np.random.default_rng(0)
    first, second = binary_addition(20, seed=rng)[0], binary_addition(20, seed=rng)[0]
    assert not np.array_equal(first, second)
    assert np.array_equal(first, binary_addition(20, seed=np.random.default_rng(0))[0])


def test_noisy_sine_is_a_sine_plus_bounded_noise():
    series = noisy_sine(201, period=100, noise=0.05, phase=0.5, seed=2)
    clean = np.sin(2 * np.pi * np.arange(201) / 100 + 0.5)
    assert series.shape == (201,)
    assert 0 < np.abs(series - clean).max() <= 0.05
    assert np.allclose(noisy_sine(50, noise=0.0), np.sin(2 * np.pi * np.arange(50) / 100))


def test_sine_windows_predict_the_next_value():
    x, y = sine_windows(5, length=201, seed=4)
    series = noisy_sine(201, seed=4)
    assert x.shape == (196, 5, 1) and y.shape == (196, 1)
    assert np.array_equal(x[10, :, 0], series[10:15]) and y[10, 0] == series[15]
    assert np.array_equal(x[1:, :-1], x[:-1, 1:])  # consecutive windows overlap
    with pytest.raises(ValueError):
        sine_windows(201, length=201)


def test_sine_sequences_target_the_next_step():
    x, y = sine_sequences(6, 120, period=50, seed=5)
    assert x.shape == (6, 120, 1) and y.shape == (6, 120, 1)
    assert np.array_equal(y[:, :-1], x[:, 1:])
    assert np.abs(x).max() <= 1.05
    assert len({round(float(v), 6) for v in x[:, 0, 0]}) == 6  # random phases
