"""Unit 02's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order.

hidden_test_node_backward and hidden_test_autodiff_backward raise their gradient checks' own
GradientCheckError (report.assert_ok(context)), so the report's kind reaches the grader. An ordering
mistake in autodiff_backward (a node's gradient all zero though the output is seeded) is reported by
the check's own assertion, with no kind: "zero" would point at a missing backward formula.
"""
from tests.mistakes import Plant

PLANTS = [
    Plant("ner_backward", "sign", "dE sign flipped",
          edit=("np.add.at(dE, windows, dwords)", "np.add.at(dE, windows, -dwords)")),

    # affine: affine_forward, affine_backward
    Plant("affine_backward", "sign", "dW sign flipped",
          edit=("dW = x.T @ dout", "dW = -x.T @ dout"), exercise="test_affine"),
    Plant("affine_backward", "transpose", "dW transposed",
          edit=("dW = x.T @ dout", "dW = dout.T @ x"), exercise="test_affine"),
    Plant("affine_backward", "broadcast", "db not summed over the batch",
          edit=("db = dout.sum(axis=0)", "db = dout"), exercise="test_affine"),
    Plant("affine_backward", "factor_batch", "db averaged over the batch",
          edit=("db = dout.sum(axis=0)", "db = dout.mean(axis=0)"), exercise="test_affine"),
    Plant("affine_backward", "zero", "dx all zero",
          edit=("dx = dout @ W.T", "dx = np.zeros_like(x)"), exercise="test_affine"),
    Plant("affine_forward", None, "bias forgotten", edit=("out = x @ W + b", "out = x @ W"), exercise="test_affine"),
    Plant("affine_forward", "shape", "hard-coded visible answer", exercise="test_affine",
          code="def affine_forward(x, W, b):\n    return np.array([[1.5, 2.0, 3.0]]), (x, W, b)\n"),

    # sigmoid: sigmoid_forward, sigmoid_backward
    Plant("sigmoid_backward", "sign", "sign flipped",
          edit=("return dout * out", "return -dout * out"), exercise="test_sigmoid"),
    Plant("sigmoid_backward", None, "dout forgotten",
          edit=("return dout * out", "return out"), exercise="test_sigmoid"),
    Plant("sigmoid_backward", None, "derivative of tanh",
          edit=("out * (1.0 - out)", "(1.0 - out**2)"), exercise="test_sigmoid"),
    Plant("sigmoid_backward", "missing_local_derivative", "sigmoid' at sigmoid(out)",
          edit=("out * (1.0 - out)", "sigmoid(out) * (1.0 - sigmoid(out))"), exercise="test_sigmoid"),
    Plant("sigmoid_forward", None, "forward is tanh",
          edit=("out = sigmoid(x)", "out = np.tanh(x)"), exercise="test_sigmoid"),

    # tanh: tanh_forward, tanh_backward
    Plant("tanh_backward", None, "square missing", edit=("(1.0 - out**2)", "(1.0 - out)"), exercise="test_tanh"),
    Plant("tanh_backward", "sign", "sign flipped", edit=("return dout *", "return -dout *"), exercise="test_tanh"),
    Plant("tanh_backward", "missing_local_derivative", "tanh' left out",
          edit=("return dout * (1.0 - out**2)", "return dout"), exercise="test_tanh"),
    Plant("tanh_forward", None, "forward is sigmoid",
          edit=("out = np.tanh(x)", "out = sigmoid(x)"), exercise="test_tanh"),

    # relu: relu_forward, relu_backward
    Plant("relu_backward", None, "mask on the wrong side", edit=("(x > 0)", "(x < 0)"), exercise="test_relu"),
    Plant("relu_backward", None, "multiplied by relu(x)", edit=("(x > 0)", "np.maximum(x, 0)"), exercise="test_relu"),
    Plant("relu_backward", "missing_local_derivative", "no mask",
          edit=("return dout * (x > 0)", "return dout"), exercise="test_relu"),
    Plant("relu_backward", "missing_local_derivative", "mask from dout",
          edit=("(x > 0)", "(dout > 0)"), exercise="test_relu"),
    Plant("relu_forward", None, "forward is abs", edit=("np.maximum(0.0, x)", "np.abs(x)"), exercise="test_relu"),

    # checkpoint_softmax_grad: dL/ds for one fixed batch, derived by hand
    Plant("checkpoint_softmax_grad", "missing_one_hot", "one-hot not subtracted",
          edit=("return (p - one_hot) / N", "return p / N")),
    Plant("checkpoint_softmax_grad", "factor", "not divided by N",
          edit=("return (p - one_hot) / N", "return p - one_hot")),
    Plant("checkpoint_softmax_grad", "sign", "one-hot minus p",
          edit=("return (p - one_hot) / N", "return (one_hot - p) / N")),

    # softmax_cross_entropy
    Plant("softmax_cross_entropy", "factor_batch", "dscores not divided by N",
          edit=("    dscores /= n\n", "")),
    Plant("softmax_cross_entropy", "factor_batch", "loss summed, not averaged",
          edit=("log_probs[np.arange(n), y].mean()", "log_probs[np.arange(n), y].sum()")),
    Plant("softmax_cross_entropy", "sign", "sign flipped", edit=("dscores /= n", "dscores /= -n")),
    Plant("softmax_cross_entropy", "missing_one_hot", "one-hot forgotten", edit=("    dscores[np.arange(n), y] -= 1.0\n", "")),
    Plant("softmax_cross_entropy", "nan", "log of the softmax", edit=(
        "loss = -log_probs[np.arange(n), y].mean()", "loss = -np.log(np.exp(log_probs)[np.arange(n), y]).mean()")),
    Plant("softmax_cross_entropy", None, "hard-coded visible answer", code=(
        "def softmax_cross_entropy(scores, y):\n"
        "    return float(np.log(4)), (np.full((2, 4), 0.25) - np.eye(4)[[0, 3]]) / 2\n")),

    # node_backward
    Plant("node_backward", None, "mul does not swap its inputs", edit=("[dout * b, dout * a]", "[dout * a, dout * b]")),
    Plant("node_backward", None, "max routes to the loser",
          edit=("[dout * (a >= b), dout * (a < b)]", "[dout * (a < b), dout * (a >= b)]")),
    Plant("node_backward", "factor", "add halves the gradient",
          edit=('if op == "add":\n        return [dout, dout]', 'if op == "add":\n        return [dout / 2, dout / 2]')),
    Plant("node_backward", "missing_local_derivative", "exp' at the input",
          edit=("return [dout * out]", "return [dout * input_values[0]]")),
    Plant("node_backward", "shape", "sum returns a scalar",
          edit=("return [dout * np.ones_like(a)]", "return [dout]")),
    Plant("node_backward", "transpose", "matmul: db transposed",
          edit=("[dout @ b.T, a.T @ dout]", "[dout @ b.T, dout.T @ a]")),
    Plant("node_backward", "shape", "matmul: the gradients in the wrong order",
          edit=("[dout @ b.T, a.T @ dout]", "[a.T @ dout, dout @ b.T]")),

    # topological_order
    Plant("topological_order", None, "reversed", edit=("    return order\n", "    return order[::-1]\n")),
    Plant("topological_order", None, "in index order", edit=("    return order\n", "    return sorted(order)\n")),
    Plant("topological_order", None, "every node",
          edit=("    visit(output)\n", "    for i in range(len(inputs)):\n        visit(i)\n")),
    Plant("topological_order", None, "no visited set", edit=("        if i in visited:\n            return\n", "")),
    Plant("topological_order", None, "pre-order", edit=(
        "        for j in inputs[i]:\n            visit(j)\n        order.append(i)",
        "        order.append(i)\n        for j in inputs[i]:\n            visit(j)")),

    # autodiff_backward
    Plant("autodiff_backward", "not_accumulated", "branch overwritten, not summed",
          edit=("grads[j] = grads[j] + g", "grads[j] = g")),
    Plant("autodiff_backward", None, "visits in forward order",
          edit=("reversed(topological_order(inputs, output))", "topological_order(inputs, output)")),
    Plant("autodiff_backward", None, "visits in index order",
          edit=("reversed(topological_order(inputs, output))", "sorted(topological_order(inputs, output), reverse=True)")),
    Plant("autodiff_backward", "zero", "output not seeded with 1",
          edit=("    grads[output] = np.ones_like(grads[output])\n", "")),

    # xavier_init
    Plant("xavier_init", None, "He scale", edit=("np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(2.0 / fan_in)")),
    Plant("xavier_init", None, "variance 1 / fan_in", edit=("np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / fan_in)")),
    Plant("xavier_init", None, "variance used as the std",
          edit=("np.sqrt(2.0 / (fan_in + fan_out))", "2.0 / (fan_in + fan_out)")),
    Plant("xavier_init", None, "global random state", edit=("rng.normal(", "np.random.normal(")),
    Plant("xavier_init", None, "fixed seed", edit=("rng.normal(", "np.random.default_rng(0).normal(")),
    Plant("xavier_init", "transpose", "transposed shape", edit=("size=(fan_in, fan_out)", "size=(fan_out, fan_in)")),

    # he_init
    Plant("he_init", None, "Xavier scale", edit=("np.sqrt(2.0 / fan_in)", "np.sqrt(2.0 / (fan_in + fan_out))")),
    Plant("he_init", None, "unit variance", edit=("np.sqrt(2.0 / fan_in)", "1.0")),
    Plant("he_init", None, "global random state", edit=("rng.normal(", "np.random.normal(")),
    Plant("he_init", None, "fixed seed", edit=("rng.normal(", "np.random.default_rng(0).normal(")),

    # sgd
    Plant("sgd", None, "plus sign", edit=("return w - ", "return w + ")),
    Plant("sgd", None, "learning rate ignored", edit=('config["learning_rate"] * dw', "1e-2 * dw")),
    Plant("sgd", None, "does not move", edit=('return w - config["learning_rate"] * dw, config', "return w, config")),

    # momentum
    Plant("momentum", None, "velocity not stored", edit=('    config["velocity"] = velocity\n', "")),
    Plant("momentum", None, "momentum ignored", edit=('config["momentum"] * velocity - ', "-")),
    Plant("momentum", "sign", "velocity stored with the other sign", edit=[
        ('config["momentum"] * velocity - config["learning_rate"] * dw',
         'config["momentum"] * velocity + config["learning_rate"] * dw'),
        ("return w + velocity", "return w - velocity")]),

    # adagrad
    Plant("adagrad", "not_accumulated", "cache not accumulated",
          edit=('cache = config.get("cache", np.zeros_like(w)) + dw * dw', "cache = dw * dw")),
    Plant("adagrad", None, "cache not stored", edit=('    config["cache"] = cache\n', "")),
    Plant("adagrad", None, "no square root", edit=("np.sqrt(cache)", "cache")),

    # adam
    Plant("adam", None, "no bias correction",
          edit=("m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)", "m_hat, v_hat = m, v")),
    Plant("adam", None, "t not counted", edit=("config.update(m=m, v=v, t=t)", "config.update(m=m, v=v, t=1)")),
    Plant("adam", None, "m not stored", edit=("config.update(m=m, v=v, t=t)", "config.update(v=v, t=t)")),

    # two_layer_net
    Plant("two_layer_net", "missing_local_derivative", "no ReLU in the backward pass",
          edit=("dhidden_in = relu_backward(dhidden, cache_relu)", "dhidden_in = dhidden")),
    Plant("two_layer_net", "missing", "gradient keys with a d",
          edit=('{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}', '{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}')),
    Plant("two_layer_net", "sign", "dW2 sign flipped", edit=('"W2": dW2', '"W2": -dW2')),
    Plant("two_layer_net", "factor_batch", "loss not averaged",
          edit=("return loss, {", "return loss * len(X), {")),

    # ner_forward
    Plant("ner_forward", None, "word vectors interleaved",
          edit=("x = E[windows].reshape(", "x = E[windows].transpose(0, 2, 1).reshape(")),
    Plant("ner_forward", None, "no tanh",
          edit=("hidden, cache_tanh = tanh_forward(hidden_in)", "hidden, cache_tanh = hidden_in, (hidden_in,)")),
    Plant("ner_forward", None, "centre word only, repeated", edit=(
        "x = E[windows].reshape(windows.shape[0], -1)",
        "x = np.tile(E[windows[:, windows.shape[1] // 2]], (1, windows.shape[1]))")),

    # ner_backward (and "dE sign flipped" above)
    Plant("ner_backward", "not_accumulated", "repeated words assigned, not added",
          edit=("np.add.at(dE, windows, dwords)", "dE[windows] = dwords")),
    Plant("ner_backward", "not_accumulated", "repeated words added with += (buffered)",
          edit=("np.add.at(dE, windows, dwords)", "dE[windows] += dwords")),
    Plant("ner_backward", None, "dx split in the wrong order", edit=(
        "dwords = dx.reshape(windows.shape + (E.shape[1],))",
        "dwords = dx.reshape(windows.shape[0], E.shape[1], windows.shape[1]).transpose(0, 2, 1)")),
    Plant("ner_backward", "zero", "dE all zero", edit=("    np.add.at(dE, windows, dwords)\n", "")),
]
