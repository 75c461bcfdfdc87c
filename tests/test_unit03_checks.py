"""Unit 03's hidden checks pass the reference answers and catch planted wrong ones; the gradient
checker names the classic BPTT mistakes.

The checks and the references are read from the solution notebook (grading.source), exactly as the
grader reads them, so these tests exercise what students are graded with. Wrong answers are built
from the reference functions of that notebook with one mistake each.
"""
import numpy as np
import pytest

from grading.paths import SOLUTIONS
from grading.source import read_solution_notebook
from utils import check_backward

NOTEBOOK = read_solution_notebook(SOLUTIONS / "03_rnn_bptt" / "03_rnn_bptt.ipynb")
REF = NOTEBOOK.namespace(with_solutions=True)
step_forward, step_backward = REF["rnn_step_forward"], REF["rnn_step_backward"]
forward, backward = REF["rnn_forward"], REF["rnn_backward"]
clip, mse_readout = REF["clip_grad_norm"], REF["mse_readout"]

# The functions each hidden check takes, in its order (the check's parameters before `rng`).
ARGUMENTS = {
    "rnn_step_forward": ["rnn_step_forward"],
    "rnn_step_backward": ["rnn_step_forward", "rnn_step_backward"],
    "rnn_forward": ["rnn_forward"],
    "rnn_backward": ["rnn_forward", "rnn_backward"],
    "clip_grad_norm": ["clip_grad_norm"],
    "tbptt_epoch": ["tbptt_epoch"],
}


def run_check(name, seed=None, **replace):
    """Run hidden_test_<name> on the reference functions, some of them replaced by wrong ones."""
    functions = [replace.get(f, REF[f]) for f in ARGUMENTS[name]]
    REF[f"hidden_test_{name}"](*functions, np.random.default_rng(seed))


def test_every_exercise_is_covered():
    assert sorted(NOTEBOOK.solutions) == sorted(ARGUMENTS)
    assert [e.grade_id for e in NOTEBOOK.exercises] == [f"test_{n}" for n in ARGUMENTS]
    assert NOTEBOOK.max_score == 16


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(ARGUMENTS))
def test_reference_passes_its_hidden_check(name, seed):
    run_check(name, seed=seed)


# ------------------------------------------------------------------------- planted mistakes


class Handle:
    """Not plain data: the grader could not pass it between processes."""


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def step_backward_with(mistake):
    """rnn_step_backward of the reference cache (x, h_prev, Wx, Wh, h_next) with one mistake."""

    def wrong(dh_next, cache):
        x, h_prev, Wx, Wh, h_next = cache
        delta = dh_next if mistake == "no tanh'" else dh_next * (1 - (h_prev if mistake == "tanh' of h_prev" else h_next) ** 2)
        dx, dh_prev = delta @ Wx.T, delta @ (Wh if mistake == "dh_prev @ Wh" else Wh.T)
        dWx, dWh, db = x.T @ delta, h_prev.T @ delta, delta.sum(axis=0)
        if mistake == "dWh transposed":
            dWh = dWh.T
        if mistake == "db not summed":
            db = delta
        if mistake == "dx sign":
            dx = -dx
        return dx, dh_prev, dWx, dWh, db

    return wrong


def backward_with(mistake, step=None):
    """rnn_backward with one of the classic BPTT mistakes (step: a replacement step backward)."""
    step = step or step_backward

    def wrong(dh, cache):
        N, T, H = dh.shape
        dx = [None] * T
        dWx = dWh = db = 0.0
        dh_prev = np.zeros((N, H))
        times = range(T) if mistake == "forwards in time" else reversed(range(T))
        for t in times:
            if mistake == "dh_prev dropped":  # the gradient from the future is not added
                upstream = dh[:, t]
            elif mistake == "last step's upstream only":  # as if only h_T fed a loss
                upstream = dh[:, t] if t == T - 1 else dh_prev
            else:
                upstream = dh[:, t] + dh_prev
            dx[t], dh_prev, dWx_t, dWh_t, db_t = step(upstream, cache[t])
            if mistake == "last step's weight gradients only":
                if t == T - 1:
                    dWx, dWh, db = dWx_t, dWh_t, db_t
            elif mistake == "weight gradients overwritten":  # dW = ... instead of dW += ...
                dWx, dWh, db = dWx_t, dWh_t, db_t
            else:
                dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
            if mistake == "only the last step computed":
                dx = [dx[T - 1] * (s == T - 1) for s in range(T)]
                break
        dx = np.stack(dx, axis=1)
        if mistake == "dx from the local gradient only":  # weights right, dx wrong before the last step
            dx = np.stack([step(dh[:, t], cache[t])[0] for t in range(T)], axis=1)
        if mistake == "dh0 zero":
            dh_prev = np.zeros_like(dh_prev)
        if mistake == "dWh transposed":
            dWh = dWh.T
        return dx, dh_prev, dWx, dWh, db

    return wrong


def forward_with(mistake):
    def wrong(x, h0, Wx, Wh, b):
        N, T, _ = x.shape
        h, cache, h_t = [], [], np.zeros_like(h0) if mistake == "h0 ignored" else h0
        for t in range(T):
            start = h0 if mistake == "state not carried" else h_t
            h_t, c = step_forward(x[:, t], start, Wx, Wh, b)
            h.append(h_t)
            cache.append(c)
        h = np.stack(h, axis=1)
        if mistake == "time-major":
            h = h.transpose(1, 0, 2)
        if mistake == "states shifted":  # returns h0 .. h_(T-1) instead of h_1 .. h_T
            h = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
        if mistake == "cache holds an object":
            cache = cache + [Handle()]
        return h, cache

    return wrong


def clip_with(mistake):
    def wrong(grads, max_norm):
        norms = {k: np.sqrt(np.sum(g**2)) for k, g in grads.items()}
        total = np.sqrt(sum(n**2 for n in norms.values()))
        if mistake == "per tensor":
            return {k: g * min(1.0, max_norm / norms[k]) for k, g in grads.items()}, total
        if mistake == "by value":
            return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total
        if mistake == "sum of norms":
            total = sum(norms.values())
        scale = max_norm / total if (total > max_norm or mistake == "always rescaled") else 1.0
        if mistake == "inverted factor":
            scale = 1 / scale
        if mistake == "in place":
            for g in grads.values():
                g *= scale
            return dict(grads), total
        clipped = {k: g * scale for k, g in grads.items()}
        if mistake == "norm after clipping":
            total = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
        return clipped, total

    return wrong


def tbptt_with(mistake):
    """The training loop with one mistake, built from the reference layers."""

    def wrong(params, x, y, h0, chunk, lr, max_norm):
        T = x.shape[1]
        p = params if mistake == "params updated in place" else dict(params)
        h, losses, total = h0, [], None
        bounds = [(s, min(s + chunk, T)) for s in range(0, T, chunk)]
        for start, end in bounds:
            if mistake == "gradient flows across chunks":  # backprop into earlier chunks: full BPTT
                hs, cache = forward(x[:, :end], h0, p["Wx"], p["Wh"], p["b"])
                dhs = np.zeros_like(hs)
                loss, dhs[:, start:], dWy, dby = mse_readout(hs[:, start:], y[:, start:end], p["Wy"], p["by"])
            else:
                h_start = np.zeros_like(h0) if mistake == "h zeroed between chunks" else (
                    h0 if mistake == "h reset between chunks" else h)
                hs, cache = forward(x[:, start:end], h_start, p["Wx"], p["Wh"], p["b"])
                loss, dhs, dWy, dby = mse_readout(hs, y[:, start:end], p["Wy"], p["by"])
            _, _, dWx, dWh, db = backward(dhs, cache)
            grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}
            if mistake == "no clipping":
                pass
            elif mistake == "clipped per tensor":
                grads = clip_with("per tensor")(grads, max_norm)[0]
            else:
                grads = clip(grads, max_norm)[0]
            if mistake == "one update at the end":
                total = grads if total is None else {k: total[k] + grads[k] for k in grads}
            elif mistake == "params updated in place":
                for k in p:
                    p[k] -= lr * grads[k]
            else:
                p = {k: p[k] - lr * grads[k] for k in p}
            h = hs[:, -1]
            if mistake == "state from the updated parameters":
                h = forward(x[:, start:end], h_start, p["Wx"], p["Wh"], p["b"])[0][:, -1]
            if mistake == "loss after the update":
                loss = mse_readout(forward(x[:, start:end], h_start, p["Wx"], p["Wh"], p["b"])[0],
                                   y[:, start:end], p["Wy"], p["by"])[0]
            losses.append(loss)
        if mistake == "one update at the end":
            p = {k: p[k] - lr * total[k] for k in p}
        return dict(p), h, losses

    return wrong


def hard_coded_step_forward(x, h_prev, Wx, Wh, b):
    return np.array([[0.0, np.tanh(0.5)]]), (x,)


WRONG = {
    "rnn_step_forward": {
        "sigmoid instead of tanh": lambda x, h, Wx, Wh, b: (sigmoid(x @ Wx + h @ Wh + b), (x, h, Wx, Wh)),
        "bias missing": lambda x, h, Wx, Wh, b: step_forward(x, h, Wx, Wh, 0 * b),
        "h_prev @ Wh.T": lambda x, h, Wx, Wh, b: step_forward(x, h, Wx, Wh.T, b),
        "no tanh": lambda x, h, Wx, Wh, b: (x @ Wx + h @ Wh + b, (x, h)),
        "cache holds an object": lambda x, h, Wx, Wh, b: (step_forward(x, h, Wx, Wh, b)[0], (x, Handle())),
        "hard-coded visible answer": hard_coded_step_forward,
    },
    "rnn_step_backward": {
        "missing tanh derivative": step_backward_with("no tanh'"),
        "tanh derivative at h_prev": step_backward_with("tanh' of h_prev"),
        "dWh transposed": step_backward_with("dWh transposed"),
        "dh_prev through Wh instead of Wh.T": step_backward_with("dh_prev @ Wh"),
        "db not summed over the batch": step_backward_with("db not summed"),
        "dx sign flipped": step_backward_with("dx sign"),
        "four gradients": lambda dh_next, cache: step_backward(dh_next, cache)[:4],
    },
    "rnn_forward": {
        "h0 ignored": forward_with("h0 ignored"),
        "state not carried": forward_with("state not carried"),
        "states shifted by one": forward_with("states shifted"),
        "time-major output": forward_with("time-major"),
        "cache holds an object": forward_with("cache holds an object"),
    },
    "rnn_backward": {
        "dh_prev dropped (no accumulation through time)": backward_with("dh_prev dropped"),
        "only the last step's upstream gradient": backward_with("last step's upstream only"),
        "only the last step's weight gradients": backward_with("last step's weight gradients only"),
        "weight gradients overwritten, not summed": backward_with("weight gradients overwritten"),
        "dx wrong at earlier steps": backward_with("dx from the local gradient only"),
        "only the last step computed": backward_with("only the last step computed"),
        "loop forwards in time": backward_with("forwards in time"),
        "dWh transposed": backward_with("dWh transposed"),
        "dh0 zero": backward_with("dh0 zero"),
        "missing tanh derivative": backward_with(None, step=step_backward_with("no tanh'")),
    },
    "clip_grad_norm": {
        "each tensor clipped on its own": clip_with("per tensor"),
        "clipped by value": clip_with("by value"),
        "sum of the tensors' norms": clip_with("sum of norms"),
        "norm after clipping returned": clip_with("norm after clipping"),
        "rescaled even below max_norm": clip_with("always rescaled"),
        "inverted factor": clip_with("inverted factor"),
        "gradients modified in place": clip_with("in place"),
    },
    "tbptt_epoch": {
        "h reset to h0 between chunks": tbptt_with("h reset between chunks"),
        "h zeroed between chunks": tbptt_with("h zeroed between chunks"),
        "gradient flows across chunks (full BPTT)": tbptt_with("gradient flows across chunks"),
        "one update at the end": tbptt_with("one update at the end"),
        "no clipping": tbptt_with("no clipping"),
        "clipped per tensor": tbptt_with("clipped per tensor"),
        "loss after the update": tbptt_with("loss after the update"),
        "state from the updated parameters": tbptt_with("state from the updated parameters"),
        "params updated in place": tbptt_with("params updated in place"),
    },
}

@pytest.mark.parametrize("name,mistake", [(n, m) for n, ms in WRONG.items() for m in ms])
def test_hidden_check_catches_planted_mistake(name, mistake):
    with pytest.raises(AssertionError), np.errstate(all="ignore"):
        run_check(name, seed=0, **{name: WRONG[name][mistake]})


# ------------------------------------------------------- the checker names the BPTT mistakes


def unrolled(x, h0, Wx, Wh, b):
    """The definition of the forward pass, as the hidden checks write it."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        states.append(h)
    return np.stack(states, axis=1)


def bptt_report(wrong_backward, seed=0, N=2, T=4, D=3, H=4):
    rng = np.random.default_rng(seed)
    inputs = {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(size=(N, H)),
              "Wx": rng.normal(size=(D, H)) / np.sqrt(D), "Wh": rng.normal(size=(H, H)) / np.sqrt(H),
              "b": rng.normal(size=H) / 2}
    _, cache = forward(*inputs.values())
    dh = rng.normal(size=(N, T, H))
    grads = dict(zip(inputs, wrong_backward(dh, cache)))
    return check_backward(unrolled, inputs, grads, dout=dh, mode="coordinate")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_checker_names_missing_accumulation_into_dh(seed):
    # The most common BPTT bug: the step gets dh[:, t] alone, without the dh_prev from step t + 1.
    report = bptt_report(backward_with("dh_prev dropped"), seed)
    assert not report.passed
    assert report["x"].kind == "last_step"
    assert report["x"].diagnosis == (
        "only the last time step of dx is right and the earlier steps are wrong: the gradient flowing "
        "back through time (dh_prev) is not added to the upstream gradient at each step.")
    assert "Also wrong: dx: only the last time step of dx is right" in str(report) or report.worst == "x"


def test_checker_names_only_the_last_steps_upstream_gradient():
    # As if only the last state fed a loss: dh[:, t] is ignored before the last step.
    report = bptt_report(backward_with("last step's upstream only"))
    assert report["x"].kind == "last_step"
    assert "is not added to the upstream gradient at each step" in report["x"].diagnosis


def test_checker_names_a_backward_pass_that_stops_after_the_last_step():
    # Only the last time step computed: dx is zero before it.
    report = bptt_report(backward_with("only the last step computed"))
    assert report["x"].kind == "last_step"
    assert report["x"].diagnosis == (
        "only the last time step of dx is right and every earlier step is zero: the gradient flowing "
        "back through time (into dh_prev) is missing.")
    assert "only the last time step of dx is right" in str(report)


def test_checker_on_dx_wrong_at_earlier_steps_only():
    # The weights are right; dx misses the gradient from the future before the last step.
    report = bptt_report(backward_with("dx from the local gradient only"))
    assert [t.name for t in report.tensors if not t.passed] == ["x"]
    assert report.kind == "last_step"
    assert str(report).startswith("Gradient check failed: dx is wrong")


def test_checker_on_weight_gradients_of_one_step_only():
    # dW = ... instead of dW += ...: dx and dh0 are right, the shared weights' gradients are one
    # step's contribution. The checker cannot split a numeric gradient by time step, so it names the
    # wrong tensors and their entries, without a recognised pattern ("mismatch").
    report = bptt_report(backward_with("weight gradients overwritten"))
    failed = {t.name: t.kind for t in report.tensors if not t.passed}
    assert set(failed) == {"Wx", "Wh", "b"}
    assert report["x"].passed and report["h0"].passed
    assert set(failed.values()) == {"mismatch"}


def test_checker_on_transposed_dWh_and_missing_tanh_derivative():
    report = bptt_report(backward_with("dWh transposed"))
    assert report["Wh"].kind == "transpose"
    report = bptt_report(backward_with(None, step=step_backward_with("no tanh'")))
    assert not report.passed and not report["x"].passed
