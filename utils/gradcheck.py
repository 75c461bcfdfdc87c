"""Check a student's analytic gradients against numeric ones, and say what is wrong.

    report = check_gradients(loss, {"W": W, "b": b}, {"W": dW, "b": db})
    report.assert_ok()          # raises GradientCheckError with a message written for the student

Numeric gradients are central differences (f(p + h) - f(p - h)) / 2h in float64, either per
entry ("coordinate" mode: 2 forward passes per entry) or along a few random unit directions u of
each tensor ("directional" mode: the numeric directional derivative against <grad, u>, a handful
of forward passes whatever the tensor's size). Directional mode moves every tensor at once, each
along its own direction, and checks a tensor on its own only where that joint check cannot vouch
for it (a wrong gradient, or a tensor whose part of the derivative is too small to tell): right
gradients cost 1 + 2 * DIRECTIONS forward passes, however many tensors there are.

Each compared value gets the relative error |a - n| / max(|a| + |n|, floor), where the floor is
the larger of
- 1e-10 * (1 + |loss|) / h: rounding makes a central difference uncertain by about
  1e-16 * |loss| / h (measured on the course's models), and at the default tol this lets an entry
  whose true gradient is 0 be off by 10 times that noise and no more;
- 1e-3 * the largest numeric value of that tensor: an entry a thousand times smaller than its
  tensor's largest entry is judged against that scale, not against its own size.
A tensor passes when its worst error is <= tol.

A failing gradient is diagnosed (utils.diagnosis) with what the check knows besides the two gradients:
check_backward's layer output and upstream gradient; for a recurrence, each time step's part of a
shared weight's gradient; and for a table that the loss reads at integer parameters (E[idx]), each
reading's part, learnt by running the loss on a copy of the table with a row per reading (untied).

Besides a gradient's own diagnosis, the whole check fails with report.kind
- "nothing_to_check": the loss is 0 and every gradient, analytic and numeric, is 0;
- "no_dependence": every numeric gradient is 0 (the loss depends on no parameter);
- "inplace": computing the loss modified a parameter; "loss_not_finite": the loss is inf or nan.
"""

import functools
import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from utils.diagnosis import (
    Diagnosis,
    Layer,
    diagnose,
    invalid_gradient,
    missing_gradient,
)

AUTO_COORDINATE_MAX = 2000  # auto mode checks every entry up to this many entries in all
FALLBACK_MAX = 20000  # a tensor failing its directional check is re-checked per entry up to this size
DIRECTIONS = 2  # random directions in directional mode (for all tensors at once, or per tensor)
NOISE = 1e-10  # the absolute floor is NOISE * (1 + |loss|) / h
SCALE_FLOOR = 1e-3  # the relative floor is SCALE_FLOOR * the tensor's largest numeric value
SHOWN = 5  # worst entries kept per tensor
# A recurrence's weight gradient is split into its steps' contributions (to name one step's kept
# alone) up to this many steps: the split costs (T + 1) / 2 times the tensor's entry-by-entry check.
SPLIT_MAX_STEPS = 10
# A table read at rows idx (table[idx]) is split into one copy per reading (to name a repeated
# row's readings overwritten, not added) up to this many entries of the copies.
UNTIE_MAX = 4000


class GradientCheckError(AssertionError):
    """Raised by GradientReport.assert_ok(); its message is the report (after `context`, when
    given: what was checked), `kind` its diagnosis code."""

    def __init__(self, report, context=None):
        super().__init__(str(report) if context is None else f"{context}:\n{report}")
        self.report, self.kind, self.context = report, report.kind, context


@dataclass
class TensorResult:
    """The check of one parameter's gradient.

    worst_error: the worst relative error (inf when the gradient is unusable: None, wrong shape...).
    method: "coordinate" (every entry), "sampled" (max_coords entries), "directional" (its own random
        directions) or "together" (passed the directional check of every tensor at once).
    worst_entries: up to 5 failing entries (index, analytic, numeric), worst first; empty when
        the tensor passed or was checked along directions only.
    projections: method "directional", (analytic, numeric) per direction; else empty.
    diagnosis, kind: the likely mistake (a sentence and its code), None when passed.
    """

    name: str
    shape: tuple
    worst_error: float
    passed: bool
    method: str
    worst_entries: list = field(default_factory=list)
    projections: list = field(default_factory=list)
    diagnosis: str | None = None
    kind: str | None = None

    @property
    def grad_name(self):
        return "d" + self.name


@dataclass
class GradientReport:
    """The result of a gradient check; str() is the message for the student.

    tensors: a TensorResult per checked parameter, in the order of params.
    problem: a failure of the whole check (e.g. nothing to check), else None.
    """

    tensors: list
    mode: str
    forward_passes: int
    tol: float
    problem: Diagnosis | None = None

    @property
    def passed(self):
        return self.problem is None and all(t.passed for t in self.tensors)

    @property
    def worst(self):
        """Name of the parameter whose gradient is worst (None when none was checked)."""
        worst = _worst(self.tensors)
        return worst and worst.name

    @property
    def diagnosis(self):
        """One line for the worst failing gradient (or the whole check); None when passed."""
        if self.problem is not None:
            return self.problem.message
        failed = self._worst_failed()
        return failed and failed.diagnosis

    @property
    def kind(self):
        """The code of `diagnosis` (e.g. "sign"); None when passed."""
        if self.problem is not None:
            return self.problem.kind
        failed = self._worst_failed()
        return failed and failed.kind

    def __getitem__(self, name):
        """The TensorResult of the parameter `name`."""
        return {t.name: t for t in self.tensors}[name]

    def assert_ok(self, context=None):
        """Return the report when it passed; else raise GradientCheckError, its message the report
        after `context` (what was checked, e.g. "node_backward('add', ...)") when given."""
        if not self.passed:
            raise GradientCheckError(self, context)
        return self

    def _worst_failed(self):
        """The failed tensor the report leads with: a recognised mistake before a larger error
        that fits no pattern (the recognised one usually explains the others)."""
        failed = [t for t in self.tensors if not t.passed]
        return _worst([t for t in failed if t.kind not in (None, "mismatch")]) or _worst(failed)

    def __str__(self):
        if self.problem is not None:
            return f"Gradient check failed: {self.problem.message}"
        names = ", ".join(t.grad_name for t in self.tensors)
        error = max((t.worst_error for t in self.tensors), default=0.0)
        if self.passed:
            return (
                f"Gradient check passed: {names} (worst relative error {error:.1e}, "
                f"{self.forward_passes} forward passes, {self.mode} mode)."
            )
        worst = self._worst_failed()
        g = worst.grad_name
        if math.isinf(worst.worst_error):
            lines = [
                f"Gradient check failed: {g} is not a valid gradient.",
                f"Problem: {worst.diagnosis}",
            ]
        else:
            lines = [
                f"Gradient check failed: {g} is wrong (worst relative error {worst.worst_error:.1e}, "
                f"tolerance {self.tol:g}).",
                f"Likely mistake: {worst.diagnosis}",
            ]
        if worst.worst_entries:
            lines.append(f"Worst entries of {g} (index: yours vs numeric):")
            lines += [
                f"  [{', '.join(map(str, i))}]: {a:.6g} vs {n:.6g}"
                for i, a, n in worst.worst_entries
            ]
        if worst.projections:
            lines.append(f"Derivatives along random directions u (<{g}, u>: yours vs numeric):")
            lines += [
                f"  u{k + 1}: {a:.6g} vs {n:.6g}" for k, (a, n) in enumerate(worst.projections)
            ]
            lines.append(
                f"({g} is too large to check entry by entry: check it on smaller shapes to find the wrong entries.)"
            )
        others = [t for t in self.tensors if t is not worst]
        lines += [f"Also wrong: {t.grad_name}: {t.diagnosis}" for t in others if not t.passed]
        ok = [f"{t.grad_name} OK ({t.worst_error:.1e})" for t in others if t.passed]
        if ok:
            lines.append(f"Other tensors: {', '.join(ok)}.")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def check_gradients(
    loss, params, grads, *, mode="auto", h=1e-5, tol=1e-5, rng=None, blocks=None, max_coords=None
):
    """Compare analytic gradients with central differences of `loss`.

    loss: loss(**params) -> float, a scalar function of named arrays.
    params: name -> float array (or float). Integer (or other non-float) values that have no entry
        in grads are passed to loss unchanged and not checked (class labels, indices, masks).
    grads: name -> the analytic gradient of loss for that parameter, of the parameter's shape.
    mode: "coordinate" (every entry, 2 forward passes each), "directional" (DIRECTIONS random unit
        directions, every tensor moved at once; a tensor that this cannot vouch for is checked
        along directions of its own, and when it fails and has <= FALLBACK_MAX entries, per
        coordinate to locate the wrong entries) or "auto" (coordinate up to AUTO_COORDINATE_MAX
        entries in all, directional above).
    h: the step. tol: the largest relative error that passes (see the module docstring).
    rng: np.random.Generator for the directions and samples (default: np.random.default_rng(0)).
    blocks: name -> names of the equal blocks that the last axis is split into, e.g.
        {"Wx": ["i", "f", "g", "o"]}, so that the diagnosis can name one wrong block.
    max_coords: check only this many random entries per tensor wherever entries are checked.
    The caller's arrays are never modified: the check perturbs private float64 copies.
    """
    return _check_gradients(
        loss, params, grads, mode=mode, h=h, tol=tol, rng=rng, blocks=blocks, max_coords=max_coords,
        layer=None,
    )


def _check_gradients(loss, params, grads, *, mode, h, tol, rng, blocks, max_coords, layer):
    """check_gradients, with `layer` (a utils.diagnosis.Layer or None): what check_backward knows
    of the layer's output and upstream gradient, for the diagnosis of a missing local derivative."""
    if mode not in ("auto", "coordinate", "directional"):
        raise ValueError(f"mode must be 'auto', 'coordinate' or 'directional', not {mode!r}")
    names = [k for k, v in params.items() if k in grads or np.asarray(v).dtype.kind == "f"]
    if not names:
        raise ValueError("no parameter to check: params has no float array and grads no entry")
    # C order, so that a flat view of each copy writes through to it
    copies = {k: np.array(params[k], dtype=np.float64, order="C") for k in names}
    constants = {k: v for k, v in params.items() if k not in copies}
    blocks = blocks or {}
    for key, parts in blocks.items():
        if (
            key not in copies
            or not parts
            or copies[key].ndim == 0
            or copies[key].shape[-1] % len(parts)
        ):
            raise ValueError(
                f"blocks[{key!r}]: {len(parts)} blocks do not split the last axis of {key!r}"
            )
    if mode == "auto":
        mode = (
            "coordinate"
            if sum(p.size for p in copies.values()) <= AUTO_COORDINATE_MAX
            else "directional"
        )

    calls = 0

    def f(**changed):
        """The loss at the copies, or with some parameters replaced by `changed`."""
        nonlocal calls
        calls += 1
        value = np.asarray(loss(**{**constants, **copies, **changed}))
        if value.shape != ():
            raise TypeError(f"loss must return a scalar, not an array of shape {value.shape}")
        return float(value)

    before = {k: p.copy() for k, p in copies.items()}
    base = f()
    problem = _loss_problem(base, copies, before)
    if problem is not None:
        return GradientReport([], mode, calls, tol, problem)

    checker = _Checker(
        f,
        params,
        h,
        tol,
        NOISE * (1 + abs(base)) / h,
        rng or np.random.default_rng(0),
        blocks,
        max_coords,
        layer,
    )
    results, numerics, analytics = {}, [], []
    if mode == "directional" and len(names) > 1:
        errors, numeric = checker.together({k: copies[k] for k in names}, grads)
        for name, error in errors.items():
            if error <= tol:
                results[name] = TensorResult(name, copies[name].shape, error, True, "together")
                analytics.append(np.asarray(grads[name]))
        numerics += [numeric] if results else []
    for name in names:
        if name not in results:
            results[name], numeric, analytic = checker.check(name, copies[name], grads, mode)
            numerics += [] if numeric is None else [numeric]
            analytics += [] if analytic is None else [analytic]
    tensors = [results[name] for name in names]
    return GradientReport(tensors, mode, calls, tol, _nothing_to_check(base, numerics, analytics))


def check_backward(forward, inputs, grads, dout=None, *, outputs=None, **kwargs):
    """Check a layer's backward pass against its forward pass.

    forward: forward(**inputs) -> out, or a tuple (out_1, ..., out_m, cache, ...) of outputs.
    inputs: name -> array, the inputs of forward.
    grads: name -> the student's gradient, of that input's shape, of the loss
        sum_k sum(out_k * dout_k) (what their *_backward returned for the upstream gradients dout).
    dout: the upstream gradient of forward's first output (an array of its shape), or a tuple
        (dout_1, ..., dout_k) of the upstream gradients of its first k outputs, in the order forward
        returns them: dout=(dh_next, dc_next) for forward -> (h_next, c_next, cache).
        Default: standard normal arrays from kwargs["rng"] (or np.random.default_rng(0)).
    outputs: how many of forward's first outputs the loss sums over, when dout is None (default 1:
        out_1 only). outputs=2 draws random upstream gradients for h_next and c_next.
    Other keyword arguments go to check_gradients. A count or shape of dout that does not fit
    forward's outputs raises ValueError; an output counted that is no array (the cache) TypeError.
    """
    rng = kwargs["rng"] = kwargs.get("rng") or np.random.default_rng(0)
    count, upstream = _upstream(dout, outputs)
    name = getattr(forward, "__name__", "forward")
    layer = Layer()  # filled by the first call, at the unperturbed inputs

    def loss(**values):
        outs = _outputs(forward(**values), count, name)
        # the first call, with the checker's own copies, fixes dout: no extra forward pass
        if upstream[0] is None:
            upstream[:] = [rng.standard_normal(out.shape) for out in outs]
        if layer.output is None and count == 1:
            # the diagnosis of a local derivative needs out and dout at the checked point
            layer.output, layer.upstream = outs[0].copy(), upstream[0]
            h = bound.arguments["h"]
            layer.steps = _recurrence(forward, values, layer.output, layer.upstream, name, h)
        total = 0.0
        for k, (out, d) in enumerate(zip(outs, upstream)):
            if d.shape != out.shape:
                which, of = (
                    (f"dout[{k}]", f"{name}(...)[{k}]")
                    if isinstance(dout, tuple)
                    else ("dout", f"the output of {name}")
                )
                raise ValueError(
                    f"{which} has shape {d.shape} but {of} has shape {out.shape}: "
                    "give each upstream gradient the shape of the output it belongs to"
                    + (" (and several of them as a tuple, not a list)." if isinstance(dout, list) else ".")
                )
            total = total + np.sum(out * d)
        return total

    # check_gradients' own defaults, and its own error for an unknown keyword
    bound = inspect.signature(check_gradients).bind(loss, inputs, grads, **kwargs)
    bound.apply_defaults()
    return _check_gradients(*bound.args, **bound.kwargs, layer=layer)


def _recurrence(forward, inputs, out, dout, name, h):
    """For a layer out = forward(x, h0, weights...) that runs a recurrence along axis 1 of x (N, T, D),
    carried from step to step by out (N, T, H) alone (out[:, t] is the state after step t, h0 (N, H)
    the state before step 0): a function steps(key) -> the gradient of weight `key` split into the
    contributions of the T steps, or None (for x and h0). None for any other layer, and for more
    than SPLIT_MAX_STEPS steps.

    The steps from s on are themselves the layer run on x[:, s:] from the state out[:, s-1]: the
    gradient of their loss with that state held is the sum of the contributions of steps s..T-1, so
    one contribution is the difference of two such gradients (and step 0's: the whole gradient's).
    steps first checks that the suffixes rerun this way reproduce out: an LSTM, whose cell state
    is carried too but is no output, gets None.
    """
    if out.ndim != 3 or not 2 <= out.shape[1] <= SPLIT_MAX_STEPS:
        return None
    N, T = out.shape[:2]
    floats = {k: v for k, v in inputs.items() if np.asarray(v).dtype.kind == "f"}
    # which inputs are x and h0 the shapes may not tell (W of shape (N, H)): each pair is tried
    pairs = [
        (x, h0)
        for x, v in floats.items()
        if np.ndim(v) == 3 and np.shape(v)[:2] == (N, T)
        for h0, w in floats.items()
        if np.shape(w) == out.shape[:1] + out.shape[2:]
    ]
    if not pairs:
        return None
    values = {k: np.array(v, dtype=np.float64) if k in floats else v for k, v in inputs.items()}

    def run(pair, s, **changed):
        """out[:, s:]: the layer run on x[:, s:] from the state before step s (out[:, s - 1])."""
        x, h0 = pair
        start = {x: values[x][:, s:], h0: out[:, s - 1]} if s else {}
        return _outputs(forward(**{**values, **changed, **start}), 1, name)[0]

    def reruns(pair):
        """Whether the suffixes rerun with (x, h0) = pair reproduce out."""
        try:
            return all(np.allclose(run(pair, s), out[:, s:], rtol=1e-10, atol=1e-12) for s in range(1, T))
        except Exception:  # noqa: BLE001 — a forward that cannot run so is no such recurrence
            return False

    @functools.cache
    def recurrence():
        """The pair (x, h0) with which the suffixes rerun reproduce out, or None."""
        return next((pair for pair in pairs if reruns(pair)), None)

    def steps(key):
        # tried only here, when a gradient is diagnosed: a passing check costs no extra pass
        pair = recurrence()
        if pair is None or key in pair or key not in floats:
            return None
        p = values[key].copy()

        def loss_from(s):
            """The loss of steps s.. (the state before step s held), a function of p."""
            return lambda: float(np.sum(run(pair, s, **{key: p}) * dout[:, s:]))

        # suffix[s]: the gradient of the loss of steps s.. (s = 0: the whole gradient)
        suffix = [_central(loss_from(s), p, np.arange(p.size), h).reshape(p.shape) for s in range(T)]
        return [suffix[t] - (suffix[t + 1] if t + 1 < T else 0.0) for t in range(T)]

    return steps


def _central(f, p, index, h):
    """Central differences of f() at the given flat indices of p, which f reads (restored after)."""
    flat = p.reshape(-1)
    out = np.empty(len(index))
    for k, i in enumerate(index):
        old = flat[i]
        flat[i] = old + h
        plus = f()
        flat[i] = old - h
        minus = f()
        flat[i] = old
        # the step that rounding actually left, not 2h
        out[k] = (plus - minus) / ((old + h) - (old - h))
    return out


def _upstream(dout, outputs):
    """-> (number of outputs the loss uses, list of their float64 upstream gradients or [None])."""
    if outputs is not None and (
        isinstance(outputs, bool) or not isinstance(outputs, int) or outputs < 1
    ):
        raise ValueError(
            f"outputs must be a positive int (how many outputs of forward to check), not {outputs!r}"
        )
    if dout is None:
        return outputs or 1, [None]
    douts = dout if isinstance(dout, tuple) else (dout,)
    if not douts:
        raise ValueError(
            "dout is an empty tuple: give one upstream gradient per output to check, or None"
        )
    if outputs is not None and outputs != len(douts):
        raise ValueError(
            f"outputs={outputs} but dout has {len(douts)} upstream gradient(s): give dout as a tuple of "
            f"{outputs} arrays, one per output, or leave outputs out."
        )
    if any(d is None for d in douts):
        raise ValueError(
            "dout holds None: give an array for every output, or dout=None for random ones"
        )
    return len(douts), [np.asarray(d, dtype=np.float64) for d in douts]


def _outputs(result, count, name):
    """The first `count` outputs of forward's `result`, as float64 arrays."""
    if result is None:
        raise TypeError(f"{name} returned None instead of its output")
    outs = result if isinstance(result, tuple) else (result,)
    if len(outs) < count:
        got = f"a tuple of {len(outs)}" if isinstance(result, tuple) else "one array, not a tuple"
        raise ValueError(
            f"{count} upstream gradients for {name}, but it returned {got}: give dout (or outputs) "
            f"at most as many entries as {name} has outputs, in the order it returns them."
        )
    arrays = []
    for k, out in enumerate(outs[:count]):
        if out is None:
            raise TypeError(f"{name}(...)[{k}] is None instead of an array")
        try:
            arrays.append(np.asarray(out, dtype=np.float64))
        except (TypeError, ValueError):
            hint = ": do dout (or outputs) count the cache as an output?" if k else "."
            raise TypeError(
                f"{name}(...)[{k}] is a {type(out).__name__}, not an array of numbers{hint}"
            ) from None
    return arrays


class _Checker:
    """Compares the gradient of one tensor at a time; f() evaluates the loss at the copies."""

    def __init__(self, f, params, h, tol, floor, rng, blocks, max_coords, layer):
        self.f, self.params, self.h, self.tol, self.floor = f, params, h, tol, floor
        self.rng, self.blocks, self.max_coords, self.layer = rng, blocks, max_coords, layer

    def check(self, name, p, grads, mode):
        """-> (TensorResult, numeric values computed or None, analytic array or None)."""
        if name not in grads:
            found = missing_gradient(name, list(grads))
            return (
                TensorResult(
                    name, p.shape, math.inf, False, mode, diagnosis=found.message, kind=found.kind
                ),
                None,
                None,
            )
        found = invalid_gradient(name, grads[name], p, self.params)
        if found is not None:
            numeric = None
            # a wrong shape is diagnosed better with the numeric gradient (does summing fix it?)
            if (
                found.kind in ("broadcast", "transpose", "shape")
                and self.max_coords is None
                and (mode == "coordinate" or p.size <= FALLBACK_MAX)
            ):
                numeric = self.entries(p, np.arange(p.size)).reshape(p.shape)
                found = invalid_gradient(name, grads[name], p, self.params, numeric)
            result = TensorResult(
                name, p.shape, math.inf, False, mode, diagnosis=found.message, kind=found.kind
            )
            return result, numeric, None
        a = np.asarray(grads[name], dtype=np.float64)
        if mode == "directional" and p.size:
            result, numeric = self.directional(name, p, a)
            if result.passed or p.size > FALLBACK_MAX:
                return result, numeric, a
        result, numeric = self.coordinate(name, p, a)
        return result, numeric, a

    def coordinate(self, name, p, a):
        """Compare every entry of a (or max_coords random ones) with central differences."""
        whole = self.max_coords is None or self.max_coords >= p.size
        index = (
            np.arange(p.size)
            if whole
            else np.sort(self.rng.choice(p.size, self.max_coords, replace=False))
        )
        n = self.entries(p, index)
        values = a.reshape(-1)[index]
        err = self.errors(values, n)
        order = [k for k in np.argsort(-err, kind="stable")[:SHOWN] if err[k] > self.tol]
        worst = [
            (
                tuple(int(i) for i in np.unravel_index(index[k], p.shape)),
                float(values[k]),
                float(n[k]),
            )
            for k in order
        ]
        result = self.result(
            name, p, err, "coordinate" if whole else "sampled", worst_entries=worst
        )
        if not result.passed:
            if whole:
                n = n.reshape(p.shape)
                layer, params = self.untied(name, p, n) or (self.layer, self.params)
                found = diagnose(name, a, n, params, self.blocks.get(name), layer=layer)
            else:
                found = diagnose(name, values, n, self.params, checked="sampled entries")
            result.diagnosis, result.kind = found.message, found.kind
        return result, n

    def directional(self, name, p, a):
        """Compare <a, u> with the numeric derivative along DIRECTIONS random unit vectors u."""
        analytic, numeric = self.along({name: (p, a)})
        analytic = analytic[:, 0]
        err = self.errors(analytic, numeric)
        result = self.result(
            name, p, err, "directional", projections=list(zip(analytic.tolist(), numeric.tolist()))
        )
        if not result.passed:
            found = diagnose(name, analytic, numeric, self.params, checked="random directions")
            result.diagnosis, result.kind = found.message, found.kind
        return result, numeric

    def together(self, copies, grads):
        """One directional check of every tensor at once, each moved along its own random unit
        direction u_k: ({name: error}, numeric derivatives). A tensor's error is the gap between the
        numeric derivative and the sum of the <a_k, u_k> relative to its own projection (as if the
        whole gap were its own): at most tol, it passed without a check of its own. A wrong gradient
        anywhere opens the gap (with probability 1); the tensors it leaves above tol, those missing
        or unusable, and those whose projection is too small to vouch for are checked one by one,
        which names the wrong one. So the check of right gradients costs 1 + 2 * DIRECTIONS forward
        passes, whatever the number of tensors."""
        usable = {
            name: (p, np.asarray(grads[name], dtype=np.float64))
            for name, p in copies.items()
            if name in grads and p.size and invalid_gradient(name, grads[name], p, self.params) is None
        }
        if not usable:
            return {}, None
        analytic, numeric = self.along(usable)
        gap = np.abs(analytic.sum(axis=1) - numeric)[:, None]
        errors = np.where(np.isfinite(gap), gap / np.maximum(2 * np.abs(analytic), self.floor), np.inf)
        return dict(zip(usable, errors.max(axis=0).tolist())), numeric

    def along(self, tensors):
        """{name: (p, a)} -> (<a, u> per direction and tensor (DIRECTIONS, len(tensors)), numeric
        derivative of the loss per direction), each p moved along its own random unit direction u
        at once (and restored after)."""
        starts = {name: p.copy() for name, (p, _) in tensors.items()}
        analytic, numeric = [], []
        for _ in range(DIRECTIONS):
            steps, projections = {}, []
            for name, (p, a) in tensors.items():
                # Any continuous law with a density finds a wrong gradient with probability 1; uniform draws
                # cost a fifth of normal ones, which counts on the million-entry cases of the hidden checks.
                u = self.rng.random(p.shape) - 0.5
                u *= self.h / np.linalg.norm(u)
                steps[name] = u
                projections.append(float(np.vdot(a, u)) / self.h)
            for name, (p, _) in tensors.items():
                np.add(starts[name], steps[name], out=p)
            plus = self.f()
            for name, (p, _) in tensors.items():
                np.subtract(starts[name], steps[name], out=p)
            minus = self.f()
            for name, (p, _) in tensors.items():
                p[...] = starts[name]
            analytic.append(projections)
            numeric.append((plus - minus) / (2 * self.h))
        return np.array(analytic), np.array(numeric)

    def untied(self, name, p, n):
        """For a table p that the loss reads only at the rows given by integer parameters (p[idx],
        or p[o] and p[neg_idx]), some row read more than once: (a Layer, the parameters) for the
        diagnosis, the Layer's output the rows read and its upstream gradient the gradient of each
        reading on its own (the loss run on a copy of the table with a row per reading), with which
        readings overwritten are told from readings added. None for any other tensor."""
        if p.ndim < 1 or not p.shape[0]:
            return None
        ints = {
            key: np.asarray(value) for key, value in self.params.items()
            if np.asarray(value).dtype.kind in "iu" and np.size(value)
            and np.min(value) >= 0 and np.max(value) < p.shape[0]
        }
        # all the index parameters together first (a loss that reads p[o] and p[neg_idx]), then each
        for keys in ([tuple(ints)] if len(ints) > 1 else []) + [(key,) for key in ints]:
            flat = np.concatenate([ints[key].reshape(-1) for key in keys])
            if np.unique(flat).size == flat.size or flat.size * (p.size // p.shape[0]) > UNTIE_MAX:
                continue
            rows = p[flat].copy()
            starts = np.cumsum([0] + [ints[key].size for key in keys])
            apart = {key: np.arange(s, s + ints[key].size).reshape(ints[key].shape) for key, s in zip(keys, starts)}
            try:
                same = math.isclose(self.f(**{name: rows}, **apart), self.f(), rel_tol=1e-12, abs_tol=1e-12)
            except Exception:  # noqa: BLE001 — a loss that reads the table otherwise cannot be untied
                same = False
            if not same:
                continue
            upstream = _central(lambda: self.f(**{name: rows}, **apart), rows, np.arange(rows.size), self.h)
            upstream = upstream.reshape(rows.shape)
            summed = np.zeros_like(n)
            np.add.at(summed, flat, upstream)
            if not np.allclose(summed, n, rtol=1e-5, atol=1e-8 * (1 + np.abs(n).max())):
                continue
            if len(keys) == 1:  # the index keeps its shape: the diagnosis names its rows by its own name
                key, shape = keys[0], ints[keys[0]].shape + p.shape[1:]
                return Layer(output=rows.reshape(shape), upstream=upstream.reshape(shape)), self.params
            return Layer(output=rows, upstream=upstream), {**self.params, f"[{', '.join(keys)}]": flat}
        return None

    def entries(self, p, index):
        """Central differences of the loss at the given flat indices of p (restored after)."""
        return _central(self.f, p, index, self.h)

    def errors(self, a, n):
        """Relative error per value, with the floor of the module docstring; inf where n is not finite."""
        finite = np.isfinite(n)
        floor = max(self.floor, SCALE_FLOOR * float(np.abs(n[finite]).max(initial=0)))
        err = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)
        return np.where(finite, err, np.inf)

    def result(self, name, p, err, method, **details):
        error = float(err.max(initial=0))
        return TensorResult(name, p.shape, error, error <= self.tol, method, **details)


def _loss_problem(base, copies, before):
    """A reason why the loss cannot be differentiated numerically at all, or None."""
    if not math.isfinite(base):
        return Diagnosis(
            "loss_not_finite",
            f"the loss is {base} at the given parameters, so no gradient can be checked — look for a "
            "log of 0, a division by zero or an overflow in the forward pass.",
        )
    changed = [k for k, p in copies.items() if not np.array_equal(p, before[k], equal_nan=True)]
    if changed:
        return Diagnosis(
            "inplace",
            f"computing the loss changed {', '.join(changed)} in place, so no gradient can be checked — "
            "the forward pass must not modify its inputs (write x = x + 1, not x += 1).",
        )
    return None


def _nothing_to_check(base, numerics, analytics):
    """Fail a check that cannot tell a right gradient from a wrong one: every numeric value is 0."""
    if not numerics or any(np.any(n) for n in numerics):
        return None
    if base == 0 and not any(np.any(a) for a in analytics):
        return Diagnosis(
            "nothing_to_check",
            "there is nothing to check: the loss is 0 and every gradient (yours and the numeric one) "
            "is 0 — usually the function is not implemented yet and returns zeros.",
        )
    return Diagnosis(
        "no_dependence",
        "the loss does not change when any parameter moves (every numeric gradient is 0), so "
        "there is nothing to compare your gradients with — is the forward pass implemented and "
        "using its parameters? (Or is it saturated at these inputs, e.g. a sigmoid or softmax of "
        "huge scores? Then check it at other inputs.)",
    )


def _worst(tensors):
    """The result with the largest error; among equal errors a recognised mistake comes first."""
    return max(
        tensors, key=lambda t: (t.worst_error, t.kind not in (None, "mismatch")), default=None
    )
