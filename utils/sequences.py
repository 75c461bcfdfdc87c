"""Small sequence data sets for unit 03 (recurrent networks), generated deterministically.

- `binary_addition`: add two integers bit by bit, least significant bit first, so that a recurrent
  network has to carry a 1 from one time step to the next (the classic first task for a simple
  RNN: each sum bit depends on a carry that the network must remember).
- `noisy_sine`, `sine_windows`, `sine_sequences`: a sine wave with uniform noise, cut into windows
  whose next value is to be predicted (many-to-one: a window in, one value out), or
  kept as long sequences with a next-value target at every step (for truncated BPTT).
- `to_bits`, `from_bits`: convert between integers and their bits.

Shapes follow the course's batch-first layout: a batch of sequences is (N, T, D). Every function
takes `seed`, an int or a `np.random.Generator`: the same int gives the same data, and a generator
is drawn from (and advanced). Nothing here computes a gradient or an answer to an exercise: these
are data only.
"""

import numpy as np


def to_bits(values, bits):
    """Integers -> their `bits` lowest bits, least significant first.

    values: int array of any shape (non-negative). Returns a float64 array of shape
    values.shape + (bits,) holding 0.0 and 1.0; entry [..., k] is bit k (the one worth 2**k).
    """
    values = np.asarray(values, dtype=np.int64)
    if np.any(values < 0):
        raise ValueError("to_bits needs non-negative integers")
    return ((values[..., None] >> np.arange(bits)) & 1).astype(np.float64)


def from_bits(bits):
    """Bits (least significant first) -> integers; the inverse of `to_bits`.

    bits: array of shape (..., B) of 0/1 values, or of probabilities: each entry counts as a 1 when
    it is at least 0.5. Returns an int64 array of shape (...).
    """
    bits = np.asarray(bits) >= 0.5
    return (bits.astype(np.int64) << np.arange(bits.shape[-1])).sum(axis=-1)


def binary_addition(n, bits=8, delay=0, seed=0):
    """`n` additions a + b, written as sequences of bits, least significant bit first.

    a and b are drawn uniformly from [0, 2**(bits - 1)), so that the sum always fits in `bits` bits.
    Time step t holds bit t of a and of b as the input, and bit t of a + b as the target. The target
    bit depends on the inputs at step t and on the carry from the steps before: a network has to
    remember it.

    delay: answer `delay` steps late. The inputs get `delay` steps of zeros at the end and the
    targets `delay` steps of zeros at the start, so that the target at step t is bit t - delay of
    the sum: a network must keep each input for `delay` steps (a dependency that truncated BPTT
    with a window of `delay` steps or fewer cannot learn).

    Returns x, float64 (n, bits + delay, 2): x[i, t] = [bit t of a_i, bit t of b_i] (0 for t >= bits);
            y, float64 (n, bits + delay, 1): y[i, t, 0] = bit t - delay of a_i + b_i (0 for t < delay).
    Without delay, `from_bits(x[..., 0])`, `from_bits(x[..., 1])` and `from_bits(y[..., 0])` give
    back a, b and a + b; with it, `from_bits(y[:, delay:, 0])` gives a + b.
    """
    if bits < 2:
        raise ValueError("binary_addition needs at least 2 bits")
    if delay < 0:
        raise ValueError("delay must be 0 or more")
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2 ** (bits - 1), size=n)
    b = rng.integers(0, 2 ** (bits - 1), size=n)
    x = np.zeros((n, bits + delay, 2))
    y = np.zeros((n, bits + delay, 1))
    x[:, :bits] = np.stack([to_bits(a, bits), to_bits(b, bits)], axis=-1)
    y[:, delay:, 0] = to_bits(a + b, bits)
    return x, y


def noisy_sine(length, period=100, noise=0.05, phase=0.0, seed=0):
    """sin(2 pi t / period + phase) for t = 0 .. length - 1, plus noise uniform in [-noise, noise].

    Returns a float64 array of shape (length,).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return np.sin(2 * np.pi * t / period + phase) + noise * rng.uniform(-1.0, 1.0, size=length)


def sine_windows(steps, length=201, period=100, noise=0.05, seed=0):
    """Every window of `steps` consecutive values of one noisy sine, and the value that follows it.

    The series is `noisy_sine(length, period, noise, seed=seed)` (by default two periods of 100
    steps and one more value); its windows start at 0, 1, ..., length - steps - 1.

    Returns x, float64 (n, steps, 1), the windows, and y, float64 (n, 1), the next values
    (y[i, 0] = series[i + steps]), with n = length - steps.
    """
    if not 1 <= steps < length:
        raise ValueError(f"steps must be between 1 and length - 1 = {length - 1}, not {steps}")
    series = noisy_sine(length, period, noise, seed=seed)
    n = length - steps
    starts = np.arange(n)[:, None] + np.arange(steps)
    return series[starts][..., None], series[steps:, None].copy()


def sine_sequences(n, length, period=50, noise=0.05, seed=0):
    """`n` noisy sines of random phase, each with its next value as the target at every step.

    Each series has length + 1 values; x holds its first `length` values and y the last `length`,
    so that y[:, t] = x[:, t + 1]: at every step the target is the value that comes next.

    Returns x, float64 (n, length, 1) and y, float64 (n, length, 1).
    """
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0.0, 2 * np.pi, size=n)
    series = np.stack([noisy_sine(length + 1, period, noise, phase, seed=rng) for phase in phases])
    return series[:, :-1, None], series[:, 1:, None]
