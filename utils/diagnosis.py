"""Recognise the classic gradient mistakes and name each in one line a student understands.

The inputs are a student's analytic gradient A and the numeric gradient N of a parameter P. Every
function returns a `Diagnosis`: a short, stable `kind` code (for tests and graders) and a one-line
`message` (for the student). Gradients are called "d" + the parameter's name in messages.

Kinds:
    missing, none_returned, type, nan             the gradient is not a usable array
    broadcast, transpose, shape                   it has the wrong shape
    zero, sign, factor, factor_batch, transpose,  it has the right shape but wrong values, in a
    missing_one_hot, time_reversed, last_step,    recognisable pattern (mismatch: none recognised)
    block, missing_local_derivative,
    not_accumulated, mismatch
    loss_not_finite                               the loss is inf or nan near the parameters
    not_global_norm                               gradients clipped one by one (clipping_mistake)
    one_sided_difference                          a numeric Jacobian by forward differences
                                                  (difference_mistake)
    not_accumulated                               also: a total that adds some of its known parts
                                                  only (sum_mistake)
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Two gradients "match" when they differ by less than this, relative to each entry's size (and to
# a thousandth of the tensor's largest entry). The numeric gradient is ~1e-9 accurate, so this
# sits far above its noise and far below the size of any real mistake.
MATCH_TOL = 1e-4

# How an axis that the course's layout names the batch is labelled ("4 is x.shape[0] (the batch
# size)"); a factor of that size is the "factor_batch" kind.
BATCH = "(the batch size)"


@dataclass
class Layer:
    """What a layer check (check_backward) knows besides the gradients: the layer's output at the
    checked inputs and the upstream gradient dout it was given (None until the first forward pass),
    and for a recurrence over time, steps(name): the gradient of the input `name` split into the
    contributions of the time steps (a list of T arrays), or None where it cannot be split."""

    output: np.ndarray | None = None
    upstream: np.ndarray | None = None
    steps: Callable[[str], list | None] | None = None


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with one gradient: `kind` is a stable code, `message` one line for a student."""

    kind: str
    message: str


def missing_gradient(name, given):
    """The diagnosis when grads has no entry for the parameter `name`; given: the keys it has."""
    have = ", ".join(map(str, given)) or "nothing"
    return Diagnosis("missing", f"No gradient was given for {name} (grads has: {have}).")


def invalid_gradient(name, grad, param, params, numeric=None):
    """Why `grad` cannot be the gradient of `param`, or None when it is a finite array of its shape.

    grad: what the student returned (any object). param: the parameter (array or float).
    params: all parameters by name (for naming axis sizes). numeric: optional numeric gradient of
    param's shape; when given, a wrong shape is also tested against it (does summing fix it?).
    """
    g = "d" + name
    if grad is None:
        return Diagnosis(
            "none_returned", f"You returned None for {g} — did you forget to return it?"
        )
    if isinstance(grad, tuple):
        return Diagnosis(
            "type",
            f"{g} is a tuple of {len(grad)} items, not an array — did you return several "
            "gradients where one was expected?",
        )
    if not isinstance(grad, (np.ndarray, np.generic, int, float)):
        return Diagnosis("type", f"{g} is a {type(grad).__name__}, not a numpy array.")
    a = np.asarray(grad)
    if a.dtype.kind not in "fiu":
        return Diagnosis("type", f"{g} has dtype {a.dtype}; it should be an array of floats.")
    shape = np.shape(param)
    if a.shape != shape:
        return _wrong_shape(g, name, a.astype(np.float64), shape, numeric)
    bad = ~np.isfinite(a)
    if bad.any():
        first = _index(np.argwhere(bad)[0])
        return Diagnosis(
            "nan",
            f"{g} contains nan or inf at {bad.sum()} of {a.size} entries (first at {first}) — "
            "look for a division by zero, a log of 0 or an overflow.",
        )
    return None


def diagnose(name, analytic, numeric, params, blocks=None, checked=None, label=None, layer=None):
    """Name the likely mistake in a gradient that failed its check.

    analytic, numeric: float arrays of the same shape, numeric finite or not: the full gradient
    of the parameter (its shape), or, when `checked` says what they are (e.g. "random
    directions"), 1-D vectors of the values that were checked; then only the patterns that do
    not depend on the layout are looked for.
    params: all parameters by name: their axis sizes name a constant factor (e.g. the batch
    size), a square matrix a transpose inside a product, a row of a matrix (or a vector) a one-hot
    term left out.
    blocks: optional names of the equal blocks that the last axis is split into, e.g. "ifgo".
    label: how the messages call the gradient (default "d" + name).
    layer: optional Layer (from check_backward): the output and upstream gradient, with which a
    local derivative left out or evaluated at the wrong point, and a scatter that overwrites
    repeated indices, can be recognised; and for a recurrence, the split of a weight's gradient
    into its time steps, with which one step's contribution kept alone can.
    """
    g = label or "d" + name
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if not np.isfinite(n).all():
        return Diagnosis(
            "loss_not_finite",
            f"the loss becomes inf or nan when {name} moves by a tiny step, so {g} cannot be "
            "checked there — look for a log of 0, a division by zero or an overflow.",
        )
    found = _value_pattern(g, a, n, params, checked)
    if found is None and checked is None and layer is not None and layer.output is not None:
        found = (
            _local_derivative(g, a, n, params, layer)
            or _not_accumulated(g, a, n, params, layer)
            or _one_step(g, a, n, layer, name)
        )
    if found is None and checked is None:
        found = (
            _transposed(g, a, n)
            or _transposed_in_product(g, a, n, params)
            or _one_hot_term(g, a, n, params)
            or _time_reversed(g, a, n)
            or _last_step(g, a, n)
            or _block(g, a, n, blocks)
        )
    return found or _mismatch(g, a, n, checked)


def _value_pattern(g, a, n, params, checked):
    """all zero, sign flipped or a constant factor: patterns of the values alone (or None)."""
    if not a.any() and n.any():
        where = "all zero" if checked is None else f"zero for all the {checked} checked"
        return Diagnosis(
            "zero",
            f"your {g} is {where}, but the true gradient is not — is the backward pass for it "
            "implemented, and is the result stored in what you return?",
        )
    c = _factor(a, n)
    if c is None or abs(c - 1) < MATCH_TOL:
        return None
    if abs(c + 1) < MATCH_TOL:
        return Diagnosis(
            "sign", f"the sign is flipped — your {g} is the negative of the true gradient."
        )
    return _factor_diagnosis(g, c, params)


def _factor(a, n):
    """The c for which a ≈ c·n (least squares), or None when no constant fits."""
    nn = float(np.dot(n.ravel(), n.ravel()))
    if nn == 0:
        return None
    c = float(np.dot(a.ravel(), n.ravel())) / nn
    return c if _close(a, c * n) else None


def _factor_diagnosis(g, c, params):
    """Say how far off the constant factor c is, and which axis size it might be: "factor_batch"
    when the size is first of all the batch size that the course's layout names, else "factor"."""
    if c < 0:
        return Diagnosis(
            "factor",
            f"your {g} is {c:.4g} times the true gradient: the sign is flipped and the size is off.",
        )
    k = c if c > 1 else 1 / c
    s = round(k)
    if s < 2 or abs(k - s) > 1e-3 * k:
        # Near 1, four digits would print "1 times": show enough to see the difference.
        shown = f"{c:.6g}" if abs(c - 1) < 0.01 else f"{c:.4g}"
        return Diagnosis(
            "factor", f"your {g} is {shown} times the true gradient — a constant factor is wrong."
        )
    size = f"{s} times too large" if c > 1 else f"{s} times too small"
    axes = [label for length, label in _axis_labels(params) if length == s]
    if axes:
        hint = (
            "did you forget to divide by it, or sum where the loss averages?"
            if c > 1
            else "did you divide by it twice, or average where the loss sums?"
        )
        kind = "factor_batch" if axes[0].endswith(BATCH) else "factor"
        return Diagnosis(kind, f"your {g} is {size}; {s} is {' and '.join(axes[:2])} — {hint}")
    if s == 2:
        hint = (
            "is a term counted twice, or the 2 of a square's derivative kept where it cancels?"
            if c > 1
            else "did you drop the 2 from the derivative of a square?"
        )
        return Diagnosis("factor", f"your {g} is {size} — {hint}")
    return Diagnosis("factor", f"your {g} is {size} — a constant factor is wrong.")


def _axis_labels(params):
    """(size, label) for each axis of each parameter, the course's named axes first.

    By the course's layout a sequence is (N, T, D) and an input x (or X) and the scores of a
    classifier are (N, D) and (N, C), so those axes are named: "4 is x.shape[0] (the batch size)".
    Other axes are named by their index only.
    """
    named, plain = [], []
    for key, value in params.items():
        shape = np.shape(value)
        for axis, length in enumerate(shape):
            label = f"{key}.shape[{axis}]"
            if len(shape) == 3 and axis < 2:
                named.append((length, f"{label} {(BATCH, '(the number of time steps)')[axis]}"))
            elif key in ("x", "X", "scores") and len(shape) == 2 and axis == 0:
                named.append((length, f"{label} {BATCH}"))
            else:
                plain.append((length, label))
    return named + plain


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))  # = 1 / (1 + exp(-u)), without overflow


# The elementwise functions whose local derivative students leave out or evaluate at the wrong
# point: name -> (the derivative written with the output, the same formula as code, the
# derivative written with the input). Both forms are needed: a student who writes the output's
# formula with the input (1 - x**2 for tanh) and one who applies the input's formula to the
# output (sigmoid'(out)) make the two mistakes of "the wrong point".
LOCAL_DERIVATIVES = {
    "tanh": (lambda out: 1.0 - out**2, "1 - out**2", lambda x: 1.0 - np.tanh(x) ** 2),
    "sigmoid": (lambda out: out * (1.0 - out), "out * (1 - out)", lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "exp": (lambda out: out, "out (exp is its own derivative)", lambda x: np.exp(np.clip(x, -700, 700))),
    "ReLU": (lambda out: (out > 0).astype(float), "(x > 0)", lambda x: (x > 0).astype(float)),
}


def _local_derivative(g, a, n, params, layer):
    """A layer out = f(z) with f elementwise (tanh, sigmoid, exp, ReLU) whose local derivative the
    student left out, evaluated at the wrong point, or (ReLU) masked by dout; or None.

    The true gradient tells which f it is, and how the gradient is made of delta = dout * f'(z)
    (_carriers: z itself, a bias added to z, or a factor of a product in z): the numeric
    gradient must be that. Only then is the student's gradient compared with the same expression
    with f'(z) replaced by each recognised wrong local derivative, to the tolerance of a match.
    """
    out, dout = np.asarray(layer.output, np.float64), np.asarray(layer.upstream, np.float64)
    if out.shape != dout.shape or not out.size or _close(a, n):
        return None
    with np.errstate(all="ignore"):
        for lead, carry in _carriers(g, a.shape, out, params):

            def apply(local, carry=carry):
                """The gradient that dout times this local derivative gives the parameter."""
                return carry(dout * local)

            for f, (of_output, formula, of_input) in LOCAL_DERIVATIVES.items():
                if not _close(apply(of_output(out)), n):
                    continue
                if np.all(of_output(out) == 1):
                    return None  # f' is 1 at every checked point: leaving it out changes nothing
                return _wrong_local(g, a, f, of_output, formula, of_input, out, dout, apply, lead, params)
    return None


def _carriers(g, shape, out, params):
    """(lead, carry) for each way delta = dout * f'(z), of out's shape, can make a gradient of
    `shape`: delta itself (the gradient of z), delta summed over the leading axes (of a bias added
    to z), delta @ W.T (of x in z = x @ W + ..., W a parameter) and X.T @ delta (of W in
    z = X @ W + ..., X a parameter). `lead` begins a message: "your dx equals the upstream gradient"."""
    found = []
    if shape == out.shape:
        found.append((f"your {g} equals the upstream gradient", lambda d: d))
    if out.ndim >= 2 and shape == out.shape[-1:]:
        lead = f"your {g} is the upstream gradient summed over the batch"
        found.append((lead, lambda d: d.sum(axis=tuple(range(out.ndim - 1)))))
    for key, value in params.items():
        W = np.asarray(value)
        if W.dtype.kind != "f" or W.ndim != 2 or out.ndim != 2:
            continue
        if W.shape[1] == out.shape[1] and shape == (out.shape[0], W.shape[0]):
            found.append((f"your {g} is the upstream gradient times {key}.T", lambda d, W=W: d @ W.T))
        if W.shape[0] == out.shape[0] and shape == (W.shape[1], out.shape[1]):
            found.append((f"your {g} is {key}.T times the upstream gradient", lambda d, W=W: W.T @ d))
    return found


def _wrong_local(g, a, f, of_output, formula, of_input, out, dout, apply, lead, params):
    """Which wrong local derivative of f the student's gradient a uses, as a Diagnosis, or None."""
    kind = "missing_local_derivative"
    if _close(a, apply(np.ones_like(out))):
        if f == "ReLU":
            return Diagnosis(
                kind,
                f"{lead} where the input is negative too: the ReLU's mask is missing — multiply "
                "the upstream gradient by (x > 0), the mask of the forward pass's input.",
            )
        return Diagnosis(
            kind,
            f"{lead}: {f}'s local derivative {formula} is left out — multiply the upstream "
            "gradient by it before passing it on.",
        )
    if f == "ReLU":
        if _close(a, apply((dout > 0).astype(float))):
            return Diagnosis(
                kind,
                f"your {g} is masked where the upstream gradient is negative: the ReLU's mask "
                "comes from the forward pass's input — multiply by (x > 0), not (dout > 0).",
            )
        return None
    if _close(a, apply(of_input(out))):
        return Diagnosis(
            kind,
            f"your {g} uses {f}'(out), the derivative evaluated at the output: it belongs at the "
            f"input, and written with the output out = {f}(...) it is {formula} — apply that to "
            f"out itself, not to {f}(out).",
        )
    for key, value in params.items():
        point = np.asarray(value)
        if point.shape == out.shape and point.dtype.kind == "f" and _close(a, apply(of_output(point))):
            code = formula.split(" (")[0]  # "out (exp is its own derivative)" -> "out"
            return Diagnosis(
                kind,
                f"your {g} uses {code.replace('out', key)} as {f}'s local derivative: it is "
                f"{code}, written with the output out = {f}(...) — evaluate it at the output, not "
                f"at {key}.",
            )
    return None


def _not_accumulated(g, a, n, params, layer):
    """A gather out = W[idx] whose gradient overwrites the rows of repeated indices (dW[idx] =
    dout, or the buffered dW[idx] += dout) instead of adding them up; or None.

    Recognised only when an integer parameter idx makes the numeric gradient exactly the
    scatter-add of dout by idx, the wrong rows are rows that idx repeats, and each wrong row
    holds the sum of some of its occurrences' upstream gradients, not all (one, when written
    once; more, when written once among other additions).
    """
    dout = np.asarray(layer.upstream, np.float64)
    if a.ndim < 1 or not a.shape[0]:
        return None
    for key, value in params.items():
        idx = np.asarray(value)
        if idx.dtype.kind not in "iu" or idx.shape + a.shape[1:] != dout.shape:
            continue
        if idx.size and (idx.min() < 0 or idx.max() >= a.shape[0]):
            continue
        rows = dout.reshape((idx.size,) + a.shape[1:])
        flat = idx.reshape(-1)
        summed = np.zeros_like(a)
        np.add.at(summed, flat, rows)
        if not _close(summed, n):
            continue
        scale = _scale(a, n)
        wrong = [r for r in range(a.shape[0]) if not _close(a[r], n[r], scale)]
        counts = np.bincount(flat, minlength=a.shape[0])
        if not wrong or any(counts[r] < 2 for r in wrong):
            return None
        if not all(partial_sum(a[r], rows[flat == r], scale) for r in wrong):
            return None
        if a.shape[0] == 1:  # one value read several times (a node of a graph that feeds several others)
            return Diagnosis(
                "not_accumulated",
                f"your {g} holds the gradient of only some of the {counts[0]} uses of this value, not their sum: "
                "a value used several times (a node that feeds several others, a weight shared by every time "
                "step) gets the sum of the gradients of all its uses — add each one's in (+=), do not overwrite "
                "it or keep one.",
            )
        shown = ", ".join(map(str, wrong[:6])) + (", ..." if len(wrong) > 6 else "")
        return Diagnosis(
            "not_accumulated",
            f"only {'row' if len(wrong) == 1 else 'rows'} {shown} of {g} {'is' if len(wrong) == 1 else 'are'} "
            f"wrong, the rows of indices that {key} repeats: each holds "
            f"the gradient of one of its readings (or of some), not their sum — {g}[{key}] = ... (or "
            f"+= ...) writes a repeated index once, as does = in a loop; add every reading, e.g. with "
            f"np.add.at({g}, {key}, ...).",
        )
    return None


def partial_sum(total, terms, scale=None, most=18):
    """Whether `total` is the sum of some of the arrays (or numbers) `terms`, not none and not
    all: what a sum that overwrites where it should add leaves. Tried for up to `most` terms
    (all 2**most sums at once)."""
    terms = np.asarray(terms, np.float64)
    total = np.asarray(total, np.float64)
    k = len(terms)
    if not 2 <= k <= most:
        return False
    if scale is None:
        scale = max(_scale(total, terms.sum(axis=0)), float(np.abs(terms).max(initial=0)))
    chosen = (np.arange(1, 2**k - 1)[:, None] >> np.arange(k)) & 1  # every proper, non-empty subset
    sums = chosen.astype(np.float64) @ terms.reshape(k, -1)
    flat = total.reshape(-1)
    # _close's test, for every subset at once
    near = np.abs(sums - flat) <= MATCH_TOL * np.maximum(np.abs(sums) + np.abs(flat), 1e-3 * scale)
    return bool(np.any(np.all(near, axis=1)))


def sum_mistake(value, terms, rtol=1e-7):
    """The "not_accumulated" diagnosis when `value`, known to be wrong, adds up some of `terms` (numbers
    or arrays of one shape) but not all of them: a total overwritten in its loop; else None."""
    terms = np.asarray(terms, np.float64)
    actual = np.asarray(value, np.float64).reshape(terms.shape[1:]) if np.size(value) == terms[0].size else None
    if actual is None or not partial_sum(actual, terms):
        return None
    last = " (the last one alone)" if np.allclose(actual, terms[-1], rtol=rtol, atol=1e-12) else ""
    return Diagnosis(
        "not_accumulated",
        f"your value adds up only some of the {len(terms)} terms{last}: add every term to the total "
        "(total += term), do not overwrite it (total = term).",
    )


def _one_step(g, a, n, layer, name):
    """A weight shared by the steps of a recurrence whose gradient holds one step's contribution
    instead of the sum over the steps (dW = ... in the time loop where dW += ... belongs, or only
    the last step's); or None. layer.steps gives the contributions (None: not a recurrence)."""
    if layer.steps is None or _close(a, n):
        return None
    contributions = layer.steps(name)
    if contributions is None or not _close(sum(contributions), n):
        return None
    T = len(contributions)
    kept = [t for t, c in enumerate(contributions) if _close(a, c)]
    if len(kept) != 1:
        return None  # none matches, or the steps' contributions are too alike to tell
    t = kept[0]
    which = {
        T - 1: f"the last time step (t = {T - 1})",
        0: "step 0 (the last one the backward loop visits)",
    }.get(t, f"step {t}")
    return Diagnosis(
        "not_accumulated",
        f"your {g} holds only the contribution of {which}: {name} is shared by all {T} time steps, so its "
        f"gradient is the sum of every step's — add each step's into {g} ({g} += ...), do not "
        "overwrite it or keep one step.",
    )


def _transposed(g, a, n):
    """a is the transpose of n, and that says something: a is not close to n itself, and n is not
    (nearly) symmetric — else a nearly right symmetric gradient would be called transposed."""
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        return None
    if _close(a, n.T) and not _close(a, n) and not _close(n, n.T):
        return Diagnosis(
            "transpose",
            f"your {g} is the transpose of the true gradient — check the order of the factors "
            "and the transposes in the matrix product.",
        )
    return None


def _transposed_in_product(g, a, n, params):
    """a = d @ W where the true gradient is n = d @ W.T (or the reverse), W a square parameter:
    the transpose is on the wrong side of a product inside the gradient, e.g. dh_prev = delta @ Wh.

    d is unknown, but n gives it: d = n @ inv(W.T), so a must be n @ inv(W.T) @ W. Only a W far
    from symmetric (else both products agree) and well conditioned (else the inverse amplifies
    noise) is tried.
    """
    if a.ndim < 1 or _close(a, n):
        return None
    for key, value in params.items():
        W = np.asarray(value)
        if W.dtype.kind != "f" or W.ndim != 2 or W.shape != (a.shape[-1],) * 2 or _close(W, W.T):
            continue
        if np.linalg.cond(W) > 1e6:
            continue
        for used, belongs in ((key, f"{key}.T"), (f"{key}.T", key)):
            M = W if used == key else W.T  # a = d @ M where n = d @ M.T
            if _close(a, n @ np.linalg.inv(M.T) @ M):
                return Diagnosis(
                    "transpose",
                    f"your {g} multiplies by {used} where {belongs} belongs: it is the true gradient "
                    f"with {belongs} replaced by {used} in a product — check which side of the product "
                    "the transpose goes on.",
                )
    return None


def _one_hot_term(g, a, n, params):
    """The error a - n is a one-hot term: the classic softmax gradient p - one_hot(y) with the
    one-hot left out (or subtracted twice), seen in the gradient of the scores or through the
    product that made them (scores = U @ v: dv = U.T @ (p - y), dU = outer(p - y, v)); or None.

    Recognised where the error is (i) one entry in each row of a 2-D or larger gradient, not all
    in one column (a constant column is a bias left out), the same constant +-1/k in every row, k
    a whole number up to the number of rows (the labels' one-hot, divided by the count of a mean:
    a 2 x 2 matrix wrong off its diagonal by 1/4 is no one-hot); (ii) plus or minus one
    row r of a 2-D parameter U (U.T @ one_hot(r)); (iii) confined to one row r of a 2-D gradient
    and there plus or minus a 1-D parameter v (outer(one_hot(r), v)).
    """
    scale = _scale(a, n)
    if _close(a, n, scale):
        return None
    error, wrong = a - n, _wrong(a, n, scale)
    advice = "The gradient of softmax cross-entropy is p - one_hot(y) (divided by N for a mean)."
    if a.ndim >= 2 and a.shape[-1] >= 2 and np.all(wrong.sum(axis=-1) == 1):
        values, cols = error[wrong], np.argmax(wrong, axis=-1).reshape(-1)
        c = float(values.mean())
        # the count k that a mean divides by: c = +-1/k with 1 <= k <= the number of rows
        k = round(1 / abs(c)) if abs(c) * len(values) >= 0.5 else 0
        if (
            len(set(cols)) > 1
            and 1 <= k <= len(values)
            and _close(values, np.full(len(values), np.sign(c) / k), scale)
        ):
            shown = ", ".join(map(str, cols[:8])) + (", ..." if cols.size > 8 else "")
            return Diagnosis(
                "missing_one_hot",
                f"your {g} is off by {c:.4g} at exactly one entry in each row (columns {shown}), "
                f"and nowhere else: the one-hot of the labels, times {c:.4g}, is left out or "
                f"subtracted twice. {advice}",
            )
    for key, value in params.items():
        P = np.asarray(value)
        if P.dtype.kind != "f" or P.ndim not in (1, 2):
            continue
        for sign in (1, -1):
            if P.ndim == 2 and P.shape[0] >= 2 and P.shape[1:] == a.shape:
                rows = [r for r in range(P.shape[0]) if _close(error, sign * P[r], scale)]
                if len(rows) == 1:
                    term = f"{'+' if sign > 0 else '-'}{key}[{rows[0]}]"
                    return Diagnosis(
                        "missing_one_hot",
                        f"your {g} is off by exactly {term}, one row of {key}: a term {key}.T @ "
                        f"one_hot({rows[0]}) is left out or counted twice — is the one-hot of the "
                        f"target not subtracted? {advice}",
                    )
            if P.ndim == 1 and a.ndim == 2 and a.shape[1:] == P.shape:
                rows = np.flatnonzero(wrong.any(axis=1))
                if len(rows) == 1 and a.shape[0] >= 2 and _close(error[rows[0]], sign * P, scale):
                    r = rows[0]
                    return Diagnosis(
                        "missing_one_hot",
                        f"only row {r} of your {g} is wrong, off by exactly {'+' if sign > 0 else '-'}"
                        f"{key}: a term outer(one_hot({r}), {key}) is left out or counted twice — is "
                        f"the one-hot of the target not subtracted? {advice}",
                    )
    return None


def _time_reversed(g, a, n):
    """All or part of a (N, T, ...) gradient in reversed time order (axis 1 is time, as in the
    course's layout): the error a - n is the same, negated, when time is reversed.

    That holds when a is n reversed (the steps of a backward loop collected without reversing
    them back), when some entries along the last axis are (one direction's half of a bidirectional
    layer's states), and when a part d of n is reversed: a - n = flip(d) - d (the backward
    direction's dx of a bidirectional RNN not reversed back). Other errors are not odd under time
    reversal, except, with two steps, any error that sums to zero over time (as a softmax's
    gradient does): so that part needs three steps or more. A gradient that time reversal
    (nearly) leaves unchanged says nothing.
    """
    if a.ndim != 3 or a.shape[1] < 2:
        return None
    scale = _scale(a, n)
    flipped = n[:, ::-1]
    if _close(a, n, scale) or _close(n, flipped, scale):
        return None
    if _close(a, flipped, scale):
        return Diagnosis(
            "time_reversed",
            f"your {g} is the true gradient in reversed time order (step t holds step T-1-t's) — "
            "the backward loop runs from T-1 down to 0: reverse what it collected before stacking it.",
        )
    cols = np.flatnonzero(_wrong(a, n, scale).any(axis=(0, 1)))
    if _close(a[..., cols], flipped[..., cols], scale):
        contiguous = cols[-1] - cols[0] + 1 == len(cols)
        shown = f"{cols[0]}:{cols[-1] + 1}" if contiguous else ", ".join(map(str, cols))
        return Diagnosis(
            "time_reversed",
            f"only entries {shown} along the last axis of your {g} are wrong, and there they are in "
            "reversed time order — what was computed on the reversed sequence (the backward "
            "direction's) must be reversed back.",
        )
    error = a - n
    if a.shape[1] < 3 or not _close(error[:, ::-1], -error, scale):
        return None
    return Diagnosis(
        "time_reversed",
        f"part of your {g} is in reversed time order: the error is the same, negated, when time is "
        "reversed — what was computed on the reversed sequence (e.g. the backward direction's "
        "gradient) must be reversed back before it is added.",
    )


def _last_step(g, a, n):
    """Right at the last time step, wrong before it: the gradient through time is missing.

    a, n: (N, T, D), the course's sequence layout (axis 1 is time).
    """
    if a.ndim != 3 or a.shape[1] < 2:
        return None
    scale = _scale(a, n)
    last_a, last_n = a[:, -1], n[:, -1]
    if np.abs(last_n).max() < 1e-3 * scale or not _close(last_a, last_n, scale):
        return None
    if not _mostly_wrong(a[:, :-1], n[:, :-1], scale):
        return None
    if not a[:, :-1].any():
        return Diagnosis(
            "last_step",
            f"only the last time step of {g} is right and every earlier step is zero: the "
            "gradient flowing back through time (into dh_prev, and dc_prev in an LSTM) is missing.",
        )
    return Diagnosis(
        "last_step",
        f"only the last time step of {g} is right and the earlier steps are wrong: the gradient "
        "flowing back through time (dh_prev, and dc_prev in an LSTM) is not added to the upstream gradient at "
        "each step.",
    )


def _block(g, a, n, names):
    """Some equal blocks along the last axis wrong, the others right (a stacked LSTM/GRU weight).

    names: the block names (e.g. "ifgo"), which allow several wrong blocks. Without names, equal
    splits into 4, 3 and 2 blocks are tried and exactly one wrong block is required.
    """
    if a.ndim == 0:
        return None
    length = a.shape[-1]
    splits = (
        [len(names)] if names else [k for k in (4, 3, 2) if length % k == 0 and length >= 2 * k]
    )
    scale = _scale(a, n)
    for k in splits:
        width = length // k
        parts = [
            (a[..., i * width : (i + 1) * width], n[..., i * width : (i + 1) * width])
            for i in range(k)
        ]
        wrong = [i for i, (pa, pn) in enumerate(parts) if not _close(pa, pn, scale)]
        right = [i for i in range(k) if i not in wrong]
        if not right or not wrong or (not names and len(wrong) > 1):
            continue
        if not all(_mostly_wrong(*parts[i], scale) for i in wrong):
            continue
        if names:
            bad = " and ".join(str(names[i]) for i in wrong)
            good = ", ".join(str(names[i]) for i in right)
            what = f"the {bad} block{'s' if len(wrong) > 1 else ''} of {g}"
            message = (
                f"only {what} {'are' if len(wrong) > 1 else 'is'} wrong (blocks {good} are right)"
            )
        else:
            i = wrong[0]
            message = (
                f"only block {i + 1} of {k} along the last axis of {g} (columns {i * width}:"
                f"{(i + 1) * width}) is wrong; the other blocks are right"
            )
        if len(wrong) == 1:
            message += _block_detail(*parts[wrong[0]])
        return Diagnosis("block", message + ".")
    return None


def _block_detail(a, n):
    """How one wrong block is wrong, as a clause ('' when it is no simple pattern)."""
    if not a.any():
        return ": there it is all zero"
    c = _factor(a, n)
    if c is None:
        return ""
    if abs(c + 1) < MATCH_TOL:
        return ": there its sign is flipped"
    return f": there it is {c:.4g} times the true gradient"


def clipping_mistake(result, grads, max_norm):
    """The "not_global_norm" diagnosis when the dict `result` is `grads` (a dict of arrays) clipped one
    tensor at a time — each scaled to its own norm, or each entry clipped by value — instead of all
    scaled by one factor; else None. Call it once `result` is known to be wrong: where clipping is
    inactive, the wrong ways agree with the right one."""
    ways = {"each tensor scaled by its own norm": lambda g: g * min(1.0, max_norm / max(np.linalg.norm(g), 1e-300)),
            "each entry clipped by value": lambda g: np.clip(g, -max_norm, max_norm)}
    for how, clip in ways.items():
        if set(result) == set(grads) and all(
                np.shape(result[k]) == np.shape(g) and _close(np.asarray(result[k], np.float64),
                                                               clip(np.asarray(g, np.float64)))
                for k, g in grads.items()):
            return Diagnosis(
                "not_global_norm",
                f"the gradients were clipped one at a time ({how}). Clipping by the global norm scales all of "
                "them by one factor, max_norm / (the norm of all of them together), so that the direction of the "
                "whole update is kept.",
            )
    return None


def difference_mistake(jacobian, f, x, h=1e-5):
    """The "one_sided_difference" diagnosis when `jacobian`, a numeric Jacobian of f at x that is known
    to be wrong, is a one-sided difference (f(x + h e_j) - f(x)) / h (or f(x) - f(x - h e_j)) for one of
    the usual steps h: off by about h/2 times the second derivative, not by a step's rounding; else None."""
    x = np.array(x, dtype=np.float64)
    J = np.asarray(jacobian, np.float64)
    base = np.asarray(f(x.copy()), np.float64).reshape(-1)
    if J.shape != (base.size, x.size):
        return None
    for step in dict.fromkeys((h, 1e-4, 1e-5, 1e-6)):  # smaller steps: too close to the truth to tell
        for sign, name in ((1, "forward"), (-1, "backward")):
            columns = []
            for j in range(x.size):
                moved = x.copy()
                moved.reshape(-1)[j] += sign * step
                columns.append(sign * (np.asarray(f(moved), np.float64).reshape(-1) - base) / step)
            if np.allclose(J, np.stack(columns, axis=1), rtol=1e-7, atol=1e-9):
                return Diagnosis(
                    "one_sided_difference",
                    f"your Jacobian is a {name} difference with step {step:g}: a one-sided difference is off "
                    "by about h/2 times the second derivative. The central difference (f(x + h) - f(x - h)) / 2h "
                    "cancels that term: its error is of order h^2.",
                )
    return None


def _mismatch(g, a, n, checked):
    """The generic message: how many values are wrong, and where the worst one is."""
    if not n.any():
        return Diagnosis(
            "mismatch",
            f"the loss does not change with this parameter (numeric gradient all zero), but your "
            f"{g} is not zero.",
        )
    wrong = _wrong(a, n, _scale(a, n))
    if not wrong.any():
        return Diagnosis(
            "mismatch",
            f"your {g} is close to the numeric gradient but not within the tolerance — is a small "
            "term missing, or is it computed in float32?",
        )
    if checked is not None:
        return Diagnosis(
            "mismatch",
            f"your {g} disagrees with the numeric gradient for {wrong.sum()} of the {a.size} "
            f"{checked} checked, in no pattern recognised here.",
        )
    worst = _index(np.unravel_index(np.argmax(np.abs(a - n)), a.shape))
    return Diagnosis(
        "mismatch",
        f"your {g} is wrong at {wrong.sum()} of {a.size} entries (largest difference at {worst}), "
        "in no pattern recognised here — recheck the formula for those entries.",
    )


def _wrong_shape(g, name, a, shape, numeric):
    """Diagnose a gradient a whose shape differs from the parameter's shape."""
    said = f"{g} has shape {a.shape} but {name} has shape {shape}"
    lead = a.ndim - len(shape)
    if lead > 0 and a.shape[lead:] == shape:
        # numpy broadcasting would silently apply such a gradient to the parameter
        axes = tuple(range(lead))
        if all(a.shape[i] == 1 for i in axes):
            return Diagnosis(
                "broadcast", f"{said}: drop the extra axis (sum without keepdims=True, or reshape)."
            )
        return Diagnosis(
            "broadcast",
            f"{said}: it looks like you forgot to sum over {_axes(a, axes)}{_sum_check(a, axes, numeric)}.",
        )
    if lead == 0 and all(s == t or t == 1 for s, t in zip(a.shape, shape)):
        axes = tuple(i for i, (s, t) in enumerate(zip(a.shape, shape)) if s != t)
        return Diagnosis(
            "broadcast",
            f"{said}: it looks like you forgot to sum over {_axes(a, axes)}, keeping the axis"
            f"{_sum_check(a, axes, numeric)}.",
        )
    if a.ndim == 2 and a.shape == shape[::-1]:
        if numeric is None:
            check = ""
        elif _close(a.T, numeric):
            check = "; its transpose is exactly the right gradient"
        else:
            check = "; even its transpose does not match the numeric gradient"
        return Diagnosis(
            "transpose",
            f"{said}: it looks transposed — check the order of the matrix product{check}.",
        )
    if a.size == int(np.prod(shape)):
        if numeric is None:
            check = ""
        elif _close(a.reshape(shape), numeric):
            check = "; reshaped, it is exactly the right gradient"
        else:
            check = "; even reshaped, it does not match the numeric gradient"
        return Diagnosis(
            "shape", f"{said}: it has the right number of entries but the wrong shape{check}."
        )
    return Diagnosis("shape", f"{said}.")


def _axes(a, axes):
    """Name the axes of a, by the course's batch-first layout: 'the batch axis 0 (size 4)'."""
    sizes = " x ".join(str(a.shape[i]) for i in axes)
    if axes == (0,):
        return f"the batch axis 0 (size {sizes})"
    if axes == (0, 1) and a.ndim == 3:
        return f"the batch and time axes 0 and 1 (sizes {sizes})"
    if len(axes) == 1:
        return f"axis {axes[0]} (size {sizes})"
    return f"axes {', '.join(map(str, axes))} (sizes {sizes})"


def _sum_check(a, axes, numeric):
    """Whether summing a over axes gives the numeric gradient, as a clause ('' when unknown)."""
    if numeric is None:
        return ""
    if _close(a.sum(axis=axes).reshape(numeric.shape), numeric):
        return "; summed over it, yours is exactly the right gradient"
    return "; even summed over it, yours does not match the numeric gradient"


def _scale(a, n):
    return max(float(np.abs(a).max(initial=0)), float(np.abs(n).max(initial=0)))


def _wrong(a, n, scale):
    """Boolean mask: entries where a and n disagree (the tensor's scale sets a floor)."""
    return np.abs(a - n) > MATCH_TOL * np.maximum(np.abs(a) + np.abs(n), 1e-3 * scale)


def _close(a, n, scale=None):
    return not _wrong(a, n, _scale(a, n) if scale is None else scale).any()


def _mostly_wrong(a, n, scale):
    """More than half of the entries that are not negligible disagree: a pervasive error."""
    significant = np.abs(a) + np.abs(n) > 1e-3 * scale
    return significant.any() and _wrong(a, n, scale)[significant].mean() > 0.5


def _index(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]"
