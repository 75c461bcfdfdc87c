"""A backward pass computed by finite differences of the student's own forward pass earns nothing.

On small inputs, central differences agree with the true gradient to 1e-10, so a numeric backward
would pass any check on small shapes. Every hidden check whose answer is a gradient therefore ends
with one large case, where a derived backward pass takes milliseconds and finite differences hours.

For every unit, a scratch course (the real release) is graded by the real CLI and sandbox, with
a limit of CALL_SECONDS per call (the default is 30 s; the cheat would need hours either way, and the
honest large cases take well under a second): an honest student (the reference answers) and a numeric cheater
whose every backward function is replaced by central differences of their own forward functions.
The honest student gets full marks. The cheater gets no point for any exercise whose answer is a
gradient, each failing because a call did not finish (which also shows that the cheat passed every
small case before it), and keeps the points of the others (forward passes, optimizers, ...). In unit 03
the cheater keeps the student's own tbptt_epoch, whose loop calls the numeric rnn_backward: it earns
nothing either; in unit 04 the cheater's lstm_lm_loss differentiates their own lstm_forward numerically. In unit 06 the pair losses and the batch loss are differentiated numerically;
skipgram only sums the pair gradients it is given, so the cheater keeps their own.

Slow: each numeric exercise costs the cheater CALL_SECONDS.
"""
import json
import time

import nbformat
import pytest

from grading.course import Course
from tests.submissions import answered, make_course, submit
from tests.test_engine_seams import cli

pytestmark = pytest.mark.slow
CALL_SECONDS = 4

# Central differences of a scalar function, entry by entry: what every cheat below is built on.
NUMERIC_GRADIENTS = '''
import numpy as np


def numeric_gradients(loss, arrays, h=1e-5):
    """d loss() / d array for each array (float64, C order), by central differences, entry by entry."""
    grads = []
    for array in arrays:
        flat, grad = array.reshape(-1), np.zeros(array.size)
        for i in range(array.size):
            old = flat[i]
            flat[i] = old + h
            plus = loss()
            flat[i] = old - h
            minus = loss()
            flat[i] = old
            grad[i] = (plus - minus) / (2 * h)
        grads.append(grad.reshape(array.shape))
    return grads
'''

UNIT01_CHEAT = '''
def score_and_grads(x, W, b, u):
    x, W, b = (np.array(a, dtype=float) for a in (x, W, b))

    def score():
        return float(u @ sigmoid(x @ W + b))

    return (score(), *numeric_gradients(score, [x, W, b]))
'''

# A layer whose backward pass is central differences of its own forward pass (units 02 and 03).
NUMERIC_LAYER = '''
def numeric_layer(forward):
    """The layer's forward pass, its cache holding its inputs, and a backward pass by central
    differences of that forward pass (with respect to its float inputs)."""
    def layer_forward(*inputs):
        return forward(*inputs)[0], tuple(np.array(a) for a in inputs)

    def layer_backward(dout, cache):
        inputs = [np.asarray(a) for a in cache]
        inputs = [np.array(a, dtype=float) if a.dtype.kind == "f" else a for a in inputs]  # float copies
        floats = [a for a in inputs if a.dtype.kind == "f"]  # not the word indices of ner_forward
        grads = numeric_gradients(lambda: np.sum(forward(*inputs)[0] * dout), floats)
        return grads[0] if len(grads) == 1 else tuple(grads)

    return layer_forward, layer_backward
'''

UNIT02_CHEAT = '''
affine_forward, affine_backward = numeric_layer(affine_forward)
sigmoid_forward, sigmoid_backward = numeric_layer(sigmoid_forward)
tanh_forward, tanh_backward = numeric_layer(tanh_forward)
relu_forward, relu_backward = numeric_layer(relu_forward)
ner_forward, ner_backward = numeric_layer(ner_forward)


def cross_entropy(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    return float(-np.mean(shifted[np.arange(len(y)), y] - np.log(np.exp(shifted).sum(axis=1))))


def softmax_cross_entropy(scores, y):
    scores = np.array(scores, dtype=float)
    return cross_entropy(scores, y), numeric_gradients(lambda: cross_entropy(scores, y), [scores])[0]


def two_layer_net(X, y, params):
    params = {name: np.array(value, dtype=float) for name, value in params.items()}

    def loss():
        hidden, _ = relu_forward(affine_forward(X, params["W1"], params["b1"])[0])
        return cross_entropy(affine_forward(hidden, params["W2"], params["b2"])[0], y)

    return loss(), dict(zip(params, numeric_gradients(loss, list(params.values()))))


def node_backward(op, input_values, out, dout):
    inputs = [np.array(v, dtype=float) for v in input_values]
    return numeric_gradients(lambda: np.sum(GRAPH_OPS[op](*inputs) * dout), inputs)


def autodiff_backward(ops, inputs, values, output):
    grads = []
    for i in range(len(ops)):  # node i set free: the graph's output as a function of its value
        freed = ["input" if j == i else op for j, op in enumerate(ops)]
        leaves = {j: np.array(values[j], dtype=float) for j, op in enumerate(freed) if op == "input"}
        grads += numeric_gradients(lambda: float(evaluate_graph(freed, inputs, leaves)[output]), [leaves[i]])
    return grads
'''

# tbptt_epoch is the student's own loop: its gradients come from the numeric rnn_backward below.
UNIT03_CHEAT = '''
rnn_step_forward, rnn_step_backward = numeric_layer(rnn_step_forward)
rnn_forward, rnn_backward = numeric_layer(rnn_forward)
embedding_forward, embedding_backward = numeric_layer(embedding_forward)
own_softmax_loss = temporal_softmax_cross_entropy  # the student's own, for its loss only


def temporal_softmax_cross_entropy(logits, targets, ignore_index=-1):
    logits = np.array(logits, dtype=float)

    def loss():
        return own_softmax_loss(logits, targets, ignore_index)[0]

    return loss(), numeric_gradients(loss, [logits])[0]


def rnn_lm_loss(params, inputs, targets, h0, ignore_index=-1):
    params = {name: np.array(value, dtype=float) for name, value in params.items()}

    def forward():
        x, _ = embedding_forward(inputs, params["W_embed"])
        h, _ = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
        return own_softmax_loss(h @ params["W_out"] + params["b_out"], targets, ignore_index)[0], h

    loss, h = forward()
    grads = numeric_gradients(lambda: forward()[0], list(params.values()))
    return loss, dict(zip(params, grads)), h[:, -1]
'''

# The LSTM step has two outputs: the numeric backward differentiates sum(h * dh_next) + sum(c * dc_next).
UNIT04_CHEAT = '''
own_lstm_step_forward = lstm_step_forward


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    h_next, c_next, _ = own_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return h_next, c_next, tuple(np.array(a) for a in (x, h_prev, c_prev, Wx, Wh, b))


def lstm_step_backward(dh_next, dc_next, cache):
    inputs = [np.array(a, dtype=float) for a in cache]

    def loss():
        h_next, c_next, _ = own_lstm_step_forward(*inputs)
        return np.sum(h_next * dh_next) + np.sum(c_next * dc_next)

    return tuple(numeric_gradients(loss, inputs))


lstm_forward, lstm_backward = numeric_layer(lstm_forward)
gru_step_forward, gru_step_backward = numeric_layer(gru_step_forward)
bidirectional_rnn_forward, bidirectional_rnn_backward = numeric_layer(bidirectional_rnn_forward)


def lstm_lm_loss(params, inputs, targets, ignore_index=-1):
    params = {name: np.array(value, dtype=float) for name, value in params.items()}

    def loss():
        x, _ = embedding_forward(inputs, params["W_embed"])
        h, _ = lstm_forward(x, np.zeros((inputs.shape[0], params["Wh"].shape[0])), params["Wx"], params["Wh"],
                            params["b"])
        return temporal_softmax_cross_entropy(h @ params["W_out"] + params["b_out"], targets, ignore_index)[0]

    return loss(), dict(zip(params, numeric_gradients(loss, list(params.values()))))
'''

# The loss and its gradients by central differences of the student's own loss function (units 05 and 06).
NUMERIC_LOSS = '''
def numeric_loss_and_gradients(own, args, floats):
    """The loss of own(*args) and its gradients with respect to the arguments at the positions `floats`."""
    args = [np.array(a, dtype=float) if i in floats else a for i, a in enumerate(args)]

    def loss():
        return own(*args)[0]

    return (loss(), *numeric_gradients(loss, [args[i] for i in floats]))
'''

# Attention and the reparameterisation keep their inputs in the cache and differentiate their own forward pass.
UNIT05_CHEAT = '''
own_attention_forward, own_reparameterize_forward = attention_forward, reparameterize_forward
own_kl_divergence, own_seq2seq_loss = kl_divergence, seq2seq_loss


def attention_forward(h_dec, h_enc, mask=None):
    context, weights, _ = own_attention_forward(h_dec, h_enc, mask)
    mask = np.ones(np.shape(h_enc)[:2], dtype=bool) if mask is None else np.array(mask)
    return context, weights, (np.array(h_dec, dtype=float), np.array(h_enc, dtype=float), mask)


def attention_backward(dcontext, cache):
    h_dec, h_enc, mask = cache
    return tuple(numeric_gradients(lambda: np.sum(own_attention_forward(h_dec, h_enc, mask)[0] * dcontext),
                                   [h_dec, h_enc]))


def reparameterize_forward(mu, logvar, eps):
    z, _ = own_reparameterize_forward(mu, logvar, eps)
    return z, tuple(np.array(a, dtype=float) for a in (mu, logvar, eps))


def reparameterize_backward(dz, cache):
    mu, logvar, eps = cache
    return tuple(numeric_gradients(lambda: np.sum(own_reparameterize_forward(mu, logvar, eps)[0] * dz), [mu, logvar]))


def kl_divergence(mu, logvar):
    return numeric_loss_and_gradients(own_kl_divergence, [mu, logvar], (0, 1))


def seq2seq_loss(params, source, source_mask, target, attention=True):
    params = {name: np.array(value, dtype=float) for name, value in params.items()}

    def loss():
        return own_seq2seq_loss(params, source, source_mask, target, attention)[0]

    return loss(), dict(zip(params, numeric_gradients(loss, list(params.values()))))
'''

# word2vec: every gradient by central differences of the student's own loss.
UNIT06_CHEAT = '''
own_naive_softmax = naive_softmax_loss_and_gradient
own_neg_sampling = neg_sampling_loss_and_gradient
own_sgns_batch = sgns_batch_loss_and_gradient


def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    return numeric_loss_and_gradients(own_naive_softmax, [center_vec, outside_idx, outside_vectors], (0, 2))


def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, neg_idx):
    return numeric_loss_and_gradients(own_neg_sampling, [center_vec, outside_idx, outside_vectors, neg_idx], (0, 2))


def sgns_batch_loss_and_gradient(centers, outsides, negs, center_vectors, outside_vectors):
    return numeric_loss_and_gradients(own_sgns_batch, [centers, outsides, negs, center_vectors, outside_vectors],
                                      (3, 4))
'''

CHEATS = {"01_matrix_calculus": [NUMERIC_GRADIENTS, UNIT01_CHEAT],
          "02_backprop": [NUMERIC_GRADIENTS, NUMERIC_LAYER, UNIT02_CHEAT],
          "03_rnn_bptt": [NUMERIC_GRADIENTS, NUMERIC_LAYER, UNIT03_CHEAT],
          "04_lstm_gru": [NUMERIC_GRADIENTS, NUMERIC_LAYER, UNIT04_CHEAT],
          "05_seq2seq_attention": [NUMERIC_GRADIENTS, NUMERIC_LOSS, UNIT05_CHEAT],
          "06_word2vec": [NUMERIC_GRADIENTS, NUMERIC_LOSS, UNIT06_CHEAT]}
# The exercises whose answer is a gradient: the cheat must earn none of their points.
NUMERIC = {
    "01_matrix_calculus": {"test_score_and_grads"},
    "02_backprop": {"test_affine", "test_sigmoid", "test_tanh", "test_relu", "test_softmax_cross_entropy",
                    "test_node_backward", "test_autodiff_backward", "test_two_layer_net",
                    "test_ner_backward"},
    "03_rnn_bptt": {"test_rnn_step_backward", "test_rnn_backward", "test_tbptt_epoch", "test_embedding_backward",
                    "test_temporal_softmax_cross_entropy", "test_rnn_lm_loss"},
    "04_lstm_gru": {"test_lstm_step_backward", "test_lstm_backward", "test_gru_step_backward",
                    "test_bidirectional_rnn_backward", "test_lstm_lm_loss"},
    "05_seq2seq_attention": {"test_attention_backward", "test_reparameterize_backward", "test_kl_divergence",
                             "test_seq2seq_loss"},
    "06_word2vec": {"test_naive_softmax_loss_and_gradient", "test_neg_sampling_loss_and_gradient",
                    "test_sgns_batch_loss_and_gradient"},
}


def cheater(unit, notebook_name):
    nb = answered(unit, notebook_name)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in CHEATS[unit])
    return nb


@pytest.fixture(scope="module", params=sorted(CHEATS))
def graded(request, tmp_path_factory):
    unit = request.param
    root = make_course(tmp_path_factory.mktemp(f"course-{unit}"), [unit])
    name = Course(root).unit(unit).notebooks[0].path.name
    submit(root, "honest", unit, name, answered(unit, name))
    submit(root, "numeric", unit, name, cheater(unit, name))
    started = time.monotonic()
    cli(root, "autograde", unit, "--jobs", "2", "--call-seconds", str(CALL_SECONDS))
    elapsed = time.monotonic() - started
    course = Course(root)
    records = {student: json.loads(course.record_path(unit, student, name).read_text())
               for student in ("honest", "numeric")}
    print(f"\n{unit}: autograde took {elapsed:.0f} s; " + ", ".join(
        f"{student} {r['score']:g}/{r['max_score']:g} in {r['seconds']:.0f} s"
        for student, r in records.items()))
    return unit, records


def exercises(record):
    return {e["grade_id"]: e for e in record["exercises"]}


def test_the_honest_student_gets_full_marks(graded):
    _, records = graded
    failed = {g: e["reason"] for g, e in exercises(records["honest"]).items() if not e["passed"]}
    assert not failed and records["honest"]["score"] == records["honest"]["max_score"], failed


def test_a_numeric_backward_pass_earns_nothing(graded):
    unit, records = graded
    cheat = exercises(records["numeric"])
    assert NUMERIC[unit] <= set(cheat), f"exercises renamed? {sorted(NUMERIC[unit] - set(cheat))}"
    for grade_id in sorted(NUMERIC[unit]):
        exercise = cheat[grade_id]
        assert exercise["points"] == 0, f"{grade_id}: the numeric cheat earned {exercise['points']} points"
        # the large case is the check's last: a time-out there means the cheat passed every small case
        assert f"did not finish within {CALL_SECONDS} s" in exercise["reason"], f"{grade_id}: {exercise['reason']}"


def test_the_numeric_cheater_keeps_the_points_of_everything_else(graded):
    unit, records = graded
    others = {g: e for g, e in exercises(records["numeric"]).items() if g not in NUMERIC[unit]}
    failed = {g: e["reason"] for g, e in others.items() if not e["passed"]}
    assert not failed, failed
    assert records["numeric"]["score"] == sum(e["max_points"] for e in others.values())


def test_every_unit_is_tried_with_a_numeric_cheat():
    assert set(CHEATS) == {unit.name for unit in Course().units} == set(NUMERIC)
