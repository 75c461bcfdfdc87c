"""Assertions for the visible tests in the assignments.

Each one fails with a message written for a student: what was expected, what came back, and where
the difference is largest, instead of numpy's generic "Not equal to tolerance".
"""
import numpy as np

from utils.diagnosis import MATCH_TOL, Diagnosis, Layer, diagnose, sum_mistake


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
    """Fail unless `value` is an array of exactly `shape`; the message says what a wrong shape
    usually means (transposed, a sum over the batch forgotten, a diagonal Jacobian kept as a vector...)."""
    array = as_float_array(value, what)
    shape = tuple(shape)
    if array.shape != shape:
        hint, kind = _shape_hint(array.shape, shape)
        raise ExerciseError(f"{what} should have shape {shape}, but has shape {array.shape}.{hint}", kind)
    return array


def _shape_hint(got, shape):
    """(a sentence starting with a space, the kind code) for an array of shape `got` where `shape`
    was expected; the codes are utils.diagnosis's ("broadcast": a sum over an axis is missing)."""
    lead = len(got) - len(shape)
    if len(got) == 2 and got == shape[::-1]:
        return " It has the right dimensions in the wrong order: is it transposed?", "transpose"
    if len(got) > 2 and got[:2] == shape[1::-1] and got[2:] == shape[2:]:
        hint = (" Its first two axes are swapped: the course's sequences are batch-first, (N, T, ...): did you "
                "stack the time steps along axis 0 instead of axis 1?")
        return hint, "transpose"
    if not shape:
        if int(np.prod(got)) == 1:
            return " It holds one number, in an array: return it as a number (`float(...)`).", "shape"
        return " It should be one number: did you forget to sum or average over the entries?", "shape"
    if lead > 0 and got[lead:] == shape:
        axes = "axis 0" if lead == 1 else f"axes {tuple(range(lead))}"
        call = "`.sum(axis=0)`" if lead == 1 else f"`.sum(axis={tuple(range(lead))})`"
        kept = ", or sum with keepdims=True" if all(size == 1 for size in got[:lead]) else ""
        why = ("a bias gradient sums over the batch" if len(shape) == 1
               else "a parameter used for every example gets the sum of their gradients")
        return f" It has an extra leading {axes}: {why}: did you forget {call}{kept}?", "broadcast"
    if len(got) == 1 and len(shape) == 2 and shape == (got[0], got[0]):
        hint = (" It is a vector where a square matrix was expected: a Jacobian of an elementwise "
                "function is diagonal: `np.diag(...)`?")
        return hint, "shape"
    if not got:
        hint = (" It is a single number where an array was expected: did you sum or average over the "
                "entries (np.sum, np.mean, a dot product) where the result should keep its shape?")
        return hint, "shape"
    if len(got) == len(shape) and all(s in (t, 1) for s, t in zip(got, shape)):
        hint = " An axis of size 1 is where the full axis was expected: did you sum over an axis that should stay?"
        return hint, "shape"
    if int(np.prod(got)) == int(np.prod(shape)):
        return " It has the right number of entries: check how you reshaped or stacked it.", "shape"
    return "", "shape"


def assert_close(actual, expected, what, *, rtol=1e-7, atol=1e-9, label="answer", params=None,
                 output=None, upstream=None, blocks=None, mistake=None):
    """Fail unless `actual` has the shape of `expected` and matches it entry by entry.

    `what` names the quantity for the message, e.g. "softmax_jacobian(z) for z = [1000, 1000]"; `label`
    is how a diagnosed mistake refers to it (e.g. "dW": "your dW is the negative of ...").
    What the diagnosis (utils.diagnosis.diagnose) needs to name more mistakes, for a gradient:
    params: {name: array}, the inputs of the example: their axis sizes name a factor ("4 is
        x.shape[0], the batch size"), an integer array of indices names repeated rows overwritten;
    output, upstream: the output out = f(z) of the layer whose backward pass is checked and the
        upstream gradient it was given: they name a local derivative left out or taken at the
        wrong point (and, with an index array in params, repeated rows overwritten);
    blocks: the names of the equal blocks the last axis is made of (e.g. "ifgo", the gates of an LSTM):
        name the block that is wrong.
    mistake: a Diagnosis (or None) that the caller recognised in `actual` (e.g.
        utils.diagnosis.difference_mistake): named if `actual` is wrong, before any other.
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
        # A single number off by some factor says little about the mistake: diagnose arrays; of a single
        # number, only its negative or a whole factor (a sum where a mean belongs) is named.
        if mistake is not None:
            found = mistake
        elif expected.size > 1:
            layer = None if output is None else Layer(np.asarray(output, np.float64), np.asarray(upstream, np.float64))
            found = diagnose(label, actual, expected, params or {}, blocks=blocks, label=label, layer=layer)
        else:
            found = _number_pattern(float(actual.reshape(-1)[0]), float(expected.reshape(-1)[0]), label, params)
        hint = f"\nLikely mistake: {found.message}" if found and found.kind != "mismatch" else ""
        raise ExerciseError(
            f"{what} is wrong{where}: expected {expected[worst]:.6g}, got {actual[worst]:.6g} "
            f"({int(np.sum(excess > 0))} of {expected.size} entries differ).{hint}",
            found.kind if hint else None,
        )


def assert_keys(value, keys, what):
    """Fail unless `value` is a dict with exactly the keys `keys` (e.g. the dict of parameters whose
    gradients it holds); a key missing is diagnosis kind "missing", as in a gradient check."""
    keys = sorted(keys)
    if not isinstance(value, dict):
        raise ExerciseError(f"{what} should be a dict with the keys {keys}, but is a {type(value).__name__}.", "type")
    missing = [key for key in keys if key not in value]
    extra = sorted(map(str, set(value) - set(keys)))
    if missing or extra:
        said = "; ".join(part for part in (missing and f"{missing} missing", extra and f"{extra} not expected") if part)
        # the classic mistake: gradients keyed "dW1", by the name of the variable, not of the parameter
        hint = (" A gradient is keyed by its parameter's name ('W1'), not by 'dW1'."
                if any(f"d{key}" in extra for key in missing) else "")
        raise ExerciseError(f"{what} should have the keys {keys}: {said}.{hint}", "missing" if missing else None)


def assert_no_mistake(diagnosis, what):
    """Fail, naming the mistake, when `diagnosis` (a utils.diagnosis.Diagnosis, or None) recognised the
    answer as a classic wrong one (e.g. utils.diagnosis.clipping_mistake)."""
    if diagnosis is not None:
        raise ExerciseError(f"{what} is wrong.\nLikely mistake: {diagnosis.message}", diagnosis.kind)


def assert_unchanged(value, before, what):
    """Fail unless the array `value` still equals `before`, its copy taken before a call that must
    not modify it: a function that changes its caller's array in place breaks the caller."""
    if not np.array_equal(np.asarray(value), np.asarray(before)):
        raise ExerciseError(f"{what} was changed by the call: your function modifies its input in place "
                            "(`x[j] += h`, `W -= ...`, `g *= ...` on the caller's array) — work on a copy "
                            "(`np.array(x, dtype=float)`, `x.copy()`) or build a new array.", "inplace")


def _number_pattern(actual, expected, label, params=None):
    """The "sign" diagnosis when the number `actual` is -`expected` (to diagnosis.MATCH_TOL), the "factor"
    diagnosis when it is a whole number of times `expected` or a whole fraction of it ("factor_batch"
    when that number is the batch size of an input in `params`, as utils.diagnosis names it), else None."""
    if expected == 0:
        return None
    if abs(actual + expected) <= MATCH_TOL * (abs(actual) + abs(expected)):
        return Diagnosis("sign", f"the sign is flipped — your {label} is the negative of the expected value.")
    ratio = actual / expected
    k = ratio if ratio > 1 else 1 / ratio if ratio > 0 else 0.0
    squared = abs(actual - expected * expected) <= 1e-9 * abs(actual)  # a norm left squared is no factor
    if not squared and round(k) >= 2 and abs(k - round(k)) <= 1e-6 * k:
        if params:  # an axis of the inputs may have that size (a loss summed over the batch)
            return diagnose(label, np.array([actual]), np.array([expected]), params, label=label)
        size = f"{round(k)} times too {'large' if ratio > 1 else 'small'}"
        return Diagnosis("factor", f"your {label} is {size} — a sum where a mean belongs (or the reverse), "
                                   "or a constant such as 1/2 left out?")
    return None


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
        found = _number_pattern(number, expected, "value")
        hint = f"\nLikely mistake: {found.message}" if found else ""
        raise ExerciseError(f"{what} is wrong: expected {expected:.8g}, got {number:.8g}.{hint}",
                            found.kind if found else None)


def assert_sum(value, terms, what, rtol=1e-7):
    """Fail unless `value` is the sum of `terms`, numbers or arrays of one shape (a window's loss, the
    sum of its pair losses; AdaGrad's cache, the sum of the squared gradients so far). A value that
    adds up some of the terms only, e.g. the last, is named (utils.diagnosis.sum_mistake)."""
    terms = np.asarray(terms, dtype=np.float64)
    total = terms.sum(axis=0)
    try:
        if total.ndim == 0:
            assert_number(value, float(total), what, rtol)
        else:
            assert_close(value, total, what, rtol=rtol)
    except ExerciseError as error:
        found = None if error.kind in ("shape", "nan") else sum_mistake(value, terms)
        if found is None:
            raise
        raise ExerciseError(f"{str(error).split(chr(10))[0]}\nLikely mistake: {found.message}", found.kind) from None


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


# The exercises whose visible tests passed in this kernel: a function built on others is tested with
# theirs, so its failure may be theirs (the grader grades it with the course's in their place).
PASSED = set()


def visible_tests_passed(exercise):
    """The last line of an exercise's visible tests: remember that they passed, and say so."""
    PASSED.add(exercise)
    print(f"{exercise}: visible tests passed.")


def built_on(*exercises):
    """The first line of the visible tests of a function built on other exercises' functions: name
    those whose visible tests have not passed in this session, so that a failure below is looked
    for there first."""
    pending = [exercise for exercise in exercises if exercise not in PASSED]
    if pending:
        names = ", ".join(pending)
        print(f"Note: this function is built on {names}, whose visible tests have not passed in this session. "
              f"If the tests below fail, run and fix {'that exercise' if len(pending) == 1 else 'those'} first: "
              "the failure may be theirs. (The grader grades this one with the course's versions in their place.)")
