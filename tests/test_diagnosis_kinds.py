"""The diagnoses that need the layer's output and upstream gradient (check_backward passes them on):
a local derivative left out or evaluated at the wrong point ("missing_local_derivative"), and a
scatter that overwrites repeated indices ("not_accumulated").

Each planted wrong answer must be named; nearly right answers and other wrong answers must not be
misnamed: a likely-wrong guess is worse than none.
"""
import inspect

import numpy as np
import pytest

from utils.gradcheck import check_backward, check_gradients

LOCAL = "missing_local_derivative"


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def exp(a):
    return np.exp(a)


@pytest.fixture
def case():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3)) * 2
    x += np.sign(x) * 0.05  # away from ReLU's kink
    return x, rng.normal(size=(4, 3))


def kind_of(forward, inputs, grads, dout):
    report = check_backward(forward, inputs, grads, dout, mode="coordinate")
    assert not report.passed
    return report.kind, report.diagnosis


# --- named -------------------------------------------------------------------------------------


def test_tanh_derivative_left_out_is_named(case):
    x, dout = case
    kind, message = kind_of(tanh, {"x": x}, {"x": dout.copy()}, dout)
    assert kind == LOCAL
    assert "left out" in message and "1 - out**2" in message


def test_sigmoid_derivative_left_out_is_named(case):
    x, dout = case
    kind, message = kind_of(sigmoid, {"x": x}, {"x": dout.copy()}, dout)
    assert kind == LOCAL and "out * (1 - out)" in message


def test_tanh_derivative_at_the_input_is_named(case):
    x, dout = case
    kind, message = kind_of(tanh, {"x": x}, {"x": dout * (1 - x**2)}, dout)
    assert kind == LOCAL and "1 - x**2" in message and "output" in message


def test_sigmoid_derivative_at_sigmoid_of_the_output_is_named(case):
    x, dout = case
    out = sigmoid(x)
    kind, message = kind_of(sigmoid, {"x": x}, {"x": dout * sigmoid(out) * (1 - sigmoid(out))}, dout)
    assert kind == LOCAL and "sigmoid(out)" in message


def test_exp_derivative_at_the_input_is_named(case):
    x, dout = case
    kind, message = kind_of(exp, {"a": x}, {"a": dout * x}, dout)
    assert kind == LOCAL and "not at a" in message


def test_relu_mask_missing_is_named(case):
    x, dout = case
    kind, message = kind_of(lambda x: np.maximum(0.0, x), {"x": x}, {"x": dout.copy()}, dout)
    assert kind == LOCAL and "mask is missing" in message


def test_relu_mask_from_dout_is_named(case):
    x, dout = case
    kind, message = kind_of(lambda x: np.maximum(0.0, x), {"x": x}, {"x": dout * (dout > 0)}, dout)
    assert kind == LOCAL and "(dout > 0)" in message


def test_a_bias_summed_without_the_derivative_is_named():
    """An RNN step's db: the upstream gradient summed over the batch, tanh' left out (or at h_prev)."""
    rng = np.random.default_rng(1)
    inputs = {"h_prev": rng.normal(size=(5, 3)), "Wh": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}
    dout = rng.normal(size=(5, 3))
    out = np.tanh(inputs["h_prev"] @ inputs["Wh"] + inputs["b"])

    def step(h_prev, Wh, b):
        return np.tanh(h_prev @ Wh + b)

    for delta, said in [(dout, "left out"), (dout * (1 - inputs["h_prev"] ** 2), "not at h_prev")]:
        grads = {"h_prev": delta @ inputs["Wh"].T, "Wh": inputs["h_prev"].T @ delta, "b": delta.sum(axis=0)}
        kind, message = kind_of(step, inputs, grads, dout)
        assert kind == LOCAL and message.startswith("your db") and said in message
    right = dout * (1 - out**2)
    assert check_backward(step, inputs, {"h_prev": right @ inputs["Wh"].T, "Wh": inputs["h_prev"].T @ right,
                                         "b": right.sum(axis=0)}, dout).passed


def test_repeated_indices_overwritten_are_named():
    rng = np.random.default_rng(2)
    idx, W = np.array([[0, 2, 0], [3, 2, 1]]), rng.normal(size=(5, 4))
    dout = rng.normal(size=(2, 3, 4))
    for wrong in ("=", "+="):
        dW = np.zeros_like(W)
        if wrong == "=":
            dW[idx] = dout
        else:
            dW[idx] += dout
        kind, message = kind_of(lambda idx, W: W[idx], {"idx": idx, "W": W}, {"W": dW}, dout)
        assert kind == "not_accumulated"
        assert "rows 0, 2 of dW" in message and "np.add.at" in message


# --- not misnamed ------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [
    lambda x, out, dout: dout * (1 - out**2) * 1.001,  # nearly right: a factor
    lambda x, out, dout: dout * (1 - out),  # the square missing
    lambda x, out, dout: (1 - out**2),  # dout forgotten
    lambda x, out, dout: dout * (1 - out**2) + 0.01 * (x > 1),  # a few entries off
])
def test_other_tanh_mistakes_are_not_called_a_local_derivative(case, wrong):
    x, dout = case
    kind, _ = kind_of(tanh, {"x": x}, {"x": wrong(x, np.tanh(x), dout)}, dout)
    assert kind != LOCAL


def test_the_derivative_of_tanh_in_a_sigmoid_is_not_named(case):
    x, dout = case
    out = sigmoid(x)
    kind, _ = kind_of(sigmoid, {"x": x}, {"x": dout * (1 - out**2)}, dout)
    assert kind != LOCAL


@pytest.mark.parametrize("wrong", [
    lambda x, dout: dout * (x < 0),  # the mask on the wrong side
    lambda x, dout: dout * np.maximum(x, 0),  # times relu(x)
    lambda x, dout: -dout * (x > 0),  # the sign flipped
])
def test_other_relu_mistakes_are_not_called_a_mask_mistake(case, wrong):
    x, dout = case
    kind, _ = kind_of(lambda x: np.maximum(0.0, x), {"x": x}, {"x": wrong(x, dout)}, dout)
    assert kind != LOCAL


def test_a_layer_that_is_not_elementwise_is_not_named(case):
    """dx = dout in an affine layer with a square W is wrong, but no local derivative is in it."""
    x, dout = case
    W = np.random.default_rng(3).normal(size=(3, 3))
    kind, _ = kind_of(lambda x, W: x @ W, {"x": x, "W": W}, {"x": dout.copy(), "W": x.T @ dout}, dout)
    assert kind != LOCAL


def test_without_the_layer_nothing_is_named(case):
    """check_gradients knows no upstream gradient: the same wrong dx is not named there."""
    x, dout = case
    report = check_gradients(lambda x: np.sum(np.tanh(x) * dout), {"x": x}, {"x": dout.copy()})
    assert not report.passed and report.kind != LOCAL


def test_rows_wrong_in_no_accumulation_pattern_are_not_named():
    rng = np.random.default_rng(4)
    idx, W = np.array([[0, 2, 0], [3, 2, 1]]), rng.normal(size=(5, 4))
    dout = rng.normal(size=(2, 3, 4))
    right = np.zeros_like(W)
    np.add.at(right, idx, dout)
    zeroed_repeat, wrong_single, halved = right.copy(), right.copy(), right.copy()
    zeroed_repeat[0] = 0.0  # a repeated row, but it holds no occurrence's gradient
    wrong_single[3] *= 2  # a row that idx does not repeat
    halved[[0, 2]] /= 2
    for dW in (zeroed_repeat, wrong_single, halved):
        kind, _ = kind_of(lambda idx, W: W[idx], {"idx": idx, "W": W}, {"W": dW}, dout)
        assert kind != "not_accumulated"


def test_check_backward_keeps_its_keywords():
    with pytest.raises(TypeError):
        check_backward(np.tanh, {"x": np.ones(2)}, {"x": np.ones(2)}, np.ones(2), tolerance=1e-3)
    assert "layer" not in inspect.signature(check_gradients).parameters
