"""Unit 02's hidden checks pass the reference answers and catch planted wrong ones.

The checks and the references are read from the solution notebook (grading.source), exactly as the
grader reads them, so these tests exercise what students are graded with. A planted mistake replaces
one (or more) of the functions a check takes; the others stay the reference's.
"""
import numpy as np
import pytest

from grading.paths import SOLUTIONS
from grading.source import graded_function_names, read_solution_notebook

NOTEBOOK = read_solution_notebook(SOLUTIONS / "02_backprop" / "02_backprop.ipynb")
REF = NOTEBOOK.namespace(with_solutions=True)
CHECKS = {name[len("hidden_test_"):]: REF[name] for e in NOTEBOOK.exercises for name in e.check_names}
sigmoid, softmax = REF["sigmoid"], REF["softmax"]


def run_check(name, seed=None, **replaced):
    """Run hidden_test_<name> with the reference functions, except those given by keyword."""
    check = CHECKS[name]
    unknown = set(replaced) - set(graded_function_names(check))
    assert not unknown, f"hidden_test_{name} takes no {unknown}"
    functions = [replaced.get(n, REF[n]) for n in graded_function_names(check)]
    check(*functions, np.random.default_rng(seed))


def test_every_exercise_has_planted_mistakes():
    assert set(WRONG) == set(CHECKS)
    assert all(len(mistakes) >= 2 for mistakes in WRONG.values())


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_reference_passes_its_hidden_check(name, seed):
    run_check(name, seed=seed)


# ------------------------------------------------------------------------------ planted mistakes

def ref(name):
    return REF[name]


def affine_backward_with(change):
    return lambda dout, cache: change(*ref("affine_backward")(dout, cache), dout=dout, cache=cache)


def wrong_topological(kind):
    def order(inputs, output):
        seen, result = set(), []

        def visit(i):
            if kind != "no visited set":
                if i in seen:
                    return
                seen.add(i)
            if kind == "pre-order":
                result.append(i)
            for j in inputs[i]:
                visit(j)
            if kind != "pre-order":
                result.append(i)

        visit(output)
        if kind == "reversed":
            return result[::-1]
        if kind == "index order":
            return sorted(result)
        if kind == "every node":
            for i in range(len(inputs)):
                visit(i)
        return result
    return order


def wrong_autodiff(kind):
    def backward(ops, inputs, values, output):
        grads = [np.zeros_like(np.asarray(v, dtype=float)) for v in values]
        grads[output] = np.zeros_like(grads[output]) if kind == "no seed" else np.ones_like(grads[output])
        order = ref("topological_order")(inputs, output)
        if kind == "forward order":
            visit = order
        elif kind == "index order":
            visit = sorted(order, reverse=True)
        else:
            visit = list(reversed(order))
        for i in visit:
            if ops[i] == "input":
                continue
            local = ref("node_backward")(ops[i], [values[j] for j in inputs[i]], values[i], grads[i])
            for j, g in zip(inputs[i], local):
                grads[j] = g if kind == "overwrite" else grads[j] + g
        return grads
    return backward


def node_backward_with(op, rule):
    def backward(op_, input_values, out, dout):
        if op_ == op:
            return rule(input_values, out, dout)
        return ref("node_backward")(op_, input_values, out, dout)
    return backward


def optimizer_keeping_no_state(name, key):
    def update(w, dw, config):
        config = dict(config)
        config.pop(key, None)
        next_w, new = ref(name)(w, dw, dict(config))
        return next_w, config  # the updated state is never stored
    return update


def momentum_other_sign(w, dw, config):
    # the same path of w, but config["velocity"] holds -v, against the documented convention
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
    return w - v, dict(config, velocity=v)


def adam_without_bias_correction(w, dw, config):
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw * dw
    config = dict(config, m=m, v=v, t=t)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def adam_not_counting(w, dw, config):
    next_w, config = ref("adam")(w, dw, dict(config))
    config["t"] = 1  # always the first step
    return next_w, config


def two_layer_with(change):
    def net(X, y, params):
        loss, grads = ref("two_layer_net")(X, y, params)
        return change(loss, dict(grads), X, y, params)
    return net


def two_layer_without_relu_backward(X, y, params):
    h, c1 = ref("affine_forward")(X, params["W1"], params["b1"])
    a, _ = ref("relu_forward")(h)
    scores, c2 = ref("affine_forward")(a, params["W2"], params["b2"])
    loss, dscores = ref("softmax_cross_entropy")(scores, y)
    da, dW2, db2 = ref("affine_backward")(dscores, c2)
    _, dW1, db1 = ref("affine_backward")(da, c1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def ner_forward_with(x_of):
    def forward(windows, E, W, b, U, c):
        x = x_of(windows, E)
        h = np.tanh(x @ W + b)
        return h @ U + c, (windows, E, (x, W, b), (h,), (h, U, c))
    return forward


def ner_backward_with(embed):
    def backward(dscores, cache):
        dE, dW, db, dU, dc = ref("ner_backward")(dscores, cache)
        windows, E, cache1, cache_tanh, cache2 = cache
        dh, _, _ = ref("affine_backward")(dscores, cache2)
        da = ref("tanh_backward")(dh, cache_tanh)
        dx, _, _ = ref("affine_backward")(da, cache1)
        return embed(dx, windows, E), dW, db, dU, dc
    return backward


def embed_no_accumulation(dx, windows, E):
    dE = np.zeros_like(E)
    dE[windows] += dx.reshape(windows.shape + (E.shape[1],))
    return dE


def embed_wrong_reshape(dx, windows, E):
    dE = np.zeros_like(E)
    n, k = windows.shape
    np.add.at(dE, windows, dx.reshape(n, E.shape[1], k).transpose(0, 2, 1))
    return dE


def embed_flipped(dx, windows, E):
    dE = np.zeros_like(E)
    np.add.at(dE, windows, -dx.reshape(windows.shape + (E.shape[1],)))
    return dE


def global_rng_init(scale):
    return lambda fan_in, fan_out, rng: np.random.standard_normal((fan_in, fan_out)) * scale(fan_in, fan_out)


def fixed_seed_init(scale):
    return lambda fan_in, fan_out, rng: np.random.default_rng(0).standard_normal((fan_in, fan_out)) * scale(fan_in, fan_out)


def scaled_init(scale):
    return lambda fan_in, fan_out, rng: rng.standard_normal((fan_in, fan_out)) * scale(fan_in, fan_out)


def unstable_softmax_cross_entropy(scores, y):
    with np.errstate(divide="ignore"):  # log(0) = -inf for scores far apart: the mistake
        loss = float(-np.mean(np.log(softmax(scores)[np.arange(len(y)), y])))
    return loss, ref("softmax_cross_entropy")(scores, y)[1]


XAVIER = lambda i, o: np.sqrt(2.0 / (i + o))
HE = lambda i, o: np.sqrt(2.0 / i)


WRONG = {
    "affine": {
        "dW sign flipped": {"affine_backward": affine_backward_with(lambda dx, dW, db, **_: (dx, -dW, db))},
        "dW transposed": {"affine_backward": affine_backward_with(lambda dx, dW, db, **_: (dx, dW.T, db))},
        "db not summed over the batch": {"affine_backward": affine_backward_with(lambda dx, dW, db, dout, cache: (dx, dW, dout))},
        "db averaged over the batch": {"affine_backward": affine_backward_with(lambda dx, dW, db, dout, cache: (dx, dW, dout.mean(axis=0)))},
        "dx all zero": {"affine_backward": affine_backward_with(lambda dx, dW, db, **_: (0 * dx, dW, db))},
        "forward forgets the bias": {"affine_forward": lambda x, W, b: (x @ W, (x, W, b))},
        "hard-coded visible answer": {"affine_forward": lambda x, W, b: (np.array([[1.5, 2.0, 3.0]]), (x, W, b))},
    },
    "sigmoid": {
        "sign flipped": {"sigmoid_backward": lambda dout, cache: -ref("sigmoid_backward")(dout, cache)},
        "forgot dout": {"sigmoid_backward": lambda dout, cache: cache[0] * (1 - cache[0])},
        "derivative of tanh": {"sigmoid_backward": lambda dout, cache: dout * (1 - cache[0] ** 2)},
        "forward is tanh": {"sigmoid_forward": lambda x: (np.tanh(x), (np.tanh(x),))},
    },
    "tanh": {
        "missing square": {"tanh_backward": lambda dout, cache: dout * (1 - cache[0])},
        "sign flipped": {"tanh_backward": lambda dout, cache: -ref("tanh_backward")(dout, cache)},
        "forward is sigmoid": {"tanh_forward": lambda x: (sigmoid(x), (sigmoid(x),))},
    },
    "relu": {
        "mask on the wrong side": {"relu_backward": lambda dout, cache: dout * (cache[0] < 0)},
        "multiplied by x": {"relu_backward": lambda dout, cache: dout * np.maximum(cache[0], 0)},
        "no mask": {"relu_backward": lambda dout, cache: dout},
        "forward is abs": {"relu_forward": lambda x: (np.abs(x), (x,))},
    },
    "softmax_cross_entropy": {
        "forgot to divide by N": {"softmax_cross_entropy": lambda s, y: (lambda l, d: (l, d * len(y)))(*ref("softmax_cross_entropy")(s, y))},
        "loss summed, not averaged": {"softmax_cross_entropy": lambda s, y: (lambda l, d: (l * len(y), d))(*ref("softmax_cross_entropy")(s, y))},
        "sign flipped": {"softmax_cross_entropy": lambda s, y: (lambda l, d: (l, -d))(*ref("softmax_cross_entropy")(s, y))},
        "forgot the one-hot": {"softmax_cross_entropy": lambda s, y: (ref("softmax_cross_entropy")(s, y)[0], softmax(s) / len(y))},
        "unstable log of softmax": {"softmax_cross_entropy": unstable_softmax_cross_entropy},
        "hard-coded visible answer": {"softmax_cross_entropy": lambda s, y: (float(np.log(4)), (np.full((2, 4), 0.25) - np.eye(4)[[0, 3]]) / 2)},
    },
    "node_backward": {
        "mul does not swap": {"node_backward": node_backward_with("mul", lambda v, out, dout: [dout * v[0], dout * v[1]])},
        "max routes to the loser": {"node_backward": node_backward_with("max", lambda v, out, dout: [dout * (v[0] < v[1]), dout * (v[0] >= v[1])])},
        "add halves the gradient": {"node_backward": node_backward_with("add", lambda v, out, dout: [dout / 2, dout / 2])},
        "exp uses its input": {"node_backward": node_backward_with("exp", lambda v, out, dout: [dout * v[0]])},
        "sum returns a scalar": {"node_backward": node_backward_with("sum", lambda v, out, dout: [dout])},
        "matmul gradients in the wrong order": {"node_backward": node_backward_with("matmul", lambda v, out, dout: [
            v[0].T @ dout, dout @ v[1].T])},
    },
    "topological_order": {
        "reversed": {"topological_order": wrong_topological("reversed")},
        "index order": {"topological_order": wrong_topological("index order")},
        "every node": {"topological_order": wrong_topological("every node")},
        "no visited set": {"topological_order": wrong_topological("no visited set")},
        "pre-order": {"topological_order": wrong_topological("pre-order")},
    },
    "autodiff_backward": {
        "overwrites instead of adding": {"autodiff_backward": wrong_autodiff("overwrite")},
        "visits in forward order": {"autodiff_backward": wrong_autodiff("forward order")},
        "visits in index order": {"autodiff_backward": wrong_autodiff("index order")},
        "output not seeded with 1": {"autodiff_backward": wrong_autodiff("no seed")},
    },
    "xavier_init": {
        "He scale": {"xavier_init": scaled_init(HE)},
        "1 / fan_in variance": {"xavier_init": scaled_init(lambda i, o: np.sqrt(1.0 / i))},
        "variance used as std": {"xavier_init": scaled_init(lambda i, o: 2.0 / (i + o))},
        "global random state": {"xavier_init": global_rng_init(XAVIER)},
        "fixed seed": {"xavier_init": fixed_seed_init(XAVIER)},
        "transposed shape": {"xavier_init": lambda i, o, rng: scaled_init(XAVIER)(o, i, rng)},
    },
    "he_init": {
        "Xavier scale": {"he_init": scaled_init(XAVIER)},
        "unit variance": {"he_init": scaled_init(lambda i, o: 1.0)},
        "global random state": {"he_init": global_rng_init(HE)},
        "fixed seed": {"he_init": fixed_seed_init(HE)},
    },
    "sgd": {
        "plus sign": {"sgd": lambda w, dw, config: (w + config["learning_rate"] * dw, config)},
        "ignores the learning rate": {"sgd": lambda w, dw, config: (w - 0.01 * dw, config)},
        "does not move": {"sgd": lambda w, dw, config: (w, config)},
    },
    "momentum": {
        "velocity not stored": {"momentum": optimizer_keeping_no_state("momentum", "velocity")},
        "ignores momentum": {"momentum": lambda w, dw, config: (lambda nw, c: (nw, c))(
            *ref("momentum")(w, dw, dict(config, momentum=0.0)))},
        "velocity stored with the other sign": {"momentum": momentum_other_sign},
    },
    "adagrad": {
        "no accumulation": {"adagrad": lambda w, dw, config: ref("adagrad")(w, dw, dict(config, cache=np.zeros_like(w)))},
        "cache not stored": {"adagrad": optimizer_keeping_no_state("adagrad", "cache")},
        "no square root": {"adagrad": lambda w, dw, config: (lambda h: (
            w - config["learning_rate"] * dw / (h + config["epsilon"]), dict(config, cache=h)))(config.get("cache", 0) + dw * dw)},
    },
    "adam": {
        "no bias correction": {"adam": adam_without_bias_correction},
        "t not counted": {"adam": adam_not_counting},
        "m not stored": {"adam": optimizer_keeping_no_state("adam", "m")},
    },
    "two_layer_net": {
        "no ReLU in the backward pass": {"two_layer_net": two_layer_without_relu_backward},
        "gradient keys with a d": {"two_layer_net": two_layer_with(lambda loss, g, *_: (loss, {"d" + k: v for k, v in g.items()}))},
        "dW2 sign flipped": {"two_layer_net": two_layer_with(lambda loss, g, *_: (loss, dict(g, W2=-g["W2"])))},
        "loss not averaged": {"two_layer_net": two_layer_with(lambda loss, g, X, *_: (loss * len(X), g))},
    },
    "ner_forward": {
        "vectors interleaved": {"ner_forward": ner_forward_with(lambda w, E: E[w].transpose(0, 2, 1).reshape(len(w), -1))},
        "no tanh": {"ner_forward": lambda windows, E, W, b, U, c: ((E[windows].reshape(len(windows), -1) @ W + b) @ U + c, ())},
        "centre word only, repeated": {"ner_forward": ner_forward_with(
            lambda w, E: np.tile(E[w[:, w.shape[1] // 2]], (1, w.shape[1])))},
    },
    "ner_backward": {
        "repeated words not accumulated": {"ner_backward": ner_backward_with(embed_no_accumulation)},
        "dE sign flipped": {"ner_backward": ner_backward_with(embed_flipped)},
        "dx split in the wrong order": {"ner_backward": ner_backward_with(embed_wrong_reshape)},
        "dE all zero": {"ner_backward": ner_backward_with(lambda dx, w, E: np.zeros_like(E))},
    },
}


@pytest.mark.parametrize("name,mistake", [(n, m) for n, ms in WRONG.items() for m in ms])
def test_hidden_check_catches_planted_mistake(name, mistake):
    for seed in range(3):  # caught every time, not once in a while
        with pytest.raises(AssertionError):
            run_check(name, seed=seed, **WRONG[name][mistake])
