"""The gradient checker names the classic BPTT mistakes of rnn_backward.

Wrong backward passes are built from the reference functions of the solution notebook with one
mistake each, and checked against the unrolled forward pass as the hidden checks do. (Whether the
hidden checks catch and name the planted mistakes of this unit is tests/test_mistakes.py's question,
with the plants of tests/mistakes/03_rnn_bptt.py.)
"""
import numpy as np
import pytest

from grading.course import Course
from utils import check_backward

NOTEBOOK = Course().unit("03_rnn_bptt").notebooks[0]
REF = NOTEBOOK.namespace(with_solutions=True)
step_backward, forward = REF["rnn_step_backward"], REF["rnn_forward"]


def step_backward_with(mistake):
    """rnn_step_backward of the reference cache (x, h_prev, Wx, Wh, h_next) with one mistake."""

    def wrong(dh_next, cache):
        x, h_prev, Wx, Wh, h_next = cache
        delta = dh_next if mistake == "no tanh'" else dh_next * (1 - h_next ** 2)
        return delta @ Wx.T, delta @ Wh.T, x.T @ delta, h_prev.T @ delta, delta.sum(axis=0)

    return wrong


def backward_with(mistake, step=None):
    """rnn_backward with one of the classic BPTT mistakes (step: a replacement step backward)."""
    step = step or step_backward

    def wrong(dh, cache):
        N, T, H = dh.shape
        dx = [None] * T
        dWx = dWh = db = 0.0
        dh_prev = np.zeros((N, H))
        for t in reversed(range(T)):
            if mistake == "dh_prev dropped":  # the gradient from the future is not added
                upstream = dh[:, t]
            elif mistake == "last step's upstream only":  # as if only h_T fed a loss
                upstream = dh[:, t] if t == T - 1 else dh_prev
            else:
                upstream = dh[:, t] + dh_prev
            dx[t], dh_prev, dWx_t, dWh_t, db_t = step(upstream, cache[t])
            if mistake == "weight gradients overwritten":  # dW = ... instead of dW += ...
                dWx, dWh, db = dWx_t, dWh_t, db_t
            else:
                dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
            if mistake == "only the last step computed":
                dx = [dx[T - 1] * (s == T - 1) for s in range(T)]
                break
        dx = np.stack(dx, axis=1)
        if mistake == "dx from the local gradient only":  # weights right, dx wrong before the last step
            dx = np.stack([step(dh[:, t], cache[t])[0] for t in range(T)], axis=1)
        if mistake == "dWh transposed":
            dWh = dWh.T
        return dx, dh_prev, dWx, dWh, db

    return wrong


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
        "back through time (dh_prev, and dc_prev in an LSTM) is not added to the upstream gradient at each step.")
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
        "back through time (into dh_prev, and dc_prev in an LSTM) is missing.")
    assert "only the last time step of dx is right" in str(report)


def test_checker_on_dx_wrong_at_earlier_steps_only():
    # The weights are right; dx misses the gradient from the future before the last step.
    report = bptt_report(backward_with("dx from the local gradient only"))
    assert [t.name for t in report.tensors if not t.passed] == ["x"]
    assert report.kind == "last_step"
    assert str(report).startswith("Gradient check failed: dx is wrong")


def test_checker_on_weight_gradients_of_one_step_only():
    # dW = ... instead of dW += ...: dx and dh0 are right, the shared weights' gradients are one
    # step's contribution. The checker reruns the recurrence from each saved state, splits the true
    # gradient into one piece per step and finds the student's equal to one of them.
    report = bptt_report(backward_with("weight gradients overwritten"))
    failed = {t.name: t.kind for t in report.tensors if not t.passed}
    assert set(failed) == {"Wx", "Wh", "b"}
    assert report["x"].passed and report["h0"].passed
    assert set(failed.values()) == {"not_accumulated"}


def test_checker_on_transposed_dWh_and_missing_tanh_derivative():
    report = bptt_report(backward_with("dWh transposed"))
    assert report["Wh"].kind == "transpose"
    report = bptt_report(backward_with(None, step=step_backward_with("no tanh'")))
    assert not report.passed and not report["x"].passed
