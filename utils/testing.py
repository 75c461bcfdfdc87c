"""Assertions for the visible tests in the assignments.

Each one fails with a message written for a student: what was expected, what came back, and where
the difference is largest, instead of numpy's generic "Not equal to tolerance".
"""
import numpy as np

from utils.diagnosis import diagnose


class ExerciseError(AssertionError):
    """A visible or hidden test found the student's answer wrong; the message says how.

    `kind` is the code of the recognised mistake (utils.diagnosis), None when none was recognised.
    """

    def __init__(self, message, kind=None):
        super().__init__(message)
        self.kind = kind


def as_float_array(value, what):
    """Return `value` as a float64 array, or fail with a message naming `what`.

    Catches the usual non-answers (None, a list of arrays of uneven shape, strings) before any
    arithmetic turns them into a confusing numpy error.
    """
    if value is None:
        raise ExerciseError(f"{what} is None: did you forget a `return` statement?", "none_returned")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ExerciseError(
            f"{what} should be an array of numbers, but got a {type(value).__name__} ({error})."
        ) from None
    return array


def assert_shape(value, shape, what):
    """Fail unless `value` is an array of exactly `shape`."""
    array = as_float_array(value, what)
    if array.shape != tuple(shape):
        hint = ""
        if array.shape == tuple(shape)[::-1]:
            hint = " It has the right dimensions in the wrong order: is it transposed?"
        elif array.size == int(np.prod(shape)):
            hint = " It has the right number of entries: check how you reshaped or stacked it."
        raise ExerciseError(f"{what} should have shape {tuple(shape)}, but has shape {array.shape}.{hint}",
                            "transpose" if array.shape == tuple(shape)[::-1] else "shape")
    return array


def assert_close(actual, expected, what, *, rtol=1e-7, atol=1e-9, label="answer"):
    """Fail unless `actual` has the shape of `expected` and matches it entry by entry.

    `what` names the quantity for the message, e.g. "softmax_jacobian(z) for z = [0, 0]"; `label`
    is how a diagnosed mistake refers to it (e.g. "dW": "your dW is the negative of ...").
    """
    expected = np.asarray(expected, dtype=np.float64)
    actual = assert_shape(actual, expected.shape, what)
    if not np.all(np.isfinite(actual)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(actual))[0])
        raise ExerciseError(f"{what} contains NaN or inf (first at index {bad}).", "nan")
    excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
    if np.any(excess > 0):
        worst = np.unravel_index(np.argmax(excess), expected.shape) if expected.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if expected.ndim else ""
        # A single number off by some factor says nothing about the mistake: diagnose arrays only.
        found = diagnose(label, actual, expected, {}, label=label) if expected.size > 1 else None
        hint = f"\nLikely mistake: {found.message}" if found and found.kind != "mismatch" else ""
        raise ExerciseError(
            f"{what} is wrong{where}: expected {expected[worst]:.6g}, got {actual[worst]:.6g} "
            f"({int(np.sum(excess > 0))} of {expected.size} entries differ).{hint}",
            found.kind if hint else None,
        )


def assert_number(value, expected, what, rtol=1e-7):
    """Fail unless `value` is one number within a relative `rtol` of `expected` (a loss, a norm).

    value: a float, or an array of size 1 (shape (), (1,), (1, 1)...). expected: a float.
    """
    array = as_float_array(value, what)
    if array.size != 1:
        raise ExerciseError(f"{what} should be one number, but is an array of shape {array.shape}.", "shape")
    number = float(array.reshape(-1)[0])
    if not np.isfinite(number):
        raise ExerciseError(f"{what} is {number}: expected {expected:.8g}.", "nan")
    # the 1e-12 lets an expected 0 be matched by rounding noise
    if not abs(number - expected) <= rtol * abs(expected) + 1e-12:
        raise ExerciseError(f"{what} is wrong: expected {expected:.8g}, got {number:.8g}.")


def assert_plain(value, what):
    """Fail unless `value` holds only numpy arrays and numbers, in tuples, lists or dicts (nested).

    The grader passes a cache from the student's forward to their backward function between
    processes, and only such plain values can make that trip.
    """
    if isinstance(value, (tuple, list)):
        for item in value:
            assert_plain(item, what)
    elif isinstance(value, dict):
        for item in value.values():
            assert_plain(item, what)
    elif isinstance(value, np.ndarray) and value.dtype.kind not in "biufc":
        raise ExerciseError(
            f"{what} holds a numpy array of dtype {value.dtype}: keep only arrays of numbers in it "
            "(an array of arrays of different shapes is dtype object: keep them as separate items).",
            "type")
    elif not isinstance(value, (np.ndarray, np.number, int, float)):
        raise ExerciseError(
            f"{what} holds a {type(value).__name__}: keep only numpy arrays and numbers in it "
            "(in a tuple), so that the grader can pass it from your forward to your backward function.",
            "type")
