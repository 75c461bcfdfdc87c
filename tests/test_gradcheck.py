"""Tests of utils.gradcheck and utils.diagnosis on small models whose gradients are known.

Each classic mistake is planted in a correct gradient; the test asserts that the check fails and
that the diagnosis names the mistake (by its `kind` code, not by its prose).
"""

import numpy as np
import pytest

from utils import GradientCheckError, check_backward, check_gradients
from utils.diagnosis import diagnose
from utils.gradcheck import DIRECTIONS, FALLBACK_MAX, SPLIT_MAX_STEPS


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---------------------------------------------------------------- models with known gradients


def affine_forward(x, W, b):
    """x (N, D), W (D, H), b (H,) -> out (N, H), cache."""
    return x @ W + b, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def affine_case(seed=0, N=4, D=3, H=5):
    """Inputs, dout and correct gradients of the affine layer: (inputs, dout, grads)."""
    rng = np.random.default_rng(seed)
    inputs = {
        "x": rng.standard_normal((N, D)),
        "W": rng.standard_normal((D, H)),
        "b": rng.standard_normal(H),
    }
    dout = rng.standard_normal((N, H))
    dx, dW, db = affine_backward(dout, (inputs["x"], inputs["W"]))
    return inputs, dout, {"x": dx, "W": dW, "b": db}


def tanh_layer(x, W, b):
    """tanh(x @ W + b): x (N, D), W (D, H), b (H,) -> (N, H)."""
    return np.tanh(x @ W + b)


def tanh_layer_grads(x, W, b, dout):
    da = dout * (1 - np.tanh(x @ W + b) ** 2)
    return {"x": da @ W.T, "W": x.T @ da, "b": da.sum(axis=0)}


def softmax_cross_entropy(scores, y):
    """Mean over the batch: scores (N, C), y (N,) int labels -> (loss, dscores (N, C))."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n


def rnn_forward(x, h0, Wx, Wh, b):
    """tanh RNN: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,) -> h (N, T, H)."""
    h, prev = [], h0
    for t in range(x.shape[1]):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    return np.stack(h, axis=1)


def rnn_backward(x, h0, Wx, Wh, b, dh, through_time=True):
    """Gradients of sum(h * dh); through_time=False plants the BPTT bug (dh_prev dropped)."""
    h = rnn_forward(x, h0, Wx, Wh, b)
    grads = {
        "x": np.zeros_like(x),
        "Wx": np.zeros_like(Wx),
        "Wh": np.zeros_like(Wh),
        "b": np.zeros_like(b),
    }
    dprev = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h[:, t - 1] if t > 0 else h0
        da = (dh[:, t] + (dprev if through_time else 0)) * (1 - h[:, t] ** 2)
        grads["x"][:, t] = da @ Wx.T
        grads["Wx"] += x[:, t].T @ da
        grads["Wh"] += prev.T @ da
        grads["b"] += da.sum(axis=0)
        dprev = da @ Wh.T
    grads["h0"] = dprev
    return grads


def rnn_case(seed=0, N=2, T=4, D=3, H=4):
    rng = np.random.default_rng(seed)
    inputs = {
        "x": rng.standard_normal((N, T, D)),
        "h0": rng.standard_normal((N, H)),
        "Wx": rng.standard_normal((D, H)) * 0.5,
        "Wh": rng.standard_normal((H, H)) * 0.5,
        "b": rng.standard_normal(H) * 0.1,
    }
    return inputs, rng.standard_normal((N, T, H))


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step, gates [i, f, g, o] along 4H: x (N, D), h_prev, c_prev (N, H), Wx (D, 4H),
    Wh (H, 4H), b (4H,) -> (h_next (N, H), c_next (N, H), cache)."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = (
        sigmoid(a[:, :H]),
        sigmoid(a[:, H : 2 * H]),
        np.tanh(a[:, 2 * H : 3 * H]),
        sigmoid(a[:, 3 * H :]),
    )
    c = f * c_prev + i * g
    return o * np.tanh(c), c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, c)


def lstm_step_backward(dh, cache, dc_next=0.0, plant=None):
    """Gradients of sum(h_next * dh) + sum(c_next * dc_next); `plant` makes one classic mistake:
    "sigmoid slope for g" (the sigmoid's derivative used for the tanh gate g), "no f in dc_prev",
    "h from c" (backward as if h = o * c, not o * tanh(c)), "i and f swapped" (the gate blocks of
    da in the wrong order) or "no dc_next" (the upstream gradient of c_next ignored)."""
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c = cache
    tanh_c = c if plant == "h from c" else np.tanh(c)
    dtanh_c = 1.0 if plant == "h from c" else 1 - tanh_c**2
    dc = dh * o * dtanh_c + (0.0 if plant == "no dc_next" else dc_next)
    dg = g * (1 - g) if plant == "sigmoid slope for g" else 1 - g**2
    gates = [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * dg, dh * tanh_c * o * (1 - o)]
    if plant == "i and f swapped":
        gates[0], gates[1] = gates[1], gates[0]
    da = np.concatenate(gates, axis=1)
    return {
        "x": da @ Wx.T,
        "h_prev": da @ Wh.T,
        "c_prev": dc if plant == "no f in dc_prev" else dc * f,
        "Wx": x.T @ da,
        "Wh": h_prev.T @ da,
        "b": da.sum(axis=0),
    }


def lstm_case(seed=0, N=3, D=4, H=3):
    rng = np.random.default_rng(seed)
    inputs = {
        "x": rng.standard_normal((N, D)),
        "h_prev": rng.standard_normal((N, H)),
        "c_prev": rng.standard_normal((N, H)),
        "Wx": rng.standard_normal((D, 4 * H)) * 0.5,
        "Wh": rng.standard_normal((H, 4 * H)) * 0.5,
        "b": rng.standard_normal(4 * H) * 0.1,
    }
    return inputs, rng.standard_normal((N, H))


def mlp_case(seed=0, N=8, D=20, H=100, C=10):
    """A 2-layer tanh MLP with softmax cross-entropy, 3,110 parameters: (loss, params, grads)."""
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.standard_normal((D, H)) / np.sqrt(D),
        "b1": np.zeros(H),
        "W2": rng.standard_normal((H, C)) / np.sqrt(H),
        "b2": np.zeros(C),
    }
    x, y = rng.standard_normal((N, D)), rng.integers(0, C, N)

    def loss(W1, b1, W2, b2):
        return softmax_cross_entropy(np.tanh(x @ W1 + b1) @ W2 + b2, y)[0]

    hidden = np.tanh(x @ params["W1"] + params["b1"])
    dscores = softmax_cross_entropy(hidden @ params["W2"] + params["b2"], y)[1]
    da = dscores @ params["W2"].T * (1 - hidden**2)
    grads = {
        "W1": x.T @ da,
        "b1": da.sum(axis=0),
        "W2": hidden.T @ dscores,
        "b2": dscores.sum(axis=0),
    }
    return loss, params, grads


def tanh_sum_case(shape, seed=1):
    """loss = sum(c * tanh(W)) for W of the given shape: (loss, params, grads).

    Not seed 0, the checker's: its first directions would be W and c themselves.
    """
    rng = np.random.default_rng(seed)
    W, c = rng.standard_normal(shape), rng.standard_normal(shape)
    return (lambda W: np.sum(c * np.tanh(W))), {"W": W}, {"W": c * (1 - np.tanh(W) ** 2)}


# ---------------------------------------------------------------- correct gradients pass

MODES = ["coordinate", "directional"]


@pytest.mark.parametrize("mode", MODES)
def test_correct_affine_passes(mode):
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, grads, dout=dout, mode=mode)
    assert report.passed and report.diagnosis is None and report.kind is None
    assert report.mode == mode
    assert str(report).startswith("Gradient check passed: dx, dW, db")
    assert report.assert_ok() is report


@pytest.mark.parametrize("mode", MODES)
def test_correct_tanh_layer_passes(mode):
    inputs, dout, _ = affine_case(seed=1)
    report = check_backward(
        tanh_layer, inputs, tanh_layer_grads(**inputs, dout=dout), dout=dout, mode=mode
    )
    assert report.passed, report


def check_softmax_cross_entropy(scale):
    """Check `scale` times the true gradient of a mean softmax cross-entropy over 4 examples."""
    rng = np.random.default_rng(0)
    scores, y = rng.standard_normal((4, 5)), rng.integers(0, 5, 4)
    _, dscores = softmax_cross_entropy(scores, y)
    return check_gradients(
        lambda scores, y: softmax_cross_entropy(scores, y)[0],
        {"scores": scores, "y": y},
        {"scores": scale * dscores},
    )


def test_correct_softmax_cross_entropy_passes_with_int_labels_as_constants():
    report = check_softmax_cross_entropy(1)
    assert report.passed, report
    assert [t.name for t in report.tensors] == ["scores"]


@pytest.mark.parametrize("mode", MODES)
def test_correct_rnn_and_lstm_pass(mode):
    inputs, dh = rnn_case()
    assert check_backward(
        rnn_forward, inputs, rnn_backward(**inputs, dh=dh), dout=dh, mode=mode
    ).passed
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2])
    assert check_backward(lstm_step_forward, inputs, grads, dout=dh, mode=mode).passed


def test_a_passing_recurrence_costs_no_extra_forward_pass():
    """Splitting a weight's gradient by time step reruns the layer, but only to diagnose a failure."""
    inputs, dh = rnn_case()
    calls = []

    def counted(**kw):
        calls.append(1)
        return rnn_forward(**kw)

    report = check_backward(counted, inputs, rnn_backward(**inputs, dh=dh), dout=dh, mode="coordinate")
    assert report.passed and len(calls) == report.forward_passes


@pytest.mark.parametrize("T,kind", [(3, "not_accumulated"), (SPLIT_MAX_STEPS + 1, "mismatch")])
def test_one_steps_weight_gradient_is_named_up_to_split_max_steps(T, kind):
    """Past SPLIT_MAX_STEPS steps the split would cost too much: one step's dWx is left unnamed."""
    inputs, dh = rnn_case(T=T, D=2, H=2)
    # the last step's contribution: the last step alone, run from the state before it
    last = {**inputs, "x": inputs["x"][:, -1:], "h0": rnn_forward(**inputs)[:, -2]}
    grads = {**rnn_backward(**inputs, dh=dh), "Wx": rnn_backward(**last, dh=dh[:, -1:])["Wx"]}
    report = check_backward(rnn_forward, inputs, grads, dout=dh, mode="coordinate")
    assert report["Wx"].kind == kind


@pytest.mark.parametrize("mode", MODES)
def test_tiny_entries_next_to_large_ones_pass(mode):
    # 30 d^3 has gradients ~1 at d ~ 0.2 and ~1e-9 at d ~ 3e-6, where the numeric gradient's
    # truncation error (h^2 * 180 / 6 = 3e-9) is larger than the gradient itself
    d = np.array([0.2, -0.25, 0.3, 0.15, 3e-6, -4e-6, 5e-6, 2e-6])
    report = check_gradients(lambda d: 30 * np.sum(d**3), {"d": d}, {"d": 90 * d**2}, mode=mode)
    assert report.passed, report


@pytest.mark.parametrize("mode", MODES)
def test_tensor_whose_whole_gradient_is_tiny_passes(mode):
    # v moves the loss by less than its rounding noise (~1e-16 * |loss| / h per unit of v)
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal(6), rng.standard_normal(5)

    def loss(x, v):
        return 100 * np.sum(np.tanh(x)) + 1e-9 * np.sum(np.sin(v))

    grads = {"x": 100 * (1 - np.tanh(x) ** 2), "v": 1e-9 * np.cos(v)}
    report = check_gradients(loss, {"x": x, "v": v}, grads, mode=mode)
    assert report.passed, report


def test_default_dout_is_standard_normal_from_default_rng_0():
    inputs, _, _ = affine_case()
    dout = np.random.default_rng(0).standard_normal((4, 5))
    _, dW, db = affine_backward(dout, (inputs["x"], inputs["W"]))
    grads = {"x": dout @ inputs["W"].T, "W": dW, "b": db}
    assert check_backward(affine_forward, inputs, grads).passed


# ---------------------------------------------------------------- planted mistakes are named


def failed_tensor(report, name, kind):
    """Assert that the check failed and that name's diagnosis has the expected kind."""
    assert not report.passed
    assert report[name].kind == kind, report
    assert not report[name].passed
    return report[name]


@pytest.mark.parametrize("mode", MODES)
def test_sign_flipped(mode):
    inputs, dout, grads = affine_case()
    report = check_backward(
        affine_forward, inputs, {**grads, "W": -grads["W"]}, dout=dout, mode=mode
    )
    failed_tensor(report, "W", "sign")
    assert report.worst == "W" and report.kind == "sign"
    assert report["x"].passed and report["b"].passed


def test_the_report_leads_with_the_recognised_mistake_not_the_largest_error():
    inputs, dout, grads = affine_case()
    garbage = np.random.default_rng(5).standard_normal(grads["b"].shape)
    report = check_backward(affine_forward, inputs, {**grads, "W": 2 * grads["W"], "b": garbage}, dout=dout)
    assert report["b"].worst_error > report["W"].worst_error and report["b"].kind == "mismatch"
    assert report.kind == "factor" and str(report).startswith("Gradient check failed: dW is wrong")


def test_all_zero():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "x": np.zeros((4, 3))}, dout=dout)
    failed_tensor(report, "x", "zero")


def test_factor_names_the_batch_size():
    inputs, dout, grads = affine_case(N=4, D=3, H=5)
    report = check_backward(affine_forward, inputs, {**grads, "W": 4 * grads["W"]}, dout=dout)
    result = failed_tensor(report, "W", "factor_batch")
    assert "4 times too large" in result.diagnosis and "x.shape[0]" in result.diagnosis


def test_a_factor_of_another_axis_size_is_not_called_the_batch_size():
    inputs, dout, grads = affine_case(N=4, D=3, H=5)
    report = check_backward(affine_forward, inputs, {**grads, "W": 3 * grads["W"]}, dout=dout)
    assert "x.shape[1]" in failed_tensor(report, "W", "factor").diagnosis


def test_factor_from_a_mean_loss_not_divided_by_the_batch():
    report = check_softmax_cross_entropy(4)
    assert "scores.shape[0] (the batch size)" in failed_tensor(report, "scores", "factor_batch").diagnosis


def test_a_factor_of_the_number_of_classes_is_not_called_the_batch_size():
    report = check_softmax_cross_entropy(5)
    assert "scores.shape[1]" in failed_tensor(report, "scores", "factor").diagnosis


def test_factor_of_one_half():
    x = np.random.default_rng(0).standard_normal((3, 5))
    report = check_gradients(lambda x: np.sum(x**2), {"x": x}, {"x": x})
    assert "2 times too small" in failed_tensor(report, "x", "factor").diagnosis


def test_transposed_square_weight():
    inputs, dout, grads = affine_case(N=4, D=5, H=5)
    report = check_backward(affine_forward, inputs, {**grads, "W": grads["W"].T}, dout=dout)
    failed_tensor(report, "W", "transpose")


@pytest.mark.parametrize("x", [np.array([0.5, -1.0, 2.0]), np.array([0.01, 0.02, -0.03])])
def test_nearly_right_symmetric_gradient_is_not_called_transposed(x):
    # a symmetric truth equals its transpose: an answer near it is near its transpose too
    found = diagnose("answer", np.diag(2 * x + 1e-5), np.diag(2 * x), {})
    assert found.kind != "transpose"
    symmetric = np.array([[2.0, 1.0], [1.0, 3.0]])
    assert diagnose("H", symmetric * (1 + 1e-6), symmetric, {}).kind != "transpose"


def test_real_transpose_is_still_named_by_diagnose():
    truth = np.arange(1.0, 10.0).reshape(3, 3)
    found = diagnose("W", truth.T, truth, {})
    assert found.kind == "transpose" and "dW" in found.message
    nearly_symmetric = np.array([[2.0, 1.0], [1.0 + 1e-7, 3.0]])
    assert diagnose("W", nearly_symmetric.T, nearly_symmetric, {}).kind != "transpose"


def test_transposed_shape_of_a_rectangular_weight():
    inputs, dout, grads = affine_case(N=4, D=3, H=5)
    report = check_backward(affine_forward, inputs, {**grads, "W": grads["W"].T}, dout=dout)
    result = failed_tensor(report, "W", "transpose")
    assert "(5, 3)" in result.diagnosis and "exactly the right gradient" in result.diagnosis


def test_bias_gradient_not_summed_over_the_batch():
    inputs, dout, grads = affine_case(N=4, D=3, H=5)
    report = check_backward(affine_forward, inputs, {**grads, "b": dout}, dout=dout)
    result = failed_tensor(report, "b", "broadcast")
    assert "axis 0" in result.diagnosis and "exactly the right gradient" in result.diagnosis
    assert "(4, 5)" in str(report)


def test_bias_gradient_with_an_extra_axis():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "b": grads["b"][None, :]}, dout=dout)
    failed_tensor(report, "b", "broadcast")


def test_bias_gradient_not_summed_over_batch_and_time():
    inputs, dh = rnn_case()
    grads = rnn_backward(**inputs, dh=dh)
    da = np.ones((2, 4, 4))  # any (N, T, H) array: the shape alone names the mistake
    report = check_backward(rnn_forward, inputs, {**grads, "b": da}, dout=dh, mode="directional")
    assert "batch and time" in failed_tensor(report, "b", "broadcast").diagnosis


def test_wrong_shape_that_no_rule_explains():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "W": np.ones((2, 2))}, dout=dout)
    failed_tensor(report, "W", "shape")


def test_only_the_last_time_step_right_because_dh_prev_is_not_accumulated():
    inputs, dh = rnn_case()
    grads = rnn_backward(**inputs, dh=dh, through_time=False)
    report = check_backward(rnn_forward, inputs, grads, dout=dh)
    result = failed_tensor(report, "x", "last_step")
    assert "earlier steps are wrong" in result.diagnosis


def test_only_the_last_time_step_right_and_earlier_steps_zero():
    inputs, dh = rnn_case()
    grads = rnn_backward(**inputs, dh=dh)
    dx = grads["x"].copy()
    dx[:, :-1] = 0
    report = check_backward(rnn_forward, inputs, {**grads, "x": dx}, dout=dh)
    assert "is zero" in failed_tensor(report, "x", "last_step").diagnosis


def test_one_wrong_gate_block_named_with_the_hint():
    # the planted bug: the sigmoid's derivative used for the tanh gate g
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2], plant="sigmoid slope for g")
    report = check_backward(
        lstm_step_forward, inputs, grads, dout=dh, blocks={"Wx": "ifgo", "Wh": "ifgo", "b": "ifgo"}
    )
    for name in ("Wx", "Wh", "b"):
        result = failed_tensor(report, name, "block")
        assert "the g block" in result.diagnosis and "i, f, o" in result.diagnosis


def test_one_zero_block_found_without_a_hint():
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2])
    dWx = grads["Wx"].copy()
    dWx[:, 6:9] = 0
    report = check_backward(lstm_step_forward, inputs, {**grads, "Wx": dWx}, dout=dh)
    result = failed_tensor(report, "Wx", "block")
    assert "block 3 of 4" in result.diagnosis and "all zero" in result.diagnosis


def test_a_single_wrong_entry_is_not_called_a_block():
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2])
    dWx = grads["Wx"].copy()
    dWx[1, 7] += 0.3
    report = check_backward(lstm_step_forward, inputs, {**grads, "Wx": dWx}, dout=dh)
    result = failed_tensor(report, "Wx", "mismatch")
    assert result.worst_entries[0][0] == (1, 7) and len(result.worst_entries) == 1


# ---------------------------------------------------------------- several outputs: dout=(dh, dc)

LSTM_BLOCKS = {"Wx": "ifgo", "Wh": "ifgo", "b": "ifgo"}


def lstm_two_outputs(seed=0, plant=None, **kwargs):
    """check_backward of the LSTM step's (h_next, c_next), with a planted mistake or none."""
    inputs, dh = lstm_case(seed)
    dc = np.random.default_rng(seed + 100).standard_normal(dh.shape)
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2], dc_next=dc, plant=plant)
    return check_backward(lstm_step_forward, inputs, grads, dout=(dh, dc), **kwargs)


def failed_names(report):
    return {t.name for t in report.tensors if not t.passed}


@pytest.mark.parametrize("mode", MODES)
def test_correct_lstm_step_passes_with_both_upstream_gradients(mode):
    report = lstm_two_outputs(mode=mode)
    assert report.passed, report


def test_outputs_draws_a_standard_normal_dout_per_output_from_default_rng_0():
    inputs, _ = lstm_case()
    h, c, cache = lstm_step_forward(**inputs)
    rng = np.random.default_rng(0)
    dh, dc = rng.standard_normal(h.shape), rng.standard_normal(c.shape)
    grads = lstm_step_backward(dh, cache, dc_next=dc)
    assert check_backward(lstm_step_forward, inputs, grads, outputs=2).passed
    # without `outputs` only h_next counts, as before: these gradients then include a dc too many
    assert not check_backward(lstm_step_forward, inputs, grads).passed


def test_ignoring_the_second_upstream_gradient_fails_everywhere():
    report = lstm_two_outputs(plant="no dc_next")
    assert failed_names(report) == {"x", "h_prev", "c_prev", "Wx", "Wh", "b"}, report
    # and the same backward passes when only h_next is checked: the tuple is what catches it
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2], plant="no dc_next")
    assert check_backward(lstm_step_forward, inputs, grads, dout=dh).passed


def test_dc_prev_without_the_forget_gate_names_dc_prev_only():
    report = lstm_two_outputs(plant="no f in dc_prev")
    assert failed_names(report) == {"c_prev"}, report
    assert report.worst == "c_prev"
    assert str(report).startswith("Gradient check failed: dc_prev is wrong"), report
    assert "dx OK" in str(report) and "dWx OK" in str(report)


def test_h_from_c_instead_of_tanh_c_fails_and_names_the_worst_tensor():
    report = lstm_two_outputs(plant="h from c")
    assert failed_names(report) == {"x", "h_prev", "c_prev", "Wx", "Wh", "b"}, report
    assert str(report).startswith(f"Gradient check failed: d{report.worst} is wrong"), report


def test_swapped_gate_blocks_are_named_and_dc_prev_is_right():
    report = lstm_two_outputs(plant="i and f swapped", blocks=LSTM_BLOCKS)
    assert failed_names(report) == {"x", "h_prev", "Wx", "Wh", "b"}, report
    assert report["c_prev"].passed
    for name in ("Wx", "Wh", "b"):
        result = failed_tensor(report, name, "block")
        assert "the i and f blocks" in result.diagnosis and "g, o" in result.diagnosis, result.diagnosis


@pytest.mark.parametrize("call,error,words", [
    # (dout, outputs) for forward -> (h_next, c_next, cache) of shapes (3, 3), (3, 3)
    (lambda dh, dc: dict(dout=(dh, dc[:, :2])), ValueError,
     r"dout\[1\] has shape \(3, 2\) but lstm_step_forward\(...\)\[1\] has shape \(3, 3\)"),
    (lambda dh, dc: dict(dout=(dh, dc, dc)), TypeError, "count the cache as an output"),
    (lambda dh, dc: dict(outputs=4), ValueError, "4 upstream gradients .* returned a tuple of 3"),
    (lambda dh, dc: dict(dout=(dh, dc), outputs=3), ValueError, "outputs=3 but dout has 2"),
    (lambda dh, dc: dict(outputs=0), ValueError, "positive int"),
    (lambda dh, dc: dict(dout=()), ValueError, "empty tuple"),
    (lambda dh, dc: dict(dout=(dh, None)), ValueError, "dout holds None"),
    (lambda dh, dc: dict(dout=[dh, dc]), ValueError, "as a tuple, not a list"),
])
def test_a_dout_that_does_not_fit_the_outputs_is_a_clear_error(call, error, words):
    inputs, dh = lstm_case()
    grads = lstm_step_backward(dh, lstm_step_forward(**inputs)[2])
    with pytest.raises(error, match=words):
        check_backward(lstm_step_forward, inputs, grads, **call(dh, dh.copy()))


def test_two_upstream_gradients_for_a_single_output():
    inputs, dout, grads = affine_case()

    def affine(x, W, b):
        return x @ W + b

    with pytest.raises(ValueError, match="affine, but it returned one array, not a tuple"):
        check_backward(affine, inputs, grads, dout=(dout, dout))
    # a tuple of one is the single dout
    assert check_backward(affine, inputs, grads, dout=(dout,)).passed


# ---------------------------------------------------------------- unusable student input


@pytest.mark.parametrize(
    ("bad", "kind"),
    [
        (None, "none_returned"),
        ((np.ones(5), np.ones(5)), "type"),
        ([1.0] * 5, "type"),
        ("db", "type"),
        (np.ones(5, dtype=complex), "type"),
        (np.array([1.0, np.nan, 0, 0, 0]), "nan"),
        (np.array([1.0, np.inf, 0, 0, 0]), "nan"),
    ],
)
def test_unusable_gradient_is_reported_not_raised(bad, kind):
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "b": bad}, dout=dout)
    failed_tensor(report, "b", kind)
    assert report.worst == "b" and "db is not a valid gradient" in str(report)


def test_none_message_and_missing_key():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "W": None}, dout=dout)
    assert "You returned None for dW" in str(report)
    del grads["x"]
    failed_tensor(check_backward(affine_forward, inputs, grads, dout=dout), "x", "missing")


def test_assert_ok_raises_an_assertion_error_with_the_report():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "W": -grads["W"]}, dout=dout)
    with pytest.raises(GradientCheckError) as caught:
        report.assert_ok()
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == str(report) == repr(report)
    assert "dx OK" in str(report) and "Worst entries of dW" in str(report)



def test_assert_ok_with_a_context_leads_with_it_and_keeps_the_kind():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, {**grads, "W": -grads["W"]}, dout=dout)
    with pytest.raises(GradientCheckError) as caught:
        report.assert_ok("node_backward('matmul', ...) for inputs of shapes [(4, 3), (3, 5)]")
    assert caught.value.kind == report.kind == "sign"
    assert str(caught.value) == f"node_backward('matmul', ...) for inputs of shapes [(4, 3), (3, 5)]:\n{report}"
    assert caught.value.context.startswith("node_backward") and caught.value.report is report


# ---------------------------------------------------------------- nothing to check


def test_zero_loss_and_zero_gradients_fail():
    inputs, dout, _ = affine_case()
    zeros = {k: np.zeros_like(v) for k, v in inputs.items()}
    report = check_backward(lambda x, W, b: np.zeros((4, 5)), inputs, zeros, dout=dout)
    assert not report.passed and report.kind == "nothing_to_check"
    assert "nothing to check" in str(report)


def test_loss_that_depends_on_no_parameter_fails():
    x = np.ones(3)
    report = check_gradients(lambda x: 1.5, {"x": x}, {"x": np.zeros(3)}, mode="directional")
    assert not report.passed and report.kind == "no_dependence"


def test_forward_that_modifies_its_input_in_place_fails():
    def forward(x):
        x *= 2
        return x

    x = np.ones(3)
    report = check_backward(forward, {"x": x}, {"x": np.ones(3)})
    assert report.kind == "inplace" and np.array_equal(x, np.ones(3))


# ---------------------------------------------------------------- the checker's own contract


@pytest.mark.parametrize("mode", MODES)
def test_callers_arrays_are_unchanged(mode):
    inputs, dout, grads = affine_case()
    inputs["W"] = np.asfortranarray(inputs["W"])
    assert check_backward(affine_forward, inputs, grads, dout=dout, mode=mode).passed
    before = [{k: v.copy() for k, v in arrays.items()} for arrays in (inputs, grads)]
    check_backward(affine_forward, inputs, {**grads, "W": -grads["W"]}, dout=dout, mode=mode)
    for arrays, copies in zip((inputs, grads), before):
        for k, v in arrays.items():
            assert np.array_equal(v, copies[k])


def test_coordinate_mode_counts_two_passes_per_entry():
    inputs, dout, grads = affine_case()
    report = check_backward(affine_forward, inputs, grads, dout=dout, mode="coordinate")
    assert report.forward_passes == 1 + 2 * (12 + 15 + 5)
    sampled = check_backward(
        affine_forward, inputs, grads, dout=dout, mode="coordinate", max_coords=3
    )
    assert sampled.forward_passes == 1 + 2 * 3 * 3 and sampled.passed
    assert {t.method for t in sampled.tensors} == {"sampled"}


def test_directional_cost_does_not_grow_with_the_parameter_count():
    small = check_gradients(*tanh_sum_case((10,)), mode="directional")
    large = check_gradients(*tanh_sum_case((100, 100)), mode="directional")
    assert small.passed and large.passed
    assert small.forward_passes == large.forward_passes == 1 + 2 * DIRECTIONS


def test_directional_mode_catches_a_bug_in_a_large_tensor():
    shape = (200, 150)
    assert np.prod(shape) > FALLBACK_MAX  # so no per-coordinate re-check
    loss, params, grads = tanh_sum_case(shape)
    bad = grads["W"].copy()
    bad[17] = 0
    report = check_gradients(loss, params, {"W": bad}, mode="directional")
    assert not report.passed and report["W"].method == "directional"
    assert report.forward_passes == 1 + 2 * DIRECTIONS
    assert "Derivatives along random directions" in str(report)


def test_directional_sign_flip_diagnosed_without_coordinates():
    loss, params, grads = tanh_sum_case((200, 150))
    report = check_gradients(loss, params, {"W": -grads["W"]}, mode="directional")
    failed_tensor(report, "W", "sign")


def tanh_layer_case(seed=0, N=40, D=30, H=20):
    """Inputs, dout and correct gradients of tanh(x @ W + b): (inputs, dout, grads)."""
    rng = np.random.default_rng(seed)
    inputs = {"x": rng.standard_normal((N, D)), "W": rng.standard_normal((D, H)) / np.sqrt(D),
              "b": rng.standard_normal(H)}
    dout = rng.standard_normal((N, H))
    return inputs, dout, tanh_layer_grads(**inputs, dout=dout)


def test_right_gradients_of_several_tensors_pass_directionally_in_one_set_of_passes():
    inputs, dout, grads = tanh_layer_case()
    report = check_backward(tanh_layer, inputs, grads, dout=dout, mode="directional")
    assert report.passed and report.forward_passes == 1 + 2 * DIRECTIONS
    assert [(t.name, t.method) for t in report.tensors] == [("x", "together"), ("W", "together"), ("b", "together")]


PLANTS = {
    "sign flipped": lambda g: -g,
    "doubled": lambda g: 2 * g,
    "one row zeroed": lambda g: np.concatenate([np.zeros_like(g[:1]), g[1:]]),
    "0.1 % too large": lambda g: 1.001 * g,
    "all zero": np.zeros_like,
}


@pytest.mark.parametrize("plant", PLANTS)
@pytest.mark.parametrize("name", ["x", "W", "b"])
def test_a_wrong_tensor_among_right_ones_fails_the_directional_check_and_is_named(name, plant):
    inputs, dout, grads = tanh_layer_case()
    report = check_backward(tanh_layer, inputs, {**grads, name: PLANTS[plant](grads[name])}, dout=dout,
                            mode="directional")
    assert not report.passed and report.worst == name, report
    assert report[name].method != "together" and report.forward_passes > 1 + 2 * DIRECTIONS
    assert all(t.passed for t in report.tensors if t.name != name), report


def test_a_tensor_of_tiny_gradients_is_not_vouched_for_by_the_others():
    """b's gradient is a millionth of the others': measured against the summed projections its 10 % error
    would be lost; measured against its own projection (or the noise floor, larger here) it is not."""
    inputs, dout, _ = tanh_layer_case()
    loss = lambda x, W, b: float(np.sum(tanh_layer(x, W, 1e-6 * b) * dout))  # noqa: E731
    at = tanh_layer_grads(inputs["x"], inputs["W"], 1e-6 * inputs["b"], dout)
    right = {**at, "b": 1e-6 * at["b"]}
    assert check_gradients(loss, inputs, right, mode="directional").passed
    report = check_gradients(loss, inputs, {**right, "b": 1.1 * right["b"]}, mode="directional")
    assert not report.passed and report.worst == "b" and report["b"].method != "together", report


def test_auto_mode_on_a_few_thousand_parameters_names_the_worst_entries():
    loss, params, grads = mlp_case()
    assert check_gradients(loss, params, grads).mode == "directional"
    bad = grads["W2"].copy()
    bad[5, 3] += 0.5
    report = check_gradients(loss, params, {**grads, "W2": bad})
    result = failed_tensor(report, "W2", "mismatch")
    assert report.worst == "W2" and result.method == "coordinate"
    assert result.worst_entries[0][0] == (5, 3)
    assert "[5, 3]" in str(report) and "dW1 OK" in str(report)


def test_auto_mode_is_coordinate_for_small_models():
    inputs, dout, grads = affine_case()
    assert check_backward(affine_forward, inputs, grads, dout=dout).mode == "coordinate"


def test_same_rng_seed_same_report():
    loss, params, grads = tanh_sum_case((50, 50))
    one = check_gradients(loss, params, grads, mode="directional", rng=np.random.default_rng(3))
    two = check_gradients(loss, params, grads, mode="directional", rng=np.random.default_rng(3))
    assert one["W"].projections == two["W"].projections
