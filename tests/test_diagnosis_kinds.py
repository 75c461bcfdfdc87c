"""The diagnoses that need more than the two gradients' values: the layer's output and upstream
gradient (check_backward passes them on) for a local derivative left out or evaluated at the wrong
point, also before a product with a parameter ("missing_local_derivative"), and a scatter that
overwrites repeated indices ("not_accumulated"); the recurrence rerun from a state for a weight
gradient that keeps one time step's contribution ("not_accumulated"); the parameters for a
transpose on the wrong side of a product ("transpose") and a one-hot term left out
("missing_one_hot"); and the course's (N, T, ...) layout for a gradient in reversed time order
("time_reversed").

Each planted wrong answer must be named; nearly right answers and other wrong answers must not be
misnamed: a likely-wrong guess is worse than none.
"""
import inspect

import numpy as np
import pytest

from tests.test_gradcheck import rnn_case, rnn_forward
from utils.diagnosis import Layer, diagnose, difference_mistake
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


def test_a_bias_and_the_factors_of_a_product_without_the_derivative_are_named():
    """An RNN step's db, dh_prev and dWh: tanh' left out (or taken at h_prev) in each."""
    rng = np.random.default_rng(1)
    inputs = {"h_prev": rng.normal(size=(5, 3)), "Wh": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}
    dout = rng.normal(size=(5, 3))
    out = np.tanh(inputs["h_prev"] @ inputs["Wh"] + inputs["b"])

    def step(h_prev, Wh, b):
        return np.tanh(h_prev @ Wh + b)

    for delta, said in [(dout, "left out"), (dout * (1 - inputs["h_prev"] ** 2), "not at h_prev")]:
        grads = {"h_prev": delta @ inputs["Wh"].T, "Wh": inputs["h_prev"].T @ delta, "b": delta.sum(axis=0)}
        report = check_backward(step, inputs, grads, dout, mode="coordinate")
        # and through the products: dh_prev = delta @ Wh.T, dWh = h_prev.T @ delta
        for name, lead in [("b", "your db"), ("h_prev", "your dh_prev"), ("Wh", "your dWh")]:
            assert report[name].kind == LOCAL and report[name].diagnosis.startswith(lead), report
            assert said in report[name].diagnosis
    right = dout * (1 - out**2)
    assert check_backward(step, inputs, {"h_prev": right @ inputs["Wh"].T, "Wh": inputs["h_prev"].T @ right,
                                         "b": right.sum(axis=0)}, dout).passed


def test_the_derivative_left_out_before_a_product_is_named_from_the_layer_alone():
    """The checkpoint's numbers, dh_prev = dh_t @ Wh.T without tanh': named from h_t, dh_t and Wh."""
    Wh, h_t, dh_t = np.array([[1.0, 2.0], [-1.0, 3.0]]), np.array([[0.5, -0.8]]), np.array([[2.0, 1.0]])
    found = diagnose("h_prev", dh_t @ Wh.T, (dh_t * (1 - h_t**2)) @ Wh.T, {"Wh": Wh}, layer=Layer(h_t, dh_t))
    assert found.kind == LOCAL and "times Wh.T" in found.message and "left out" in found.message


@pytest.mark.parametrize("wrong", [
    lambda out, dout, Wh: dout @ Wh,  # the derivative left out and Wh not transposed
    lambda out, dout, Wh: (dout * (1 - out)) @ Wh.T,  # the square missing
    lambda out, dout, Wh: (1 - out**2) @ Wh.T,  # dout forgotten
])
def test_other_mistakes_before_a_product_are_not_called_a_local_derivative(wrong):
    rng = np.random.default_rng(13)
    Wh, out, dout = rng.normal(size=(3, 3)), np.tanh(rng.normal(size=(4, 3))), rng.normal(size=(4, 3))
    n = (dout * (1 - out**2)) @ Wh.T
    found = diagnose("h_prev", wrong(out, dout, Wh), n, {"Wh": Wh}, layer=Layer(out, dout))
    assert found.kind != LOCAL


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


def gather_loss(W, idx):
    """A loss that reads the table W at the rows idx only (a gather, as word vectors are read)."""
    return np.sum(np.tanh(W[idx]) * np.arange(1.0, idx.size * W.shape[1] + 1).reshape(idx.shape + W.shape[1:]))


def gather_readings(W, idx):
    """The gradient of gather_loss of each reading W[idx[k]] on its own, one row per reading."""
    rows = W[idx]
    return (1 - np.tanh(rows) ** 2) * np.arange(1.0, idx.size * W.shape[1] + 1).reshape(rows.shape)


@pytest.mark.parametrize("write", ["=", "+=", "first reading added twice"])
def test_check_gradients_unties_a_table_read_at_integer_indices_and_names_readings_overwritten(write):
    """No layer: with the indices among the parameters, the checker reruns the loss on a copy of the
    table with a row per reading, and so knows each reading's gradient."""
    rng = np.random.default_rng(5)
    idx, W = np.array([[0, 2, 0], [3, 2, 1]]), rng.normal(size=(5, 4))
    readings = gather_readings(W, idx)
    dW = np.zeros_like(W)
    if write == "=":
        dW[idx] = readings
    elif write == "+=":
        dW[idx] += readings
    else:  # row 0 read at (0, 0) and (0, 2): a loop that adds the first reading and then assigns the second
        np.add.at(dW, idx, readings)
        dW[0] = readings[0, 0] + readings[0, 0]
    report = check_gradients(gather_loss, {"W": W, "idx": idx}, {"W": dW})
    if write == "first reading added twice":  # no sum of some of row 0's readings: not named
        assert not report.passed and report.kind != "not_accumulated", report
    else:
        assert report.kind == "not_accumulated" and "rows 0, 2 of dW" in report.diagnosis, report


def test_a_table_read_otherwise_too_is_not_untied():
    """W also read whole (W.sum()): the loss on the untied copy differs, so no reading is split off."""
    rng = np.random.default_rng(6)
    idx, W = np.array([0, 2, 0, 1]), rng.normal(size=(4, 3))
    readings = gather_readings(W, idx)
    dW = np.ones_like(W)
    dW[idx] += readings  # overwrites row 0's second reading

    report = check_gradients(lambda W, idx: gather_loss(W, idx) + W.sum(), {"W": W, "idx": idx}, {"W": dW})
    assert not report.passed and report.kind != "not_accumulated", report


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


# --- one time step's contribution kept (a recurrence's shared weights) ------------------------------


def rnn_weight_steps(x, h0, Wx, Wh, b, dh):
    """The contribution of each time step to the gradients of Wx, Wh and b (of sum(h * dh)), and dx."""
    h = rnn_forward(x, h0, Wx, Wh, b)
    steps, dx, dprev = [None] * x.shape[1], np.zeros_like(x), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        da = (dh[:, t] + dprev) * (1 - h[:, t] ** 2)
        prev = h[:, t - 1] if t else h0
        steps[t] = {"Wx": x[:, t].T @ da, "Wh": prev.T @ da, "b": da.sum(axis=0)}
        dx[:, t], dprev = da @ Wx.T, da @ Wh.T
    return steps, {"x": dx, "h0": dprev}


def rnn_report(keep, forward=rnn_forward):
    """Check the RNN's gradients with the weights' gradients keep(steps) (a dict per step -> one dict)."""
    inputs, dh = rnn_case(N=2, T=4, D=3, H=4)
    steps, rest = rnn_weight_steps(**inputs, dh=dh)
    return check_backward(forward, inputs, {**rest, **keep(steps)}, dh, mode="coordinate")


@pytest.mark.parametrize("keep,which", [
    (lambda steps: steps[0], "step 0"),  # dW = ... in the backward loop: the last step it visits
    (lambda steps: steps[-1], "the last time step"),
    (lambda steps: steps[2], "step 2"),
])
def test_a_weight_gradient_of_one_time_step_is_named(keep, which):
    report = rnn_report(keep)
    assert report.kind == "not_accumulated" and which in report.diagnosis, report
    assert report["x"].passed and report["h0"].passed


def test_the_sum_over_the_steps_passes():
    assert rnn_report(lambda steps: {k: sum(step[k] for step in steps) for k in steps[0]}).passed


@pytest.mark.parametrize("keep", [
    lambda steps: {k: steps[-1][k] + steps[-2][k] for k in steps[0]},  # two steps of four
    lambda steps: {k: 2 * steps[-1][k] for k in steps[0]},  # one step's, doubled
    lambda steps: {k: np.mean([step[k] for step in steps], axis=0) for k in steps[0]},  # the mean
])
def test_other_sums_over_time_are_not_called_one_step(keep):
    assert rnn_report(keep).kind != "not_accumulated"


def test_a_recurrence_not_carried_by_its_output_is_not_split():
    """The state is not the output (out = 2 h): rerun from out, the steps would not reproduce it, so
    nothing is split into steps, and one step's gradient is not named (an LSTM's cell state too)."""
    inputs, dh = rnn_case(N=2, T=4, D=3, H=4)
    steps, rest = rnn_weight_steps(**inputs, dh=2 * dh)

    def doubled(**kw):
        return 2 * rnn_forward(**kw)

    report = check_backward(doubled, inputs, {**rest, **steps[-1]}, dh, mode="coordinate")
    assert not report.passed and report.kind != "not_accumulated"


# --- a transpose on the wrong side of a product -----------------------------------------------------


def rnn_step(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)


def rnn_step_case(Wh=None):
    """Inputs, dout and the true delta of one RNN step with N = H = 3 (h_prev is square too)."""
    rng = np.random.default_rng(7)
    inputs = {"x": rng.normal(size=(3, 2)), "h_prev": rng.normal(size=(3, 3)), "Wx": rng.normal(size=(2, 3)),
              "Wh": rng.normal(size=(3, 3)) if Wh is None else Wh, "b": rng.normal(size=3)}
    dout = rng.normal(size=(3, 3))
    return inputs, dout, dout * (1 - rnn_step(**inputs) ** 2)


def step_kind(inputs, dout, dh_prev, delta):
    grads = {"x": delta @ inputs["Wx"].T, "h_prev": dh_prev, "Wx": inputs["x"].T @ delta,
             "Wh": inputs["h_prev"].T @ delta, "b": delta.sum(axis=0)}
    return kind_of(rnn_step, inputs, grads, dout)


def test_a_product_with_w_where_w_transposed_belongs_is_named():
    inputs, dout, delta = rnn_step_case()
    kind, message = step_kind(inputs, dout, delta @ inputs["Wh"], delta)
    assert kind == "transpose" and "by Wh where Wh.T belongs" in message


def test_a_transpose_in_a_product_is_named_from_the_parameters_alone():
    """The checkpoint's numbers: dh_prev = delta @ Wh where delta @ Wh.T belongs."""
    Wh, delta = np.array([[1.0, 2.0], [-1.0, 3.0]]), np.array([[1.5, 0.36]])
    found = diagnose("h_prev", delta @ Wh, delta @ Wh.T, {"Wh": Wh, "delta": delta})
    assert found.kind == "transpose" and "Wh.T" in found.message


@pytest.mark.parametrize("wrong", [
    lambda inputs, dout, delta: dout @ inputs["Wh"].T,  # tanh' left out, the product right
    lambda inputs, dout, delta: delta @ (inputs["Wh"].T + 0.05 * np.eye(3)),  # another matrix
    lambda inputs, dout, delta: delta @ inputs["Wh"].T + 0.01,  # nearly right
])
def test_other_product_mistakes_are_not_called_a_transpose(wrong):
    inputs, dout, delta = rnn_step_case()
    kind, _ = step_kind(inputs, dout, wrong(inputs, dout, delta), delta)
    assert kind != "transpose"


def test_a_nearly_symmetric_weight_is_not_called_transposed():
    """With Wh nearly symmetric, delta @ Wh is nearly right whatever the mistake: nothing is named."""
    W = np.random.default_rng(8).normal(size=(3, 3))
    inputs, dout, delta = rnn_step_case(Wh=W + W.T + 1e-7 * np.triu(np.ones((3, 3))))
    kind, _ = step_kind(inputs, dout, delta @ inputs["Wh"] * 1.01 + 0.01, delta)
    assert kind != "transpose"


# --- reversed time order ----------------------------------------------------------------------------


@pytest.fixture
def sequence():
    """A true gradient (N, T, D) and a part of it (e.g. one direction's), T = 5."""
    rng = np.random.default_rng(9)
    part = rng.normal(size=(2, 5, 3))
    return part + rng.normal(size=(2, 5, 3)), part


def test_a_gradient_in_reversed_time_order_is_named(sequence):
    n, _ = sequence
    found = diagnose("x", n[:, ::-1], n, {})
    assert found.kind == "time_reversed" and "reversed time order" in found.message


def test_a_part_in_reversed_time_order_is_named(sequence):
    n, part = sequence
    found = diagnose("x", n - part + part[:, ::-1], n, {})
    assert found.kind == "time_reversed" and found.message.startswith("part of your dx")


def test_half_of_the_last_axis_in_reversed_time_order_is_named(sequence):
    """A bidirectional layer's states: the backward direction's half (entries 3:6) not reversed back."""
    forward, backward = sequence
    n = np.concatenate([forward, backward], axis=2)
    found = diagnose("h", np.concatenate([forward, backward[:, ::-1]], axis=2), n, {})
    assert found.kind == "time_reversed" and "entries 3:6 along the last axis" in found.message


@pytest.mark.parametrize("wrong", [
    lambda n, part: np.roll(n, 1, axis=1),  # shifted by a step
    lambda n, part: n - part,  # a part left out
    lambda n, part: n + part[:, ::-1],  # a reversed part added, the right one kept
    lambda n, part: n[::-1],  # reversed along the batch axis
    lambda n, part: n + 0.1 * np.stack([part[:, 0]] * 5, axis=1),  # the same error at every step
])
def test_other_sequence_mistakes_are_not_called_reversed(sequence, wrong):
    n, part = sequence
    assert diagnose("x", wrong(n, part), n, {}).kind != "time_reversed"


# --- the one-hot of a softmax's gradient left out -----------------------------------------------------


@pytest.fixture
def softmax_case():
    """Scores U @ v of a softmax cross-entropy with target o = 2: p, U (5, 3), v (3,) and the one-hot."""
    rng = np.random.default_rng(11)
    U, v = rng.normal(size=(5, 3)), rng.normal(size=3)
    p = np.exp(U @ v) / np.exp(U @ v).sum()
    return p, U, v, np.eye(5)[2]


def test_a_batch_gradient_without_the_one_hot_is_named():
    rng = np.random.default_rng(12)
    p, y = rng.dirichlet(np.ones(4), size=3), np.array([0, 3, 3])
    found = diagnose("scores", p / 3, (p - np.eye(4)[y]) / 3, {})
    assert found.kind == "missing_one_hot" and "columns 0, 3, 3" in found.message


def test_the_one_hot_left_out_through_a_product_is_named(softmax_case):
    p, U, v, y = softmax_case
    params = {"v": v, "U": U}
    found = diagnose("v", U.T @ p, U.T @ (p - y), params)
    assert found.kind == "missing_one_hot" and "+U[2]" in found.message
    found = diagnose("U", np.outer(p, v), np.outer(p - y, v), params)
    assert found.kind == "missing_one_hot" and "only row 2 of your dU" in found.message


@pytest.mark.parametrize("wrong", [
    lambda p, y, n: n + y * np.array([[0.5], [0.25], [0.5]]),  # one entry per row, different values
    lambda p, y, n: n + 0.5,  # the same error everywhere (a constant term left out)
    lambda p, y, n: n[:1] + y[:1] / 3,  # one row only: one entry wrong says little
    lambda p, y, n: n + np.eye(4)[[1, 1, 1]] / 3,  # one column: a bias left out, not labels
    lambda p, y, n: n + y / 5,  # 1/5 with 3 rows: no mean over the batch divides by 5
])
def test_other_errors_in_scores_are_not_called_a_one_hot(wrong):
    rng = np.random.default_rng(12)
    p, y = rng.dirichlet(np.ones(4), size=3), np.eye(4)[[0, 3, 3]]
    n = (p - y) / 3
    a = wrong(p, y, n)
    assert diagnose("scores", a, n[: len(a)], {}).kind != "missing_one_hot"


def test_a_jacobian_wrong_off_its_diagonal_is_not_called_a_one_hot():
    """softmax's Jacobian at p = [0.5, 0.5] with its diagonal only: off by 1/4 once in each row."""
    p = np.array([0.5, 0.5])
    assert diagnose("J", np.diag(p * (1 - p)), np.diag(p) - np.outer(p, p), {}).kind != "missing_one_hot"


@pytest.mark.parametrize("wrong", [
    lambda p, U, v, y: ("v", U.T @ (p - y) + 2 * U[2]),  # twice a row
    lambda p, U, v, y: ("v", U.T @ (p - y) + U[2] + U[4]),  # two rows
    lambda p, U, v, y: ("U", np.outer(p - y, v) + np.outer(y, 0.5 * v)),  # half of v in row 2
    lambda p, U, v, y: ("U", np.outer(p - y, v) + np.outer(np.eye(5)[1] + y, v)),  # v in two rows
])
def test_other_product_errors_are_not_called_a_one_hot(softmax_case, wrong):
    p, U, v, y = softmax_case
    name, a = wrong(p, U, v, y)
    n = {"v": U.T @ (p - y), "U": np.outer(p - y, v)}[name]
    assert diagnose(name, a, n, {"v": v, "U": U}).kind != "missing_one_hot"


# --- reversed time order: not misnamed ----------------------------------------------------------------


def test_an_error_summing_to_zero_over_two_steps_is_not_called_reversed():
    """With T = 2, an error that sums to zero over time is odd under time reversal too: a softmax's
    gradient over the steps (attention's scores) does that without any reversal."""
    rng = np.random.default_rng(10)
    n, e = rng.normal(size=(2, 2, 3)), rng.normal(size=(2, 1, 3))
    assert diagnose("h_enc", n + np.concatenate([e, -e], axis=1), n, {}).kind != "time_reversed"


def test_a_gradient_symmetric_in_time_is_not_called_reversed(sequence):
    n, part = sequence
    symmetric = n + n[:, ::-1]
    assert diagnose("x", symmetric + part[:, ::-1] - part, symmetric, {}).kind != "time_reversed"


def test_check_backward_keeps_its_keywords():
    with pytest.raises(TypeError):
        check_backward(np.tanh, {"x": np.ones(2)}, {"x": np.ones(2)}, np.ones(2), tolerance=1e-3)
    assert "layer" not in inspect.signature(check_gradients).parameters


def test_gradients_clipped_one_at_a_time_are_named_and_global_clipping_is_not():
    from utils.diagnosis import clipping_mistake

    grads = {"W": np.array([[3.0, 0.0], [0.0, 1.0]]), "b": np.array([12.0, -2.0])}
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    max_norm = total / 2
    per_tensor = {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}
    by_value = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
    assert clipping_mistake(per_tensor, grads, max_norm).kind == "not_global_norm"
    assert "by its own norm" in clipping_mistake(per_tensor, grads, max_norm).message
    assert clipping_mistake(by_value, grads, max_norm).kind == "not_global_norm"
    # near misses: the right answer, another factor, a key missing, the unclipped gradients
    assert clipping_mistake({k: g / 2 for k, g in grads.items()}, grads, max_norm) is None
    assert clipping_mistake({k: g / 3 for k, g in grads.items()}, grads, max_norm) is None
    assert clipping_mistake({"W": per_tensor["W"]}, grads, max_norm) is None
    assert clipping_mistake(grads, grads, max_norm) is None


# --- a numeric Jacobian by one-sided differences ----------------------------------------------------


def one_sided(f, x, h, sign):
    return np.stack([sign * (f(x + sign * h * e) - f(x)) / h for e in np.eye(x.size)], axis=1)


@pytest.mark.parametrize("sign,h,words", [(1, 1e-5, "forward difference with step 1e-05"),
                                          (-1, 1e-6, "backward difference with step 1e-06")])
def test_a_one_sided_difference_is_named(sign, h, words):
    x = np.array([0.3, -1.2, 2.0])
    found = difference_mistake(one_sided(np.exp, x, h, sign), np.exp, x)
    assert found is not None and found.kind == "one_sided_difference" and words in found.message


@pytest.mark.parametrize("h", [1e-5, 1e-2])
def test_central_differences_are_not_called_one_sided(h):
    x = np.array([0.3, -1.2, 2.0])
    central = np.stack([(np.exp(x + h * e) - np.exp(x - h * e)) / (2 * h) for e in np.eye(x.size)], axis=1)
    assert difference_mistake(central, np.exp, x) is None


def test_a_value_used_twice_whose_gradient_keeps_one_use_is_named():
    """One value read twice (a graph node that feeds two others): as a table of one row read at use =
    [0, 0], the checker splits its gradient into the two uses' parts."""
    x, c = np.array([0.3, -1.2, 2.0]), np.array([1.0, -2.0, 0.5])

    def loss(node, use):
        return float(np.sum(np.tanh(node[use[0]]) * c) + np.sum(node[use[1]] ** 2))

    params = {"node": x[None], "use": np.zeros(2, dtype=int)}
    report = check_gradients(loss, params, {"node": (2 * x)[None]})  # the tanh use's part overwritten
    assert report.kind == "not_accumulated" and "only some of the 2 uses" in report.diagnosis, report
    assert check_gradients(loss, params, {"node": ((1 - np.tanh(x) ** 2) * c + 2 * x)[None]}).passed
